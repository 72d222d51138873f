// AppCopy: the ISV's template app deployed into a customer tenant's SHARED staging space, pointed at the
// customer's data (data connections in that space, optional load script) and reloaded.
// Sequence per docs/reference/qlik-cloud-api.md §12.3 (export -> Location -> download -> import into the target shared space),
// plus §8 data connections and §9 reloads. The staged app is what ManagedSpacePublish publishes.
//
// What read() compares with the live tenant (issue 8 item 2): the app's name and space, its CURRENT load script
// (digest of GET /apps/{id}/scripts/current), each declared data connection's target (datasourceID and every
// non-secret connection property, plus the connection's `version`, which moves on any write, so a credentials-only
// change made by hand is seen although Qlik never returns secrets), the ownership markers, and the last reload.
// `contentVersion` is a digest of everything that defines the staged content (source, templateVersion, load script,
// connections); check() computes it from the inputs alone, so a preview already knows whether it changes, and
// ManagedSpacePublish takes it as an input to republish exactly when the staged content changed (item 3).
import * as crypto from "crypto";
import * as fs from "fs";
import {
    Failures,
    Props,
    ResourceHandlers,
    UNKNOWN,
    diffFields,
    isUnknown,
    stableJson,
    withoutProviderKey,
} from "./handlers";
import { getProviderConfig } from "../config";
import { HostClient, registerSecret } from "../qlik";
import {
    SpaceInfo,
    api,
    checkHost,
    checkSpaceName,
    ensureSpace,
    initFailed,
    isStatus,
    sleep,
    assertSameTenant,
    tenantHostDiff,
    tenantIdOf,
} from "./support";
import {
    Marker,
    assertMayAdopt,
    checkOwnership,
    claimOf,
    formatMarker,
    mayDelete,
    newClaim,
    ownershipOutputs,
    parseMarker,
    withMarker,
} from "./ownership";

// ---------- inputs ----------

export interface SourceSpec {
    tenantHost?: string;
    appId?: string;
    appName?: string;
    exportFile?: string;
}

export interface ConnectionSpec {
    name: string;
    datasourceID: string;
    connectionProperties: Record<string, string | number | boolean>;
}

const SECRET_KEY = /pass(word)?|secret|token|apikey|private/i;
const DIGEST_PREFIX = "<sha256:";

function digestOf(v: string): string {
    return `${DIGEST_PREFIX}${crypto.createHash("sha256").update(v).digest("hex")}>`;
}

/** Secret connection properties are kept in outputs only as a digest: diffs still see a password change. */
function digestConnections(list: ConnectionSpec[] | undefined): ConnectionSpec[] {
    return (list ?? []).map((c) => ({
        ...c,
        connectionProperties: Object.fromEntries(
            Object.entries(c.connectionProperties ?? {}).map(([k, v]) => [
                k,
                SECRET_KEY.test(k) && typeof v === "string" && !v.startsWith(DIGEST_PREFIX) && v !== CHANGED_OUTSIDE
                    ? digestOf(v)
                    : v,
            ]),
        ),
    }));
}

function registerConnectionSecrets(list: ConnectionSpec[] | undefined): void {
    for (const c of list ?? []) {
        for (const [k, v] of Object.entries(c.connectionProperties ?? {}))
            if (SECRET_KEY.test(k) && typeof v === "string") registerSecret(v);
    }
}

const UPDATE_KEYS = [
    "source",
    "name",
    "templateVersion",
    "dataConnections",
    "loadScript",
    "reload",
    "reloadTimeoutSeconds",
    "owner",
    "takeOverFrom",
] as const;
// tenantHost is diffed by tenantHostDiff (support.ts): another name of the same tenant is an update.
const REPLACE_KEYS = ["spaceName"] as const;

