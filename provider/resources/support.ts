// Small helpers shared by the resource modules: input checks every resource repeats, the per-host
// client, space lookup/adoption, and the error shape that makes Pulumi keep a half-configured resource.
import { Failures, Props, isUnknown } from "./handlers";
import { HostClient, QlikClient, isQlikApiError } from "../qlik";

const HOST_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const SPACE_NAME_FORBIDDEN = /["*?<>/|\\:]/;

export function checkHost(f: Failures, field: string, v: unknown, required = true): void {
    if (isUnknown(v) || (!required && v === undefined)) return;
    if (typeof v !== "string" || !HOST_RE.test(v)) {
        f.add(field, "must be a tenant hostname like acme.us.qlikcloud.com (no scheme, no path); pass QlikTenant.hostname");
    }
}

export function checkSpaceName(f: Failures, field: string, v: unknown): void {
    if (isUnknown(v)) return;
    if (typeof v !== "string" || v.trim() === "") f.add(field, "is required: the name of the space (1-256 characters)");
    else if (v.length > 256 || SPACE_NAME_FORBIDDEN.test(v)) {
        f.add(field, 'must be at most 256 characters and must not contain any of " * ? < > / | \\ : (Qlik space name rules)');
    }
}

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
export async function ensureSpace(c: HostClient, name: string, type: "shared" | "managed", description?: string): Promise<{ space: SpaceInfo; created: boolean }> {
    const existing = await findSpaceByName(c, name);
    if (existing) {
        if (existing.type !== type) {
            throw new Error(`space "${name}" on ${c.host} exists but is a ${existing.type} space, not ${type}; choose another spaceName`);
        }
        return { space: existing, created: false };
    }
    try {
        const space = await c.post<SpaceInfo>("/api/v1/spaces", { name, type, ...(description ? { description } : {}) }, { purpose: `create ${type} space "${name}"` });
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

/** An error that makes Pulumi keep the resource (ErrorResourceInitFailed) with these outputs. */
export function initFailed(message: string, id: string, outs: Props): Error {
    return Object.assign(new Error(message), { id, properties: outs, reasons: [message] });
}
