// Small helpers shared by the resource modules: the per-host client, space lookup/adoption, and the error shape that makes Pulumi keep a half-configured resource.
import { isUnknown } from "./handlers";
import { HostClient, QlikClient, isQlikApiError } from "../qlik";
import { errMessage } from "../qlik/errors";

export function isStatus(e: unknown, ...statuses: number[]): boolean {
    return isQlikApiError(e) && e.status !== undefined && statuses.includes(e.status);
}

export function api(host: string): HostClient {
    return new QlikClient().forHost(host);
}

export interface SpaceInfo {
    id: string;
    name: string;
    type: string;
    description: string;
}

/** Exact-name lookup: the `name` query is a fuzzy "contains" filter (§6), so filter client-side. */
export async function findSpaceByName(c: HostClient, name: string): Promise<SpaceInfo | undefined> {
    const list = await c.paginateAll<SpaceInfo>("/api/v1/spaces", { purpose: `find space "${name}"`, query: { name } });
    return list.find((s) => s.name === name);
}

/** Adopt the space with this name (it must have the wanted type) or create it. */
export async function ensureSpace(
    c: HostClient,
    name: string,
    type: "shared" | "managed",
    description?: string,
): Promise<{ space: SpaceInfo; created: boolean }> {
    const existing = await findSpaceByName(c, name);
    if (existing) {
        if (existing.type !== type) {
            throw new Error(
                `space "${name}" on ${c.host} exists but is a ${existing.type} space, not ${type}; choose another spaceName`,
            );
        }
        return { space: existing, created: false };
    }
    try {
        const space = await c.post<SpaceInfo>(
            "/api/v1/spaces",
            { name, type, ...(description ? { description } : {}) },
            { purpose: `create ${type} space "${name}"` },
        );
        return { space, created: true };
    } catch (e) {
        // Someone (or a crashed earlier run) created it in between: adopt.
        if (isStatus(e, 409)) {
            const again = await findSpaceByName(c, name);
            if (again && again.type === type) return { space: again, created: false };
        }
        throw e;
    }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An error that makes Pulumi keep the resource (ErrorResourceInitFailed) with these outputs. With a
 * `cause`, the message and the reasons Pulumi prints carry the API's status, code and message
 * (QlikApiError's text), not just "resource init failed".
 */
export function initFailed(message: string, id: string, outs: object, cause?: unknown): Error {
    const full = cause === undefined ? message : `${message}: ${errMessage(cause)}`;
    // protobuf Structs reject undefined members, so the outputs go through JSON.
    return Object.assign(new Error(full), { id, properties: JSON.parse(JSON.stringify(outs)), reasons: [full] });
}

// ---- Stable tenant addressing (issue 8 item 4) ----
//
// Dependents take `tenantHost`; CustomerTenant (and the docs) pass the tenant's SYSTEM hostname,
// which Qlik never changes, so an alias rename is an update of the QlikTenant alone. A resource
// records the id of its tenant in its outputs (`tenantId`), and a change of `tenantHost` to another
// name of the SAME tenant (alias host <-> system host, a renamed alias) is an in-place update, never
// a replacement: a replacement would adopt the objects by natural key and the delete of the old
// resource would then remove them. Apply it in every resource that lives inside a tenant:
//   diff:   const t = await tenantHostDiff(olds, news);  // "same" | "readdress" | "replace"
//   update: const tenantId = await assertSameTenant("Kind", olds, news);
//   outputs: tenantId (from tenantIdOf(host) on create).

/** The id of the tenant answering on `host`, or undefined when no active tenant answers there. */
export async function tenantIdOf(host: string): Promise<string | undefined> {
    try {
        // Every Qlik host answers /users/me for the caller; its tenantId is the tenant behind the host.
        const me = await api(host).get<{ tenantId?: string }>("/api/v1/users/me", {
            purpose: `find the tenant behind ${host}`,
        });
        return me.tenantId;
    } catch (e) {
        if (
            isQlikApiError(e) &&
            (e.status === 404 || e.netCode === "ENOTFOUND" || (e.status === 401 && e.code === "TENANT_DISABLED"))
        )
            return undefined;
        throw e;
    }
}

export type TenantHostChange = "same" | "readdress" | "replace";

/** The addressing fields of a resource's inputs or state, as they arrive (any version, unknowns in a preview). */
export interface Addressed {
    tenantHost?: unknown;
    tenantId?: unknown;
}

/** Folds the tenantHost rule (support.ts) into a field diff: "replace" replaces, "readdress" updates in place. */
export function withTenantHost(
    d: { changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean },
    t: TenantHostChange,
) {
    if (t === "replace") return { ...d, changes: true, replaces: [...(d.replaces ?? []), "tenantHost"] };
    if (t === "readdress") return { ...d, changes: true };
    return d;
}

/**
 * How a change of `tenantHost` between `olds` (outputs in state) and `news` must be applied.
 * - "same": unchanged, or unknown during a preview while the tenant itself is being updated (the
 *   SDK's system hostname is an output then); `up` diffs again with the real value.
 * - "readdress": another name of the tenant recorded in `olds.tenantId`: update in place. A new
 *   name that does not answer yet (an alias being renamed in the same up) is also an update;
 *   update() then proves it is the same tenant (assertSameTenant) or fails before any change.
 * - "replace": another tenant (or no tenant id on record and the old host unknown).
 */
export async function tenantHostDiff(olds: Addressed, news: Addressed): Promise<TenantHostChange> {
    const oldId = typeof olds.tenantId === "string" && olds.tenantId ? olds.tenantId : undefined;
    if (isUnknown(news.tenantHost)) return oldId ? "same" : "replace";
    if (news.tenantHost === olds.tenantHost) return "same";
    // check() made tenantHost a hostname; anything else cannot name the recorded tenant.
    if (typeof news.tenantHost !== "string") return "replace";
    const newId = await tenantIdOf(news.tenantHost);
    const recorded = oldId ?? (typeof olds.tenantHost === "string" ? await tenantIdOf(olds.tenantHost) : undefined);
    if (recorded === undefined) return "replace";
    if (newId === recorded || newId === undefined) return "readdress";
    return "replace";
}

/** In update(): when tenantHost changed, proves it still names the recorded tenant (or fails before any change). Returns the tenant id. */
export async function assertSameTenant(kind: string, olds: Addressed, news: Addressed): Promise<string | undefined> {
    const oldId = typeof olds.tenantId === "string" && olds.tenantId ? olds.tenantId : undefined;
    if (news.tenantHost === olds.tenantHost && oldId) return oldId;
    // check() made tenantHost a hostname before update() runs.
    if (typeof news.tenantHost !== "string") throw new Error(`${kind}: tenantHost must be the tenant's hostname`);
    const newId = await tenantIdOf(news.tenantHost);
    if (oldId && newId !== oldId) {
        throw new Error(
            `${kind}: tenantHost ${news.tenantHost} ${newId ? `is tenant ${newId}` : "does not answer"}, not tenant ${oldId} (${String(olds.tenantHost)}) that this resource manages; ` +
                "nothing was changed. Pass the tenant's systemHostname (or alias hostname) of the same tenant, or `pulumi up --replace <urn>` to move the resource to another tenant.",
        );
    }
    return newId ?? oldId;
}