function checkInputs(news: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", news.tenantHost);
    checkOwnership(f, news);
    const src = news.source;
    if (!isUnknown(src)) {
        if (!src || typeof src !== "object" || Array.isArray(src)) {
            f.add(
                "source",
                "is required: {appId} or {appName} of the template app in the source tenant, or {exportFile: path of a .qvf export}",
            );
        } else {
            const s = src as Record<string, unknown>;
            const kinds = ["appId", "appName", "exportFile"].filter((k) => s[k] !== undefined && s[k] !== "");
            if (kinds.length !== 1) {
                f.add(
                    "source",
                    `set exactly one of appId, appName or exportFile (got ${kinds.length ? kinds.join(", ") : "none"})`,
                );
            }
            for (const k of ["appId", "appName", "exportFile"]) {
                if (
                    s[k] !== undefined &&
                    !isUnknown(s[k]) &&
                    (typeof s[k] !== "string" || (s[k] as string).trim() === "")
                ) {
                    f.add(`source.${k}`, "must be a non-empty string");
                }
            }
            if (typeof s.exportFile === "string" && s.exportFile !== "" && !fs.existsSync(s.exportFile)) {
                f.add(
                    "source.exportFile",
                    `file ${JSON.stringify(s.exportFile)} does not exist; export the template app from Qlik (.qvf) and pass its path`,
                );
            }
            if (s.exportFile !== undefined && s.tenantHost !== undefined)
                f.add("source.tenantHost", "is only used with appId or appName, not with exportFile");
            checkHost(f, "source.tenantHost", s.tenantHost, false);
        }
    }
    if (!isUnknown(news.name) && (typeof news.name !== "string" || news.name.trim() === "" || news.name.length > 256)) {
        f.add("name", "is required: the app name in the target tenant (1-256 characters)");
    }
    if (
        news.templateVersion !== undefined &&
        !isUnknown(news.templateVersion) &&
        typeof news.templateVersion !== "string"
    ) {
        f.add("templateVersion", 'must be a string such as "2024.06.1"; bump it to roll out a new template release');
    }
    checkSpaceName(f, "spaceName", news.spaceName);
    if (
        news.loadScript !== undefined &&
        !isUnknown(news.loadScript) &&
        (typeof news.loadScript !== "string" || news.loadScript.trim() === "")
    ) {
        f.add("loadScript", "must be a non-empty load script (omit it to keep the template's script)");
    }
    if (news.reload !== undefined && !isUnknown(news.reload) && typeof news.reload !== "boolean")
        f.add("reload", "must be true or false");
    const t = news.reloadTimeoutSeconds;
    if (t !== undefined && !isUnknown(t) && (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 86_400)) {
        f.add("reloadTimeoutSeconds", "must be an integer number of seconds between 1 and 86400 (default 900)");
    }
    const dcs = news.dataConnections;
    if (dcs !== undefined && !isUnknown(dcs)) {
        if (!Array.isArray(dcs))
            f.add("dataConnections", "must be a list of {name, datasourceID, connectionProperties}");
        else {
            const seen = new Set<string>();
            dcs.forEach((dc: unknown, i: number) => {
                const p = `dataConnections[${i}]`;
                if (isUnknown(dc)) return;
                const d = (dc ?? {}) as Record<string, unknown>;
                if (!isUnknown(d.name)) {
                    if (typeof d.name !== "string" || d.name.trim() === "")
                        f.add(`${p}.name`, "is required: the connection name used in LIB CONNECT TO");
                    else if (seen.has(d.name)) f.add(`${p}.name`, `duplicate connection name "${d.name}"`);
                    else seen.add(d.name);
                }
                if (
                    !isUnknown(d.datasourceID) &&
                    (typeof d.datasourceID !== "string" || d.datasourceID.trim() === "")
                ) {
                    f.add(`${p}.datasourceID`, "is required, e.g. postgres, mysql, snowflake (sqlite in the emulator)");
                }
                const cp = d.connectionProperties;
                if (!isUnknown(cp) && (!cp || typeof cp !== "object" || Array.isArray(cp))) {
                    f.add(
                        `${p}.connectionProperties`,
                        "must be a map of connection settings (host, port, database, username, password, ...)",
                    );
                }
            });
        }
    }
    return f;
}

/** Marks a value the provider wrote itself when the live object changed in a way Qlik does not show (secrets). */
export const CHANGED_OUTSIDE = "<changed outside Pulumi>";

/**
 * Digest of the staged content's definition: source, templateVersion, load script and connections (secrets as
 * digests). Unknown while any part is unknown (preview of a new dependency), so a preview never claims "unchanged"
 * without proof.
 */
