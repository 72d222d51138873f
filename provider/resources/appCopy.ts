// AppCopy: the ISV's template app deployed into a customer tenant's SHARED staging space, pointed at the
// customer's data (data connections in that space, optional load script) and reloaded.
// Sequence per qlik-cloud-api.md §12.3 (export -> Location -> download -> import into the target shared space),
// plus §8 data connections and §9 reloads. The staged app is what ManagedSpacePublish publishes.
import * as crypto from "crypto";
import * as fs from "fs";
import { Failures, Props, ResourceHandlers, diffFields, isUnknown, stableJson, checkWith } from "./handlers";
import { getProviderConfig } from "../config";
import { HostClient, registerSecret } from "../qlik";
import { SpaceInfo, api, checkHost, checkSpaceName, ensureSpace, initFailed, isStatus, sleep } from "./support";

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
            Object.entries(c.connectionProperties ?? {}).map(([k, v]) =>
                [k, SECRET_KEY.test(k) && typeof v === "string" && !v.startsWith(DIGEST_PREFIX) ? digestOf(v) : v]),
        ),
    }));
}

function registerConnectionSecrets(list: ConnectionSpec[] | undefined): void {
    for (const c of list ?? []) {
        for (const [k, v] of Object.entries(c.connectionProperties ?? {})) if (SECRET_KEY.test(k) && typeof v === "string") registerSecret(v);
    }
}

const UPDATE_KEYS = ["source", "name", "templateVersion", "dataConnections", "loadScript", "reload", "reloadTimeoutSeconds"] as const;
const REPLACE_KEYS = ["tenantHost", "spaceName"] as const;

function checkInputs(news: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", news.tenantHost);
    const src = news.source;
    if (!isUnknown(src)) {
        if (!src || typeof src !== "object" || Array.isArray(src)) {
            f.add("source", "is required: {appId} or {appName} of the template app in the source tenant, or {exportFile: path of a .qvf export}");
        } else {
            const s = src as Record<string, unknown>;
            const kinds = ["appId", "appName", "exportFile"].filter((k) => s[k] !== undefined && s[k] !== "");
            if (kinds.length !== 1) {
                f.add("source", `set exactly one of appId, appName or exportFile (got ${kinds.length ? kinds.join(", ") : "none"})`);
            }
            for (const k of ["appId", "appName", "exportFile"]) {
                if (s[k] !== undefined && !isUnknown(s[k]) && (typeof s[k] !== "string" || (s[k] as string).trim() === "")) {
                    f.add(`source.${k}`, "must be a non-empty string");
                }
            }
            if (typeof s.exportFile === "string" && s.exportFile !== "" && !fs.existsSync(s.exportFile)) {
                f.add("source.exportFile", `file ${JSON.stringify(s.exportFile)} does not exist; export the template app from Qlik (.qvf) and pass its path`);
            }
            if (s.exportFile !== undefined && s.tenantHost !== undefined) f.add("source.tenantHost", "is only used with appId or appName, not with exportFile");
            checkHost(f, "source.tenantHost", s.tenantHost, false);
        }
    }
    if (!isUnknown(news.name) && (typeof news.name !== "string" || news.name.trim() === "" || news.name.length > 256)) {
        f.add("name", "is required: the app name in the target tenant (1-256 characters)");
    }
    if (news.templateVersion !== undefined && !isUnknown(news.templateVersion) && typeof news.templateVersion !== "string") {
        f.add("templateVersion", "must be a string such as \"2024.06.1\"; bump it to roll out a new template release");
    }
    checkSpaceName(f, "spaceName", news.spaceName);
    if (news.loadScript !== undefined && !isUnknown(news.loadScript) && (typeof news.loadScript !== "string" || news.loadScript.trim() === "")) {
        f.add("loadScript", "must be a non-empty load script (omit it to keep the template's script)");
    }
    if (news.reload !== undefined && !isUnknown(news.reload) && typeof news.reload !== "boolean") f.add("reload", "must be true or false");
    const t = news.reloadTimeoutSeconds;
    if (t !== undefined && !isUnknown(t) && (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 86_400)) {
        f.add("reloadTimeoutSeconds", "must be an integer number of seconds between 1 and 86400 (default 900)");
    }
    const dcs = news.dataConnections;
    if (dcs !== undefined && !isUnknown(dcs)) {
        if (!Array.isArray(dcs)) f.add("dataConnections", "must be a list of {name, datasourceID, connectionProperties}");
        else {
            const seen = new Set<string>();
            dcs.forEach((dc: unknown, i: number) => {
                const p = `dataConnections[${i}]`;
                if (isUnknown(dc)) return;
                const d = (dc ?? {}) as Record<string, unknown>;
                if (!isUnknown(d.name)) {
                    if (typeof d.name !== "string" || d.name.trim() === "") f.add(`${p}.name`, "is required: the connection name used in LIB CONNECT TO");
                    else if (seen.has(d.name)) f.add(`${p}.name`, `duplicate connection name "${d.name}"`);
                    else seen.add(d.name);
                }
                if (!isUnknown(d.datasourceID) && (typeof d.datasourceID !== "string" || d.datasourceID.trim() === "")) {
                    f.add(`${p}.datasourceID`, "is required, e.g. postgres, mysql, snowflake (sqlite in the emulator)");
                }
                const cp = d.connectionProperties;
                if (!isUnknown(cp) && (!cp || typeof cp !== "object" || Array.isArray(cp))) {
                    f.add(`${p}.connectionProperties`, "must be a map of connection settings (host, port, database, username, password, ...)");
                }
            });
        }
    }
    return f;
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
    const items = await c.paginateAll<Item>("/api/v1/items", { purpose: `find app "${name}"`, query: { resourceType: "app", spaceId, name } });
    return items.filter((i) => i.name === name).map((i) => ({ ...i.resourceAttributes, id: i.resourceId }));
}

