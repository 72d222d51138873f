// The implementation entry point that the serialised shim (provider/shim.ts) loads at call time:
// `require("qlik-tenant-fleet/provider")`. Resource modules are loaded lazily, one per kind.
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "./shim";
import type { ResourceHandlers } from "./resources/handlers";
import { setProviderConfig } from "./config";

const loaders: Record<ResourceKind, () => ResourceHandlers> = {
    QlikTenant: () => require("./resources/qlikTenant").handlers,
    JwtIdentityProvider: () => require("./resources/jwtIdentityProvider").handlers,
    LicenseAssignment: () => require("./resources/licenseAssignment").handlers,
    GroupSet: () => require("./resources/groupSet").handlers,
    AppCopy: () => require("./resources/appCopy").handlers,
    ManagedSpacePublish: () => require("./resources/managedSpacePublish").handlers,
    LocalMarker: () => require("./resources/localMarker").handlers,
};

/**
 * protobuf Structs cannot carry `undefined` ("Unexpected struct type"), so every result leaves
 * here without undefined members, whatever a handler returned.
 */
function dropUndefined<T>(value: T): T {
    if (Array.isArray(value)) return value.map(dropUndefined) as T;
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, dropUndefined(v)]),
        ) as T;
    }
    return value;
}

export function handlersFor(kind: ResourceKind): ResourceHandlers {
    const load = loaders[kind];
    if (!load) {
        throw new Error(`qlik-tenant-fleet: unknown resource kind ${JSON.stringify(kind)}; upgrade the qlik-tenant-fleet package`);
    }
    const h = load();
    return {
        check: async (olds, news) => dropUndefined(await h.check(olds, news)),
        diff: async (id, olds, news) => dropUndefined(await h.diff(id, olds, news)),
        create: async (inputs) => dropUndefined(await h.create(inputs)),
        read: async (id, props) => dropUndefined(await h.read(id, props)),
        update: async (id, olds, news) => dropUndefined(await h.update(id, olds, news)),
        delete: (id, props) => h.delete(id, props),
    };
}

/** Called once per resource kind per provider process with the whole stack config. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    setProviderConfig(req.config);
}