export function contentVersionOf(inputs: Props): string {
    const def = {
        source: inputs.source,
        templateVersion: inputs.templateVersion ?? "",
        loadScript: inputs.loadScript ?? null,
        dataConnections: Array.isArray(inputs.dataConnections)
            ? digestConnections(inputs.dataConnections)
            : (inputs.dataConnections ?? []),
    };
    const text = stableJson(def);
    if (text.includes(UNKNOWN)) return UNKNOWN;
    return `sha256:${crypto.createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}

/**
 * check(): validate without any API call, then add the derived `contentVersion`. Pulumi's preview of an update
 * of a dynamic resource reports the checked inputs as the outputs (the dynamic provider does not implement
 * provider-side previews), so a derived value placed here is KNOWN in previews: dependents see "unchanged"
 * instead of an unknown (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go, Update with Preview).
 */
async function check(_olds: Props, news: Props) {
    const inputs = withoutProviderKey(news);
    delete inputs.contentVersion;
    const f = checkInputs(inputs);
    if (!f.ok) return { failures: f.list };
    return { inputs: { ...inputs, contentVersion: contentVersionOf(inputs) } };
}

// ---------- template export (once per provider process per source and version) ----------

type TemplateCache = Map<string, Promise<Buffer>>;
const g = globalThis as typeof globalThis & { __qlikFleetTemplates?: TemplateCache };
function templateCache(): TemplateCache {
    return (g.__qlikFleetTemplates ??= new Map());
}

function sourceHost(src: SourceSpec): string {
    return src.tenantHost ?? getProviderConfig({ require: ["sourceTenantHost"] }).sourceTenantHost!;
}

interface AppAttrs {
    id: string;
    name: string;
    spaceId?: string;
    lastReloadTime?: string;
    originAppId?: string;
    publishTime?: string;
}

interface Item {
    resourceId: string;
    name: string;
    resourceAttributes: AppAttrs;
}

/** Apps named exactly `name` in a space (items `name` is a case-insensitive search). */
export async function appsNamed(c: HostClient, name: string, spaceId: string): Promise<AppAttrs[]> {
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: `find app "${name}"`,
        query: { resourceType: "app", spaceId, name },
    });
    return items.filter((i) => i.name === name).map((i) => ({ ...i.resourceAttributes, id: i.resourceId }));
}

async function resolveSourceAppId(c: HostClient, src: SourceSpec): Promise<string> {
    if (src.appId) return src.appId;
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: `find template app "${src.appName}"`,
        query: { resourceType: "app", name: src.appName },
    });
    const hits = items.filter((i) => i.name === src.appName);
    if (hits.length !== 1) {
        throw new Error(
            `source.appName: ${hits.length === 0 ? "no" : hits.length} apps named "${src.appName}" on ${c.host}; ` +
                "pass source.appId to pick one",
        );
    }
    return hits[0].resourceId;
}

async function exportTemplate(src: SourceSpec): Promise<Buffer> {
    if (src.exportFile) return fs.promises.readFile(src.exportFile);
    const c = api(sourceHost(src));
    const appId = await resolveSourceAppId(c, src);
    const app = await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${appId}`, { purpose: "read template app" });
    const spaceId = app.attributes.spaceId;
    if (spaceId) {
        // The bot, although TenantAdmin, needs a role in the source space to export (§7); 409 = already assigned.
        const me = await c.get<{ id: string }>("/api/v1/users/me", { purpose: "identify the bot user" });
        await c.send({
            method: "POST",
            path: `/api/v1/spaces/${spaceId}/assignments`,
            body: { type: "user", assigneeId: me.id, roles: ["producer"] },
            expect: [201, 409],
            purpose: "assign the bot to the template's space",
        });
    }
    const res = await c.send({
        method: "POST",
        path: `/api/v1/apps/${appId}/export`,
        expect: [201],
        purpose: `export template app ${appId}`,
    });
    const location = res.headers.location;
    if (!location) throw new Error(`export of template app ${appId} on ${c.host} returned no Location header`);
    return c.download(location, { purpose: `download export of template app ${appId}` });
}

function templateKey(src: SourceSpec, version: string): string {
    return stableJson({
        host: src.exportFile ? undefined : sourceHost(src),
        appId: src.appId,
        appName: src.appName,
        file: src.exportFile,
        version,
    });
}

/** Single-flight: N tenants rolling out the same template version share one export. */
export function templateBytes(src: SourceSpec, version: string): Promise<Buffer> {
    const key = templateKey(src, version);
    const cache = templateCache();
    let p = cache.get(key);
    if (!p) {
        p = exportTemplate(src);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
    }
    return p;
}

// ---------- deploy steps ----------

interface AppFull extends AppAttrs {
    description?: string;
}

async function readApp(c: HostClient, appId: string): Promise<AppFull | undefined> {
    try {
        return (await c.get<{ attributes: AppFull }>(`/api/v1/apps/${appId}`, { purpose: `read app ${appId}` }))
            .attributes;
    } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
    }
}

const me = (inputs: Props, claim: string): Marker => ({ owner: inputs.owner ?? "", claim });

/** Writes this resource's marker into the app's description (keeps the user's part of it). */
async function markApp(c: HostClient, app: AppFull, m: Marker): Promise<void> {
    const cur = parseMarker(app.description).marker;
    if (cur && cur.owner === m.owner && cur.claim === m.claim) return;
    await c.put(
        `/api/v1/apps/${app.id}`,
        { attributes: { description: withMarker(app.description, m) } },
        { purpose: `mark app ${app.id} as managed by ${m.owner}` },
    );
}