async function resolveSourceAppId(c: HostClient, src: SourceSpec): Promise<string> {
    if (src.appId) return src.appId;
    const items = await c.paginateAll<Item>("/api/v1/items", { purpose: `find template app "${src.appName}"`, query: { resourceType: "app", name: src.appName } });
    const hits = items.filter((i) => i.name === src.appName);
    if (hits.length !== 1) {
        throw new Error(`source.appName: ${hits.length === 0 ? "no" : hits.length} apps named "${src.appName}" on ${c.host}; ` +
            "pass source.appId to pick one");
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
            method: "POST", path: `/api/v1/spaces/${spaceId}/assignments`, body: { type: "user", assigneeId: me.id, roles: ["producer"] },
            expect: [201, 409], purpose: "assign the bot to the template's space",
        });
    }
    const res = await c.send({ method: "POST", path: `/api/v1/apps/${appId}/export`, expect: [201], purpose: `export template app ${appId}` });
    const location = res.headers.location;
    if (!location) throw new Error(`export of template app ${appId} on ${c.host} returned no Location header`);
    return c.download(location, { purpose: `download export of template app ${appId}` });
}

function templateKey(src: SourceSpec, version: string): string {
    return stableJson({ host: src.exportFile ? undefined : sourceHost(src), appId: src.appId, appName: src.appName, file: src.exportFile, version });
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

async function importApp(c: HostClient, inputs: Props, spaceId: string, excludeId?: string): Promise<AppAttrs> {
    // Crash safety: an app with this name already in the staging space (and not the one being replaced) is ours.
    const existing = (await appsNamed(c, inputs.name, spaceId)).filter((a) => a.id !== excludeId);
    if (existing.length > 0) return existing[0];
    const qvf = await templateBytes(inputs.source, inputs.templateVersion ?? "");
    try {
        const app = await c.upload<{ attributes: AppAttrs }>("/api/v1/apps/import", qvf, {
            query: { spaceId, name: inputs.name }, purpose: `import app "${inputs.name}"`, timeoutMs: 30 * 60_000,
        });
        return app.attributes;
    } catch (e) {
        // An import that may have reached the server is not repeated; look for its result instead.
        const after = (await appsNamed(c, inputs.name, spaceId).catch(() => [])).filter((a) => a.id !== excludeId);
        if (after.length > 0 && !isStatus(e, 400, 403, 404)) return after[0];
        throw e;
    }
}

interface LiveConnection {
    id: string;
    qName: string;
    datasourceID: string;
}

async function listConnections(c: HostClient, spaceId: string): Promise<LiveConnection[]> {
    return c.paginateAll<LiveConnection>("/api/v1/data-connections", { purpose: "list data connections", query: { spaceId } });
}

/** Creates or updates each declared connection; returns name -> qID and the names this call created. */
async function syncConnections(c: HostClient, spaceId: string, wanted: ConnectionSpec[], previouslyCreated: string[], removed: string[]) {
    registerConnectionSecrets(wanted);
    const live = await listConnections(c, spaceId);
    const ids: Record<string, string> = {};
    const created = new Set(previouslyCreated);
    for (const dc of wanted) {
        const body = { qName: dc.name, datasourceID: dc.datasourceID, space: spaceId, connectionProperties: dc.connectionProperties };
        const hit = live.find((l) => l.qName === dc.name);
        if (hit) {
            await c.put(`/api/v1/data-connections/${hit.id}`, body, { purpose: `update data connection "${dc.name}"` });
            ids[dc.name] = hit.id;
        } else {
            const made = await c.post<LiveConnection>("/api/v1/data-connections", body, { purpose: `create data connection "${dc.name}"` });
            ids[dc.name] = made.id;
            created.add(dc.name);
        }
    }
    for (const name of removed) {
        const hit = live.find((l) => l.qName === name);
        if (hit && created.has(name)) {
            await c.send({ method: "DELETE", path: `/api/v1/data-connections/${hit.id}`, expect: [204, 404], purpose: `delete data connection "${name}"` });
        }
        created.delete(name);
    }
    return { ids, created: [...created].filter((n) => n in ids).sort() };
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
            throw new Error(`reload ${r.id} of app ${appId} on ${c.host} still ${r.status} after ${timeoutSeconds} s; raise reloadTimeoutSeconds`);
        }
        await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
        wait = Math.min(wait * 1.25, 3000);
        r = await c.get<ReloadInfo>(`/api/v1/reloads/${r.id}`, { purpose: `poll reload ${started.id}` });
    }
    if (r.status === "SUCCEEDED") return r;
    let log = "";
    try {
        const text = await c.send<Buffer | string>({ method: "GET", path: `/api/v1/apps/${appId}/reloads/logs/${r.id}`, responseType: "text", purpose: "read reload log" });
        log = String(text.body).trim().split("\n").slice(-15).join("\n");
    } catch {
        // the log is a courtesy; the reload's own errorMessage is reported either way
    }
    return { ...r, log };
}

