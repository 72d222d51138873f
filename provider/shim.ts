// The provider object that Pulumi serialises into the state of every dynamic resource.
//
// Pulumi stores the text of this closure (twice per resource) and runs the STORED text for read
// and delete, so it is kept tiny and stable: it captures only the resource kind, and loads the
// implementation from the installed package when the provider process configures it. A new
// release's fixes therefore reach refresh and destroy of old resources, and editing the
// implementation does not change the `__provider` text (no perpetual diff on every resource).
// Credentials are never captured: the implementation reads them from configure() config or the
// environment when it runs.
//
// Rules for this file: no imports at runtime (only `import type`), no captured objects, no
// non-deterministic values. Changing this text changes every resource's state: treat it as an API.
import type * as pulumi from "@pulumi/pulumi";

/** The kinds of resources the shim can dispatch to; the implementation registry uses the same names. */
export type ResourceKind =
    | "QlikTenant"
    | "JwtIdentityProvider"
    | "LicenseAssignment"
    | "GroupSet"
    | "AppCopy"
    | "ManagedSpacePublish"
    | "SharedSpace"
    | "LocalMarker"
    | "FleetGuard";

// One shim object per kind: Pulumi caches the serialised text per provider object, so a fleet of
// hundreds of resources is serialised six times instead of once per resource (the V8-inspector
// based serialiser is the program's main CPU cost at that scale). The text is the same either way.
const shims = new Map<ResourceKind, pulumi.dynamic.ResourceProvider>();

export function providerShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    let shim = shims.get(kind);
    if (!shim) {
        // Runs in the stack program, not in the serialised closure: bad qlik:* config fails the program
        // once, with one message, before any Qlik resource is registered (provider/config.ts).
        if (kind !== "LocalMarker") require("./config").checkProgramConfig();
        shim = makeShim(kind);
        shims.set(kind, shim);
    }
    return shim;
}

/**
 * The serialised text is most of a fleet's state (docs/state-size.md): Pulumi's closure serialiser wraps
 * every function in ~170 bytes of scaffolding, and the text is stored twice per resource. So the shim
 * is ONE function: Pulumi's dynamic provider (@pulumi/pulumi cmd/dynamic-provider, getProvider) calls
 * `configure` on the deserialised object before any other method, once per text per process, and
 * configure installs the real methods on that object. They are installed synchronously, before
 * configure returns its promise: getProvider caches the object before awaiting configure, so a
 * concurrent RPC may use it as soon as configure has been called. A plain `function`, not an arrow,
 * because `this` is that object. State written by the earlier 8-function shim keeps working: it calls
 * the same two exports (configure, handlersFor), which stay as they are.
 */
// The dynamic-provider process resolves the require from the stack's node_modules (its cwd is the project).
// The body's text is stored in state: comments stay outside it.
function makeShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    const shim: Pick<pulumi.dynamic.ResourceProvider, "configure"> = {
        configure: function (this: pulumi.dynamic.ResourceProvider, req: pulumi.dynamic.ConfigureRequest) {
            const pkg = require("qlik-tenant-fleet/provider");
            Object.assign(this, pkg.handlersFor(kind));
            return pkg.configure(req);
        },
    };
    // Only configure exists until the provider process calls it (above); the program never calls any method.
    return shim as pulumi.dynamic.ResourceProvider;
}