async function importApp(
    c: HostClient,
    inputs: Props,
    spaceId: string,
    claim: string,
    excludeId?: string,
    allowed: string[] = [],
): Promise<AppFull> {
    // Crash safety: an app with this name already in the staging space (and not the one being replaced) is adopted,
    // unless another owner manages it (checked before any change).
    const existing = (await appsNamed(c, inputs.name, spaceId)).filter((a) => a.id !== excludeId);
    if (existing.length > 0) {
        const app: AppFull = (await readApp(c, existing[0].id)) ?? existing[0];
        assertMayAdopt(
            "AppCopy",
            `app "${inputs.name}" (${app.id}) on ${c.host}`,
            parseMarker(app.description).marker,
            inputs,
            allowed,
        );
        await markApp(c, app, me(inputs, claim));
        return app;
    }
    const qvf = await templateBytes(inputs.source, inputs.templateVersion ?? "");
    let app: AppFull;
    try {
        app = (
            await c.upload<{ attributes: AppFull }>("/api/v1/apps/import", qvf, {
                query: { spaceId, name: inputs.name },
                purpose: `import app "${inputs.name}"`,
                timeoutMs: 30 * 60_000,
            })
        ).attributes;
    } catch (e) {
        // An import that may have reached the server is not repeated; look for its result instead.
        const after = (await appsNamed(c, inputs.name, spaceId).catch(() => [])).filter((a) => a.id !== excludeId);
        if (after.length === 0 || isStatus(e, 400, 403, 404)) throw e;
        app = (await readApp(c, after[0].id)) ?? { ...after[0] };
    }
    await markApp(c, app, me(inputs, claim));
    return app;
}

/**
 * Adopts or creates the shared staging space and marks it. `owned` is true when this stack made the space: created
 * now, recorded as created earlier, or carrying this owner's marker (made by an earlier instance, e.g. the resource
 * being replaced). Deleting it later is safe for a successor because a space that still holds an app is not
 * deleted (412).
 */
async function ensureStagingSpace(
    c: HostClient,
    inputs: Props,
    claim: string,
    wasOwned = false,
    allowed: string[] = [],
): Promise<{ space: SpaceInfo; owned: boolean }> {
    const { space, created } = await ensureSpace(c, inputs.spaceName, "shared");
    const marker = parseMarker(space.description).marker;
    if (!created)
        assertMayAdopt(
            "AppCopy",
            `staging space "${inputs.spaceName}" (${space.id}) on ${c.host}`,
            marker,
            inputs,
            allowed,
        );
    const owned = created || wasOwned || (!!marker && [inputs.owner ?? "", ...allowed].includes(marker.owner));
    const m = me(inputs, claim);
    if (!marker || marker.owner !== m.owner || (owned && marker.claim !== m.claim)) {
        await c.patch(
            `/api/v1/spaces/${space.id}`,
            [{ op: "replace", path: "/description", value: withMarker(space.description, m) }],
            { purpose: `mark staging space ${space.id} as managed by ${m.owner}` },
        );
    }
    return { space, owned };
}

interface LiveConnection {
    id: string;
    qName: string;
    datasourceID: string;
    connectionProperties?: Record<string, unknown>;
    tags?: string[];
    version?: string;
}

async function listConnections(c: HostClient, spaceId: string): Promise<LiveConnection[]> {
    return c.paginateAll<LiveConnection>("/api/v1/data-connections", {
        purpose: "list data connections",
        query: { spaceId },
    });
}

