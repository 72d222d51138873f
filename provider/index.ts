// The implementation entry point that the serialised shim (provider/shim.ts) loads at call time:
// `require("qlik-tenant-fleet/provider")`. Resource modules are loaded lazily, one per kind.
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "./shim";
import type { ResourceHandlers } from "./resources/handlers";
import { setProviderConfig } from "./config";
import { isQlikApiError } from "./qlik/errors";

const loaders: Record<ResourceKind, () => ResourceHandlers> = {
    QlikTenant: () => require("./resources/qlikTenant").handlers,
    JwtIdentityProvider: () => require("./resources/jwtIdentityProvider").handlers,
    LicenseAssignment: () => require("./resources/licenseAssignment").handlers,
    GroupSet: () => require("./resources/groupSet").handlers,
    AppCopy: () => require("./resources/appCopy").handlers,
    ManagedSpacePublish: () => require("./resources/managedSpacePublish").handlers,
    SharedSpace: () => require("./resources/sharedSpace").handlers,
    LocalMarker: () => require("./resources/localMarker").handlers,
    FleetGuard: () => require("./resources/fleetGuard").handlers,
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

/** Failures an operator causes and can fix (bad settings, refused guards, Qlik's 4xx answers). */
function isExpected(e: unknown): boolean {
    if (!(e instanceof Error)) return false;
    if (
        [
            "ProviderConfigError",
            "TenantDeactivationRefused",
            "MasterDbError",
            "InvalidCustomerRows",
            "OwnershipConflict",
        ].includes(e.name)
    )
        return true;
    // An unreachable endpoint (stopped emulator, no route) is said once with its FIX by errors.ts (C2): no stack per resource.
    if (
        isQlikApiError(e) &&
        e.kind === "network" &&
        ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"].includes(e.netCode ?? "")
    )
        return true;
    // ...and so is a call cut in mid-flight when the endpoint then refuses a fresh connection (emulator stopped during the call).
    if (isQlikApiError(e) && e.kind === "network" && e.unreachable === true) return true;
    if (isQlikApiError(e)) return e.status !== undefined && [400, 401, 403, 404, 409, 412, 422].includes(e.status);
    return false;
}

/**
 * Expected failures leave as ONE line (cause, then FIX) without a stack trace: the Node dynamic-provider
 * host prints `${e}: ${e.stack}` for every failed call (@pulumi/pulumi cmd/dynamic-provider/index.js),
 * which made 3 tenants with a wrong secret print ~600 lines. QLIK_DEBUG=1 keeps the original error.
 * An error that carries an id (a resource created but not configured) keeps its shape for Pulumi.
 */
function presentable(e: unknown): unknown {
    if (process.env.QLIK_DEBUG || !isExpected(e)) return e;
    const err = e as Error & { id?: unknown };
    const line = err.message
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .join(" | ");
    if (err.id !== undefined) {
        err.message = line;
        err.stack = "";
        return err;
    }
    const out = new Error(line);
    // What the host prints before the stack; with an empty stack its line is just the message.
    Object.defineProperty(out, "toString", { value: () => "(set QLIK_DEBUG=1 for details)" });
    out.stack = "";
    return out;
}

async function quiet<T>(call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (e) {
        throw presentable(e);
    }
}

export function handlersFor(kind: ResourceKind): ResourceHandlers {
    const load = loaders[kind];
    if (!load) {
        throw new Error(
            `qlik-tenant-fleet: unknown resource kind ${JSON.stringify(kind)}; upgrade the qlik-tenant-fleet package`,
        );
    }
    const h = load();
    return {
        check: (olds, news) => quiet(async () => dropUndefined(await h.check(olds, news))),
        diff: (id, olds, news) => quiet(async () => dropUndefined(await h.diff(id, olds, news))),
        create: (inputs) => quiet(async () => dropUndefined(await h.create(inputs))),
        read: (id, props) => quiet(async () => dropUndefined(await h.read(id, props))),
        update: (id, olds, news) => quiet(async () => dropUndefined(await h.update(id, olds, news))),
        delete: (id, props) => quiet(() => h.delete(id, props)),
    };
}

/** Called once per resource kind per provider process with the whole stack config. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    setProviderConfig(req.config);
}
