// The provider object that Pulumi serialises into the state of every dynamic resource.
//
// Pulumi stores the text of this closure (twice per resource) and runs the STORED text for read
// and delete, so it is kept tiny and stable: it captures only the resource kind, and loads the
// implementation from the installed package at call time. A new release's fixes therefore reach
// refresh and destroy of old resources, and editing the implementation does not change the
// `__provider` text (no perpetual diff on every resource). Credentials are never captured: the
// implementation reads them from configure() config or the environment when it runs.
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

function makeShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    // Resolved from the stack's node_modules by the dynamic-provider process (its cwd is the project).
    const impl = () => require("qlik-tenant-fleet/provider").handlersFor(kind);
    return {
        configure: async (req) => require("qlik-tenant-fleet/provider").configure(req),
        check: async (olds, news) => impl().check(olds, news),
        diff: async (id, olds, news) => impl().diff(id, olds, news),
        create: async (inputs) => impl().create(inputs),
        read: async (id, props) => impl().read(id, props),
        update: async (id, olds, news) => impl().update(id, olds, news),
        delete: async (id, props) => impl().delete(id, props),
    };
}
