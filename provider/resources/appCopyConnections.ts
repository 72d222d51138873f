// An AppCopy's data connections in the staging space (docs/reference/qlik-cloud-api.md §8): the JSON Patch that
// turns a live connection into the declared one, the sync on create/update, and what read() reports as live.
import { HostClient } from "../qlik";
import { stableJson } from "./handlers";
import { Marker, OwnershipInputs, assertMayAdopt, formatMarker, markOf, mayDelete, parseMarker } from "./ownership";
import {
    CHANGED_OUTSIDE,
    ConnectionSpec,
    DIGEST_PREFIX,
    SECRET_KEY,
    registerConnectionSecrets,
} from "./appCopyContent";

export interface LiveConnection {
    id: string;
    qName: string;
    datasourceID: string;
    connectionProperties?: Record<string, unknown>;
    tags?: string[];
    version?: string;
}

export async function listConnections(c: HostClient, spaceId: string): Promise<LiveConnection[]> {
    return c.paginateAll<LiveConnection>("/api/v1/data-connections", {
        purpose: "list data connections",
        query: { spaceId },
    });
}

/** Data connections have no description; the marker is one of their tags (ConnectionCreate.tags, PATCH /tags). */
export function connectionMarker(l: LiveConnection): Marker | undefined {
    for (const t of l.tags ?? []) {
        const m = parseMarker(t).marker;
        if (m) return m;
    }
    return undefined;
}

function tagsWith(l: LiveConnection | undefined, m: Marker): string[] {
    return [...(l?.tags ?? []).filter((t) => !parseMarker(t).marker), formatMarker(m)];
}

/** One JSON-Patch operation (PatchRequest of qliksense-data-connections-api-openapi.yml). */
export interface PatchOp {
    op: "add" | "replace" | "remove";
    path: string;
    value?: unknown;
}