function baseOutputs(inputs: Props): Props {
    return {
        tenantHost: inputs.tenantHost,
        source: inputs.source,
        name: inputs.name,
        templateVersion: inputs.templateVersion ?? "",
        spaceName: inputs.spaceName,
        dataConnections: digestConnections(inputs.dataConnections),
        loadScript: inputs.loadScript,
        reload: inputs.reload ?? true,
        reloadTimeoutSeconds: inputs.reloadTimeoutSeconds ?? 900,
    };
}

/** Connections, script, name and reload on a staged app; returns the complete outputs or throws initFailed. */
async function configure(c: HostClient, inputs: Props, app: AppAttrs, spaceId: string, spaceCreated: boolean, prev: Props | undefined, resourceId: string, opts: { reload: boolean }): Promise<Props> {
    const wanted: ConnectionSpec[] = inputs.dataConnections ?? [];
    const oldNames: string[] = (prev?.dataConnections ?? []).map((d: ConnectionSpec) => d.name);
    const removed = oldNames.filter((n) => !wanted.some((w) => w.name === n));
    const conns = await syncConnections(c, spaceId, wanted, prev?.createdConnections ?? [], removed);
    if (inputs.loadScript !== undefined) {
        await c.post(`/api/v1/apps/${app.id}/scripts`, { script: inputs.loadScript, versionMessage: "qlik-tenant-fleet AppCopy" }, { purpose: `set load script of app ${app.id}` });
    }
    if (app.name !== inputs.name) {
        await c.put(`/api/v1/apps/${app.id}`, { attributes: { name: inputs.name } }, { purpose: `rename app ${app.id}` });
    }
    let outs: Props = {
        ...baseOutputs(inputs),
        appId: app.id,
        spaceId,
        spaceCreated,
        connectionIds: conns.ids,
        createdConnections: conns.created,
        reloadId: prev?.reloadId ?? "",
        reloadStatus: prev?.reloadStatus ?? "",
        lastReloadTime: app.lastReloadTime ?? "",
    };
    if (opts.reload && (inputs.reload ?? true)) {
        const r = await reloadApp(c, app.id, inputs.reloadTimeoutSeconds ?? 900);
        const fresh = await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${app.id}`, { purpose: `read app ${app.id}` });
        outs = { ...outs, reloadId: r.id, reloadStatus: r.status, lastReloadTime: fresh.attributes.lastReloadTime ?? "" };
        if (r.status !== "SUCCEEDED") {
            const msg = `reload ${r.id} of app "${inputs.name}" (${app.id}) on ${c.host} ${r.status}: ${r.errorMessage ?? "no error message"}` +
                (r.log ? `\nlast lines of the reload log:\n${r.log}` : "") +
                "\nFIX: check dataConnections and loadScript; the app is kept, the next `pulumi up` reloads it again";
            throw initFailed(msg, resourceId || app.id, outs);
        }
    }
    return outs;
}

async function deleteApp(c: HostClient, appId: string): Promise<void> {
    await c.send({ method: "DELETE", path: `/api/v1/apps/${appId}`, expect: [200, 204, 404], purpose: `delete app ${appId}` });
}

// ---------- handlers ----------

export const handlers: ResourceHandlers = {
    check: checkWith(checkInputs),

    async diff(_id, olds, news) {
        const cmpNews = { templateVersion: "", reload: true, reloadTimeoutSeconds: 900, ...news, dataConnections: isUnknown(news.dataConnections) ? news.dataConnections : digestConnections(news.dataConnections) };
        const cmpOlds = { ...olds, dataConnections: digestConnections(olds.dataConnections) };
        // A create that failed its reload left the resource with reloadStatus FAILED: the next up retries it.
        const d = diffFields(cmpOlds, cmpNews, UPDATE_KEYS, REPLACE_KEYS);
        return d;
    },

    async create(inputs) {
        const c = api(inputs.tenantHost);
        const { space, created } = await ensureSpace(c, inputs.spaceName, "shared");
        const app = await importApp(c, inputs, space.id);
        const outs = await configure(c, inputs, app, space.id, created, undefined, app.id, { reload: true });
        return { id: app.id, outs };
    },

    async read(id, props) {
        const c = api(props.tenantHost);
        const appId: string = props.appId ?? id;
        let app: AppAttrs;
        try {
            app = (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${appId}`, { purpose: `read app ${appId}` })).attributes;
        } catch (e) {
            if (isStatus(e, 404)) return { id: "" };
            throw e;
        }
        let spaceName = props.spaceName;
        if (app.spaceId !== props.spaceId) spaceName = "";
        else {
            try {
                spaceName = (await c.get<SpaceInfo>(`/api/v1/spaces/${app.spaceId}`, { purpose: "read staging space" })).name;
            } catch (e) {
                if (!isStatus(e, 404)) throw e;
                spaceName = "";
            }
        }
        const live = app.spaceId ? await listConnections(c, app.spaceId) : [];
        const present = (props.dataConnections ?? []).filter((d: ConnectionSpec) => live.some((l) => l.qName === d.name));
        const connectionIds = Object.fromEntries(present.map((d: ConnectionSpec) => [d.name, live.find((l) => l.qName === d.name)!.id]));
        let reloadStatus = props.reloadStatus ?? "";
        if (props.reloadId) {
            try {
                reloadStatus = (await c.get<ReloadInfo>(`/api/v1/reloads/${props.reloadId}`, { purpose: "read last reload" })).status;
            } catch (e) {
                if (!isStatus(e, 404)) throw e;
            }
        }
        const outs: Props = {
            ...props,
            name: app.name,
            spaceName,
            spaceId: app.spaceId ?? "",
            dataConnections: present,
            connectionIds,
            createdConnections: (props.createdConnections ?? []).filter((n: string) => n in connectionIds),
            reloadStatus,
            lastReloadTime: app.lastReloadTime ?? "",
        };
        const inputs: Props = {};
        for (const k of ["tenantHost", "source", "name", "templateVersion", "spaceName", "dataConnections", "loadScript", "reload", "reloadTimeoutSeconds"]) {
            if (outs[k] !== undefined) inputs[k] = outs[k];
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        const c = api(news.tenantHost);
        const oldAppId: string = olds.appId ?? id;
        const redeploy = stableJson(olds.source) !== stableJson(news.source) || (olds.templateVersion ?? "") !== (news.templateVersion ?? "");
        if (redeploy) {
            // Template rollout: a new staged app next to the old one; the old one goes only once the new one is ready.
            const app = await importApp(c, news, olds.spaceId, oldAppId);
            let outs: Props;
            try {
                outs = await configure(c, news, app, olds.spaceId, olds.spaceCreated ?? false, olds, id, { reload: true });
            } catch (e) {
                // Keep the old app as the resource's state; the new one is adopted by name on the next attempt.
                throw initFailed(`template rollout to ${news.templateVersion} failed, app ${oldAppId} stays in service: ${(e as Error).message}`, id, olds);
            }
            await deleteApp(c, oldAppId);
            return { outs };
        }
        const app = (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${oldAppId}`, { purpose: `read app ${oldAppId}` })).attributes;
        const contentChanged = stableJson(digestConnections(olds.dataConnections)) !== stableJson(digestConnections(news.dataConnections)) ||
            olds.loadScript !== news.loadScript || (news.reload ?? true) !== (olds.reload ?? true) || olds.reloadStatus !== "SUCCEEDED";
        const outs = await configure(c, news, app, olds.spaceId, olds.spaceCreated ?? false, olds, id, { reload: contentChanged });
        return { outs };
    },

    async delete(id, props) {
        const c = api(props.tenantHost);
        await deleteApp(c, props.appId ?? id);
        for (const name of props.createdConnections ?? []) {
            const cid = props.connectionIds?.[name];
            if (cid) await c.send({ method: "DELETE", path: `/api/v1/data-connections/${cid}`, expect: [204, 404], purpose: `delete data connection "${name}"` });
        }
        if (props.spaceCreated && props.spaceId) {
            // Only an empty space goes; other apps may share the staging space (412 = not empty, keep it).
            await c.send({ method: "DELETE", path: `/api/v1/spaces/${props.spaceId}`, expect: [204, 404, 412], purpose: "delete the staging space if empty" });
        }
    },
};