/** Data connections have no description; the marker is one of their tags (ConnectionCreate.tags, PATCH /tags). */
function connectionMarker(l: LiveConnection): Marker | undefined {
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
async function syncConnections(
    c: HostClient,
    spaceId: string,
    inputs: Props,
    claim: string,
    previouslyCreated: string[],
    removed: string[],
    allowed: string[],
) {
    const wanted: ConnectionSpec[] = inputs.dataConnections ?? [];
    registerConnectionSecrets(wanted);
    const live = await listConnections(c, spaceId);
    const m = me(inputs, claim);
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

interface ReloadInfo {
    id: string;
    status: string;
    errorMessage?: string;
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED", "EXCEEDED_LIMIT"]);

async function reloadApp(c: HostClient, appId: string, timeoutSeconds: number): Promise<ReloadInfo & { log?: string }> {
    const started = await c.post<ReloadInfo>("/api/v1/reloads", { appId }, { purpose: `reload app ${appId}` });
    const deadline = Date.now() + timeoutSeconds * 1000;
    // Reloads of small apps end within seconds: poll often at first (tier 1 allows 1000/min per
    // tenant), then back off for long reloads.
    let wait = 150;
    let r = started;
    while (!TERMINAL.has(r.status)) {
        if (Date.now() > deadline) {
            throw new Error(
                `reload ${r.id} of app ${appId} on ${c.host} still ${r.status} after ${timeoutSeconds} s; raise reloadTimeoutSeconds`,
            );
        }
        await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
        wait = Math.min(wait * 1.25, 3000);
        r = await c.get<ReloadInfo>(`/api/v1/reloads/${r.id}`, { purpose: `poll reload ${started.id}` });
    }
    if (r.status === "SUCCEEDED") return r;
    let log = "";
    try {
        const text = await c.send<Buffer | string>({
            method: "GET",
            path: `/api/v1/apps/${appId}/reloads/logs/${r.id}`,
            responseType: "text",
            purpose: "read reload log",
        });
        log = String(text.body).trim().split("\n").slice(-15).join("\n");
    } catch {
        // the log is a courtesy; the reload's own errorMessage is reported either way
    }
    return { ...r, log };
}

const sha = (text: string): string => crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);

interface ScriptVersion {
    script: string;
    scriptId?: string;
}

async function currentScript(c: HostClient, appId: string): Promise<ScriptVersion> {
    return c.get<ScriptVersion>(`/api/v1/apps/${appId}/scripts/current`, {
        purpose: `read the load script of app ${appId}`,
    });
}

function baseOutputs(inputs: Props): Props {
    const outs: Props = {
        tenantHost: inputs.tenantHost,
        tenantId: inputs.tenantId,
        source: inputs.source,
        name: inputs.name,
        templateVersion: inputs.templateVersion ?? "",
        spaceName: inputs.spaceName,
        dataConnections: digestConnections(inputs.dataConnections),
        loadScript: inputs.loadScript,
        contentVersion: contentVersionOf(inputs),
    };
    // Optional inputs are kept only when declared, so refresh shows no "+reload" default-only noise.
    if (inputs.reload !== undefined) outs.reload = inputs.reload;
    if (inputs.reloadTimeoutSeconds !== undefined) outs.reloadTimeoutSeconds = inputs.reloadTimeoutSeconds;
    return outs;
}

interface Placement {
    app: AppFull;
    spaceId: string;
    spaceOwned: boolean;
    claim: string;
    /** The app was imported (or adopted) by this call: its script is the template's. */
    fresh: boolean;
}

/** Connections, script, name and reload on a staged app; returns the complete outputs or throws initFailed. */
async function configure(
    c: HostClient,
    inputs: Props,
    at: Placement,
    prev: Props | undefined,
    resourceId: string,
    opts: { reload: boolean },
): Promise<Props> {
    const { app, spaceId, claim } = at;
    const wanted: ConnectionSpec[] = inputs.dataConnections ?? [];
    const oldNames: string[] = (prev?.dataConnections ?? []).map((d: ConnectionSpec) => d.name);
    const removed = oldNames.filter((n) => !wanted.some((w) => w.name === n));
    const conns = await syncConnections(
        c,
        spaceId,
        inputs,
        claim,
        prev?.createdConnections ?? [],
        removed,
        prev?.owner ? [prev.owner] : [],
    );

    // The script: the declared one, else the template's (restored from the version recorded at import when it
    // was changed by hand). Written only when the live script differs, so a rename adds no script version.
    const live = await currentScript(c, app.id);
    const templateScriptId: string = at.fresh ? (live.scriptId ?? "") : (prev?.templateScriptId ?? "");
    const templateScriptDigest: string = at.fresh ? sha(live.script) : (prev?.templateScriptDigest ?? "");
    let scriptDigest = sha(live.script);
    let scriptChanged = false;
    if (inputs.loadScript !== undefined) {
        if (scriptDigest !== sha(inputs.loadScript)) {
            await c.post(
                `/api/v1/apps/${app.id}/scripts`,
                { script: inputs.loadScript, versionMessage: "qlik-tenant-fleet AppCopy" },
                { purpose: `set load script of app ${app.id}` },
            );
            scriptDigest = sha(inputs.loadScript);
            scriptChanged = true;
        }
    } else if (templateScriptDigest && scriptDigest !== templateScriptDigest && templateScriptId) {
        const original = await c.get<ScriptVersion>(`/api/v1/apps/${app.id}/scripts/${templateScriptId}`, {
            purpose: `read the template's load script of app ${app.id}`,
        });
        await c.post(
            `/api/v1/apps/${app.id}/scripts`,
            { script: original.script, versionMessage: "qlik-tenant-fleet AppCopy: template script restored" },
            { purpose: `restore the template's load script of app ${app.id}` },
        );
        scriptDigest = templateScriptDigest;
        scriptChanged = true;
    }
    if (app.name !== inputs.name) {
        await c.put(
            `/api/v1/apps/${app.id}`,
            { attributes: { name: inputs.name } },
            { purpose: `rename app ${app.id}` },
        );
    }
    let outs: Props = {
        ...baseOutputs(inputs),
        ...ownershipOutputs(inputs, claim),
        appId: app.id,
        spaceId,
        spaceCreated: at.spaceOwned,
        connectionIds: conns.ids,
        createdConnections: conns.created,
        connectionVersions: conns.versions,
        scriptDigest,
        templateScriptId,
        templateScriptDigest,
        reloadId: prev?.reloadId ?? "",
        reloadStatus: prev?.reloadStatus ?? "",
        lastReloadTime: app.lastReloadTime ?? "",
    };
    if ((opts.reload || scriptChanged) && (inputs.reload ?? true)) {
        const r = await reloadApp(c, app.id, inputs.reloadTimeoutSeconds ?? 900);
        const fresh = await readApp(c, app.id);
        outs = { ...outs, reloadId: r.id, reloadStatus: r.status, lastReloadTime: fresh?.lastReloadTime ?? "" };
        if (r.status !== "SUCCEEDED") {
            const msg =
                `reload ${r.id} of app "${inputs.name}" (${app.id}) on ${c.host} ${r.status}: ${r.errorMessage ?? "no error message"}` +
                (r.log ? `\nlast lines of the reload log:\n${r.log}` : "") +
                "\nFIX: check dataConnections and loadScript; the app is kept, the next `pulumi up` reloads it again";
            throw initFailed(msg, resourceId || app.id, outs);
        }
    }
    return outs;
}

/** Deletes the staged app unless a successor re-marked it with its own claim (replacement safety, item 6). */
async function deleteAppIfOurs(c: HostClient, appId: string, claim: string | undefined): Promise<void> {
    if (!appId) return;
    const app = await readApp(c, appId);
    if (!app || !mayDelete(parseMarker(app.description).marker, claim)) return;
    await c.send({
        method: "DELETE",
        path: `/api/v1/apps/${appId}`,
        expect: [200, 204, 404],
        purpose: `delete app ${appId}`,
    });
}

const SECRET_PLACEHOLDER = (v: unknown) =>
    typeof v === "string" && (v.startsWith(DIGEST_PREFIX) || v === CHANGED_OUTSIDE);

/**
 * A declared connection as it is live: datasourceID and non-secret properties as Qlik returns them; the secret
 * digests kept unless the connection was written since our last write while its visible target stayed the same
 * (then only a secret can have changed, and it is reported as CHANGED_OUTSIDE).
 */
function liveConnection(
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
function describeTarget(spec: ConnectionSpec, keys: string[]): string {
    return keys
        .map((k) =>
            k === "datasourceID"
                ? `datasourceID=${spec.datasourceID}`
                : `${k}=${JSON.stringify(spec.connectionProperties[k] ?? null)}`,
        )
        .join(", ");
}

/** Folds the tenantHost rule (support.ts) into a field diff: "replace" replaces, "readdress" updates in place. */
export function withTenantHost(
    d: { changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean },
    t: "same" | "readdress" | "replace",
) {
    if (t === "replace") return { ...d, changes: true, replaces: [...(d.replaces ?? []), "tenantHost"] };
    if (t === "readdress") return { ...d, changes: true };
    return d;
}

// ---------- handlers ----------

export const handlers: ResourceHandlers = {
    check,

    async diff(_id, olds, news) {
        const defaults = { templateVersion: "", reload: true, reloadTimeoutSeconds: 900 };
        const cmpNews = {
            ...defaults,
            ...news,
            owner: news.owner ?? "",
            dataConnections: isUnknown(news.dataConnections)
                ? news.dataConnections
                : digestConnections(news.dataConnections),
        };
        const cmpOlds = {
            ...defaults,
            ...olds,
            owner: olds.owner ?? "",
            dataConnections: digestConnections(olds.dataConnections),
        };
        // State written before owners existed has no claim: adopting an owner is marking, not a change worth a step.
        if (olds.claim === undefined) cmpOlds.owner = cmpNews.owner;
        const d = withTenantHost(
            diffFields(cmpOlds, cmpNews, UPDATE_KEYS, REPLACE_KEYS),
            await tenantHostDiff(olds, news),
        );
        // The app deleted by hand (read keeps the resource so it keeps its space and connections) or its script
        // changed by hand while the template's script is the wanted one: an update repairs both.
        const scriptDrift =
            news.loadScript === undefined &&
            !!olds.templateScriptDigest &&
            !!olds.scriptDigest &&
            olds.scriptDigest !== olds.templateScriptDigest;
        if (!d.changes && (olds.appId === "" || scriptDrift)) return { ...d, changes: true };
        return d;
    },

    async create(inputs) {
        const c = api(inputs.tenantHost);
        const claim = newClaim();
        const tenantId = await tenantIdOf(inputs.tenantHost);
        const { space, owned } = await ensureStagingSpace(c, inputs, claim);
        const app = await importApp(c, inputs, space.id, claim);
        const outs = await configure(
            c,
            { ...inputs, tenantId },
            { app, spaceId: space.id, spaceOwned: owned, claim, fresh: true },
            undefined,
            app.id,
            { reload: true },
        );
        return { id: app.id, outs };
    },

    async read(id, props) {
        const c = api(props.tenantHost);
        const appId: string = props.appId ?? id;
        const app = appId ? await readApp(c, appId) : undefined;
        let space: SpaceInfo | undefined;
        if (props.spaceId) {
            try {
                space = await c.get<SpaceInfo>(`/api/v1/spaces/${props.spaceId}`, { purpose: "read staging space" });
            } catch (e) {
                if (!isStatus(e, 404)) throw e;
            }
        }
        // Gone with its space: nothing of this resource is left, the next up creates it anew.
        if (!app && !space) return { id: "" };
        const spaceId: string = app?.spaceId ?? props.spaceId ?? "";
        let spaceName: string = props.spaceName;
        if (!space || (app && app.spaceId !== props.spaceId)) spaceName = "";
        else spaceName = space.name;

        const liveConns = spaceId ? await listConnections(c, spaceId) : [];
        const present: ConnectionSpec[] = [];
        for (const d of (props.dataConnections ?? []) as ConnectionSpec[]) {
            const l = liveConns.find((x) => x.qName === d.name);
            if (!l) continue;
            const { spec, retargeted } = liveConnection(d, l, props.connectionVersions?.[d.name]);
            if (retargeted.length) {
                // Called out on its own line: a connection re-pointed elsewhere may read another customer's data. The
                // engine shows a provider's stderr lines in the command's output (pulumi/pulumi
                // sdk/go/common/resource/plugin/plugin.go, runtrace -> Diag.Infoerrf).
                console.error(
                    `warning: AppCopy "${props.name}" on ${props.tenantHost}: data connection "${d.name}" was changed outside Pulumi and ` +
                        `now points elsewhere (${describeTarget(spec, retargeted)}); \`pulumi up\` points it back at the declared target and reloads`,
                );
            }
            present.push(spec);
        }
        const connectionIds = Object.fromEntries(
            present.map((d) => [d.name, liveConns.find((l) => l.qName === d.name)!.id]),
        );

        let reloadStatus = props.reloadStatus ?? "";
        if (props.reloadId && app) {
            try {
                reloadStatus = (
                    await c.get<ReloadInfo>(`/api/v1/reloads/${props.reloadId}`, { purpose: "read last reload" })
                ).status;
            } catch (e) {
                if (!isStatus(e, 404)) throw e;
            }
        }
        const outs: Props = {
            ...props,
            dataConnections: present,
            connectionIds,
            createdConnections: (props.createdConnections ?? []).filter((n: string) => n in connectionIds),
            spaceName,
            spaceId,
            reloadStatus,
        };
        if (!app) {
            // Deleted by hand: the resource stays (it still owns its space and connections) and `up` re-creates the app.
            Object.assign(outs, { appId: "", lastReloadTime: "" });
        } else {
            outs.name = app.name;
            outs.lastReloadTime = app.lastReloadTime ?? "";
            const marker = parseMarker(app.description).marker;
            // Another stack took the app over, or its marker was removed by hand: an `owner` diff (docs/ownership.md).
            if (props.claim !== undefined && (marker?.owner ?? "") !== (props.owner ?? ""))
                outs.owner = marker?.owner ?? "";
            if (props.scriptDigest) {
                const live = await currentScript(c, app.id);
                const digest = sha(live.script);
                if (digest !== props.scriptDigest) {
                    outs.scriptDigest = digest;
                    // A declared script shows its live text in the diff; the template's script shows as scriptDigest.
                    if (props.loadScript !== undefined) outs.loadScript = live.script;
                }
            }
        }
        const inputs: Props = {};
        for (const k of [
            "tenantHost",
            "source",
            "name",
            "templateVersion",
            "spaceName",
            "dataConnections",
            "loadScript",
            "reload",
            "reloadTimeoutSeconds",
            "owner",
            "takeOverFrom",
            "contentVersion",
        ]) {
            if (outs[k] !== undefined) inputs[k] = outs[k];
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        // Another name of the same tenant (alias host <-> system host) is proven before any change.
        const tenantId = await assertSameTenant("AppCopy", olds, news);
        news = { ...news, tenantId };
        const c = api(news.tenantHost);
        const claim = claimOf(olds);
        const oldAppId: string = olds.appId ?? id;
        const allowed: string[] = olds.owner ? [olds.owner] : [];
        const current = oldAppId ? await readApp(c, oldAppId) : undefined;
        // Ownership of every object is checked before the first change (an object another stack took over stays as is).
        if (current)
            assertMayAdopt(
                "AppCopy",
                `app "${current.name}" (${current.id}) on ${c.host}`,
                parseMarker(current.description).marker,
                news,
                allowed,
            );
        // The staging space: re-adopted (and re-created if deleted by hand) under the same ownership record.
        const { space, owned } = await ensureStagingSpace(c, news, claim, olds.spaceCreated ?? false, allowed);
        const redeploy =
            !current ||
            stableJson(olds.source) !== stableJson(news.source) ||
            (olds.templateVersion ?? "") !== (news.templateVersion ?? "");
        if (redeploy) {
            // Template rollout (or the app deleted by hand): a new staged app next to the old one; the old one goes only
            // once the new one is ready.
            const app = await importApp(c, news, space.id, claim, current?.id, allowed);
            let outs: Props;
            try {
                outs = await configure(
                    c,
                    news,
                    { app, spaceId: space.id, spaceOwned: owned, claim, fresh: true },
                    olds,
                    id,
                    { reload: true },
                );
            } catch (e) {
                if (!current) throw e;
                // Keep the old app as the resource's state; the new one is adopted by name on the next attempt.
                throw initFailed(
                    `template rollout to ${news.templateVersion} failed, app ${oldAppId} stays in service: ${(e as Error).message}`,
                    id,
                    olds,
                );
            }
            if (current) await deleteAppIfOurs(c, current.id, claim);
            return { outs };
        }
        await markApp(c, current, me(news, claim));
        const contentChanged =
            stableJson(digestConnections(olds.dataConnections)) !==
                stableJson(digestConnections(news.dataConnections)) ||
            olds.loadScript !== news.loadScript ||
            (news.reload ?? true) !== (olds.reload ?? true) ||
            olds.reloadStatus !== "SUCCEEDED";
        const outs = await configure(
            c,
            news,
            { app: current, spaceId: space.id, spaceOwned: owned, claim, fresh: false },
            olds,
            id,
            { reload: contentChanged },
        );
        return { outs };
    },

    async delete(id, props) {
        const c = api(props.tenantHost);
        const claim: string | undefined = props.claim;
        await deleteAppIfOurs(c, props.appId ?? id, claim);
        const live =
            props.spaceId && (props.createdConnections ?? []).length
                ? await listConnections(c, props.spaceId).catch((e) => {
                      if (isStatus(e, 404)) return [];
                      throw e;
                  })
                : [];
        for (const name of props.createdConnections ?? []) {
            const l = live.find((x) => x.qName === name);
            if (l && mayDelete(connectionMarker(l), claim)) {
                await c.send({
                    method: "DELETE",
                    path: `/api/v1/data-connections/${l.id}`,
                    expect: [204, 404],
                    purpose: `delete data connection "${name}"`,
                });
            }
        }
        if (props.spaceCreated && props.spaceId) {
            let space: SpaceInfo | undefined;
            try {
                space = await c.get<SpaceInfo>(`/api/v1/spaces/${props.spaceId}`, { purpose: "read staging space" });
            } catch (e) {
                if (!isStatus(e, 404)) throw e;
            }
            const marker = parseMarker(space?.description).marker;
            // A space another stack took over stays; so does a non-empty one: other apps (or a successor's) may
            // share the staging space (412 = not empty).
            if (!space || (marker && marker.owner !== (props.owner ?? marker.owner))) return;
            await c.send({
                method: "DELETE",
                path: `/api/v1/spaces/${props.spaceId}`,
                expect: [204, 404, 412],
                purpose: "delete the staging space if empty",
            });
        }
    },
};