const pointer = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The PATCH that turns a live connection into the declared one. Qlik updates connection properties and
 * credentials with `PATCH /api/v1/data-connections/{qID}` and JSON-Patch operations on /qName and
 * /connectionProperties/<key> (https://qlik.dev/changelog/157-api-updates-data-connections,
 * https://qlik.dev/manage/data-connections/update-data-connections); PUT's ConnectionUpdate has no
 * connectionProperties. Visible keys are compared with the live values: `replace` when changed, `add` when missing,
 * `remove` when no longer declared. Qlik never returns secrets, so each declared secret is always written with
 * `add` (RFC 6902: sets or overwrites), which also repairs a credential changed outside Pulumi. Secret keys dropped
 * from the declaration cannot be seen live and are left alone.
 */
export function connectionPatch(dc: ConnectionSpec, live: LiveConnection): PatchOp[] {
    const ops: PatchOp[] = [];
    if (live.qName !== dc.name) ops.push({ op: "replace", path: "/qName", value: dc.name });
    if (live.datasourceID !== dc.datasourceID)
        ops.push({ op: "replace", path: "/datasourceID", value: dc.datasourceID });
    const declared = dc.connectionProperties ?? {};
    const liveProps = live.connectionProperties ?? {};
    for (const [k, v] of Object.entries(declared)) {
        const path = `/connectionProperties/${pointer(k)}`;
        if (SECRET_KEY.test(k) || !(k in liveProps)) ops.push({ op: "add", path, value: v });
        else if (stableJson(liveProps[k]) !== stableJson(v)) ops.push({ op: "replace", path, value: v });
    }
    for (const k of Object.keys(liveProps)) {
        if (!(k in declared) && !SECRET_KEY.test(k))
            ops.push({ op: "remove", path: `/connectionProperties/${pointer(k)}` });
    }
    return ops;
}

/**
 * Creates or updates each declared connection and marks it; returns name -> qID, the names this stack made (created
 * now, recorded before, or marked by this owner: an earlier instance made it) and each connection's version after
 * the writes. Removed connections are deleted only when this resource still holds their claim.
 */
export async function syncConnections(
    c: HostClient,
    spaceId: string,
    inputs: OwnershipInputs & { dataConnections?: ConnectionSpec[] },
    claim: string,
    previouslyCreated: string[],
    removed: string[],
    allowed: string[],
) {
    const wanted: ConnectionSpec[] = inputs.dataConnections ?? [];
    registerConnectionSecrets(wanted);
    const live = await listConnections(c, spaceId);
    const m = markOf(inputs, claim);
    // Ownership is checked for every connection before the first write.
    for (const dc of wanted) {
        const hit = live.find((l) => l.qName === dc.name);
        if (hit)
            assertMayAdopt(
                "AppCopy",
                `data connection "${dc.name}" (${hit.id}) on ${c.host}`,
                connectionMarker(hit),
                inputs,
                allowed,
            );
    }
    const ids: Record<string, string> = {};
    const created = new Set(previouslyCreated);
    for (const dc of wanted) {
        const body = {
            qName: dc.name,
            datasourceID: dc.datasourceID,
            space: spaceId,
            connectionProperties: dc.connectionProperties,
        };
        const hit = live.find((l) => l.qName === dc.name);
        if (hit) {
            const marker = connectionMarker(hit);
            if (marker && [m.owner, ...allowed].includes(marker.owner)) created.add(dc.name);
            const ops = connectionPatch(dc, hit);
            // The secret values in ops are registered secrets (registerConnectionSecrets): the client redacts them.
            if (ops.length > 0)
                await c.patch(`/api/v1/data-connections/${hit.id}`, ops, {
                    purpose: `update data connection "${dc.name}"`,
                });
            if (!marker || marker.owner !== m.owner || marker.claim !== m.claim) {
                await c.patch(
                    `/api/v1/data-connections/${hit.id}`,
                    [{ op: "replace", path: "/tags", value: tagsWith(hit, m) }],
                    { purpose: `mark data connection "${dc.name}" as managed by ${m.owner}` },
                );
            }
            ids[dc.name] = hit.id;
        } else {
            const made = await c.post<LiveConnection>(
                "/api/v1/data-connections",
                { ...body, tags: [formatMarker(m)] },
                { purpose: `create data connection "${dc.name}"` },
            );
            ids[dc.name] = made.id;
            created.add(dc.name);
        }
    }
    for (const name of removed) {
        const hit = live.find((l) => l.qName === name);
        if (hit && created.has(name) && mayDelete(connectionMarker(hit), claim)) {
            await c.send({
                method: "DELETE",
                path: `/api/v1/data-connections/${hit.id}`,
                expect: [204, 404],
                purpose: `delete data connection "${name}"`,
            });
        }
        created.delete(name);
    }
    const after = wanted.length ? await listConnections(c, spaceId) : [];
    const versions = Object.fromEntries(after.filter((l) => l.qName in ids).map((l) => [l.qName, l.version ?? ""]));
    return { ids, created: [...created].filter((n) => n in ids).sort(), versions };
}

const SECRET_PLACEHOLDER = (v: unknown) =>
    typeof v === "string" && (v.startsWith(DIGEST_PREFIX) || v === CHANGED_OUTSIDE);

/**
 * A declared connection as it is live: datasourceID and non-secret properties as Qlik returns them; the secret
 * digests kept unless the connection was written since our last write while its visible target stayed the same
 * (then only a secret can have changed, and it is reported as CHANGED_OUTSIDE).
 */
export function liveConnection(
    declared: ConnectionSpec,
    live: LiveConnection,
    knownVersion: string | undefined,
): { spec: ConnectionSpec; retargeted: string[] } {
    const declaredProps = declared.connectionProperties ?? {};
    const liveProps = live.connectionProperties ?? {};
    const props: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(liveProps))
        if (!SECRET_KEY.test(k) && (typeof v === "string" || typeof v === "number" || typeof v === "boolean"))
            props[k] = v;
    const retargeted: string[] = [];
    if (live.datasourceID !== declared.datasourceID) retargeted.push("datasourceID");
    for (const k of new Set([...Object.keys(declaredProps), ...Object.keys(props)])) {
        if (SECRET_KEY.test(k)) continue;
        if (stableJson(declaredProps[k] ?? null) !== stableJson(props[k] ?? null)) retargeted.push(k);
    }
    const secretsChanged =
        retargeted.length === 0 &&
        knownVersion !== undefined &&
        knownVersion !== "" &&
        live.version !== undefined &&
        live.version !== knownVersion;
    for (const [k, v] of Object.entries(declaredProps)) {
        if (SECRET_KEY.test(k)) props[k] = secretsChanged && SECRET_PLACEHOLDER(v) ? CHANGED_OUTSIDE : v;
    }
    return { spec: { name: declared.name, datasourceID: live.datasourceID, connectionProperties: props }, retargeted };
}

/** What a retargeted connection now points at, for the refresh warning: non-secret values only. */
export function describeTarget(spec: ConnectionSpec, keys: string[]): string {
    return keys
        .map((k) =>
            k === "datasourceID"
                ? `datasourceID=${spec.datasourceID}`
                : `${k}=${JSON.stringify(spec.connectionProperties[k] ?? null)}`,
        )
        .join(", ");
}
