// Places the template app in the ISV's SOURCE tenant through the public API, as an ISV developer would:
// shared space "Templates" for the app, shared space "Staging" with the sample "CustomerDB" connection
// (the script reads 'Staging:CustomerDB', the same name every customer tenant gets), the app, its script
// (REST), its sheets (engine) and a reload. Idempotent: everything is found by name first and only
// what differs is written, so a second run makes no changes and returns the same version.
import * as crypto from "crypto";
import type { EmulatorInfo } from "../../emulator/index";
import { QlikClient, type HostClient } from "../../provider/qlik";
import { getProviderConfig } from "../../provider/config";
import { emulatorProviderEnv } from "../lib/emulatorSettings";
import { CONNECTION_NAME, CONNECTION_SPACE, LOAD_SCRIPT } from "./loadScript";
import { TEMPLATE_OBJECTS, type GenericObjectDef } from "./sheets";
import { openQixDoc } from "./qix";

export const TEMPLATE_APP_NAME = "Customer Sales Analytics";
export const TEMPLATE_SPACE = "Templates";

export interface TemplateOptions {
    info: EmulatorInfo;
    /** SQLite file the template's own connection reads (the sample database). */
    sampleDb: string;
    /** Replace the default script (tests and the template-change example). */
    script?: string;
    objects?: GenericObjectDef[];
    /**
     * Name of the app in the source tenant (default TEMPLATE_APP_NAME): a plan's extra template (forecast.ts), or
     * one app per template release, so that a rollback can copy the previous release again (docs/plans.md).
     */
    appName?: string;
    log?: (msg: string) => void;
}

export interface PlacedTemplate {
    appId: string;
    spaceId: string;
    connectionId: string;
    /** Hash of script + objects: changes exactly when the template's content changes. */
    version: string;
    /** What this run wrote (empty on an unchanged second run). */
    changes: string[];
    reloadStatus?: string;
}

export function templateVersion(script: string, objects: GenericObjectDef[]): string {
    return crypto.createHash("sha256").update(script).update(JSON.stringify(objects)).digest("hex").slice(0, 12);
}

/** A REST client for the emulator described by emulator.json, with the region OAuth client. */
export function clientFor(info: EmulatorInfo): QlikClient {
    const cfg = getProviderConfig({ env: emulatorProviderEnv(info) });
    return new QlikClient({ getConfig: () => cfg });
}

interface Space {
    id: string;
    name: string;
    type: string;
}

async function ensureSpace(api: HostClient, name: string, changes: string[]): Promise<Space> {
    // The name filter is a fuzzy "contains": match exactly afterwards.
    const found = (
        await api.paginateAll<Space>("/api/v1/spaces", {
            query: { name, type: "shared", limit: 100 },
            purpose: `find space ${name}`,
        })
    ).find((s) => s.name === name);
    if (found) return found;
    changes.push(`space ${name}`);
    return api.post<Space>(
        "/api/v1/spaces",
        { name, type: "shared", description: "qlik-tenant-fleet template" },
        { expect: [201], purpose: `create space ${name}` },
    );
}

interface Connection {
    id: string;
    qName: string;
    space?: string;
    connectionProperties?: Record<string, unknown>;
    qConnectStatement?: string;
}

async function ensureConnection(
    api: HostClient,
    spaceId: string,
    database: string,
    changes: string[],
): Promise<string> {
    const list = await api.paginateAll<Connection>("/api/v1/data-connections", {
        query: { spaceId, limit: 100 },
        purpose: "list template connections",
    });
    const found = list.find((c) => c.qName === CONNECTION_NAME);
    if (found) {
        // The statement carries the non-secret properties; rewrite only when the file moved.
        if (!(found.qConnectStatement ?? "").includes(`database=${database};`)) {
            changes.push(`connection ${CONNECTION_NAME} (database path)`);
            // Connection properties change with PATCH (https://qlik.dev/changelog/157-api-updates-data-connections);
            // PUT's ConnectionUpdate has no connectionProperties. `add` sets the key whether or not it exists (RFC 6902).
            const op = found.connectionProperties && "database" in found.connectionProperties ? "replace" : "add";
            await api.patch(
                `/api/v1/data-connections/${found.id}`,
                [{ op, path: "/connectionProperties/database", value: database }],
                { expect: [204], purpose: "update template connection" },
            );
        }
        return found.id;
    }
    changes.push(`connection ${CONNECTION_SPACE}:${CONNECTION_NAME}`);
    const created = await api.post<Connection>(
        "/api/v1/data-connections",
        {
            qName: CONNECTION_NAME,
            datasourceID: "sqlite",
            space: spaceId,
            connectionProperties: { database },
        },
        { expect: [201], purpose: "create template connection" },
    );
    return created.id;
}

interface Item {
    resourceId: string;
    name: string;
    spaceId?: string;
}

async function ensureApp(
    api: HostClient,
    spaceId: string,
    name: string,
    changes: string[],
): Promise<{ appId: string; lastReloadTime?: string }> {
    const items = await api.paginateAll<Item>("/api/v1/items", {
        query: { resourceType: "app", spaceId, name, limit: 100 },
        purpose: `find the template app ${name}`,
    });
    const item = items.find((i) => i.name === name);
    if (item) {
        const app = await api.get<{ attributes: { id: string; lastReloadTime?: string } }>(
            `/api/v1/apps/${item.resourceId}`,
            { purpose: "read the template app" },
        );
        return { appId: app.attributes.id, lastReloadTime: app.attributes.lastReloadTime };
    }
    changes.push(`app ${name}`);
    const app = await api.post<{ attributes: { id: string } }>(
        "/api/v1/apps",
        {
            attributes: {
                name,
                description: "Template published to every customer tenant",
                spaceId,
            },
        },
        { expect: [200, 201], purpose: "create the template app" },
    );
    return { appId: app.attributes.id };
}

async function ensureScript(
    api: HostClient,
    appId: string,
    script: string,
    version: string,
    changes: string[],
): Promise<boolean> {
    let current = "";
    try {
        current = (
            await api.get<{ script: string }>(`/api/v1/apps/${appId}/scripts/current`, {
                purpose: "read the template script",
            })
        ).script;
    } catch (e) {
        if ((e as { status?: number }).status !== 404) throw e;
    }
    if (current === script) return false;
    changes.push("script");
    await api.post(
        `/api/v1/apps/${appId}/scripts`,
        { script, versionMessage: `template ${version}` },
        { purpose: "set the template script" },
    );
    return true;
}

/** Properties compared without the engine's own additions. */
function sameProps(live: Record<string, unknown>, want: GenericObjectDef): boolean {
    const pick = (o: Record<string, unknown>) =>
        JSON.stringify(
            Object.keys(want)
                .sort()
                .map((k) => [k, o[k]]),
        );
    return pick(live) === pick(want as Record<string, unknown>);
}

async function ensureObjects(
    info: EmulatorInfo,
    bearer: string,
    appId: string,
    objects: GenericObjectDef[],
    changes: string[],
): Promise<void> {
    const { doc, close } = await openQixDoc({
        origin: info.httpUrl,
        host: info.sourceTenant.hostname,
        appId,
        auth: { bearer },
    });
    try {
        const infos = (await doc.getAllInfos()) as { qId: string; qType: string }[];
        const existing = new Set(infos.map((i) => i.qId));
        for (const def of objects) {
            if (!existing.has(def.qInfo.qId)) {
                await doc.createObject(def);
                changes.push(`${def.qInfo.qType} ${def.qInfo.qId}`);
                continue;
            }
            const obj = await doc.getObject(def.qInfo.qId);
            const live = (await obj.getProperties()) as Record<string, unknown>;
            if (!sameProps(live, def)) {
                await obj.setProperties(def);
                changes.push(`${def.qInfo.qType} ${def.qInfo.qId} (updated)`);
            }
        }
        if (changes.length) await doc.doSave();
    } finally {
        await close();
    }
}

interface Reload {
    id: string;
    status: string;
    errorMessage?: string;
    log?: string;
}

async function reload(api: HostClient, appId: string, timeoutMs = 120_000): Promise<Reload> {
    let r = await api.post<Reload>("/api/v1/reloads", { appId }, { expect: [201], purpose: "reload the template" });
    const deadline = Date.now() + timeoutMs;
    while (["QUEUED", "RELOADING", "CANCELING"].includes(r.status)) {
        if (Date.now() > deadline) throw new Error(`template reload ${r.id} still ${r.status} after ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 250));
        r = await api.get<Reload>(`/api/v1/reloads/${r.id}`, { purpose: "poll the template reload" });
    }
    return r;
}

export async function placeTemplate(opts: TemplateOptions): Promise<PlacedTemplate> {
    const log = opts.log ?? (() => undefined);
    const script = opts.script ?? LOAD_SCRIPT;
    const objects = opts.objects ?? TEMPLATE_OBJECTS;
    const version = templateVersion(script, objects);
    const api = clientFor(opts.info).forHost(opts.info.sourceTenant.hostname);
    const changes: string[] = [];

    const space = await ensureSpace(api, TEMPLATE_SPACE, changes);
    const staging = await ensureSpace(api, CONNECTION_SPACE, changes);
    const connectionId = await ensureConnection(api, staging.id, opts.sampleDb, changes);
    const appName = opts.appName ?? TEMPLATE_APP_NAME;
    const app = await ensureApp(api, space.id, appName, changes);
    log(`template app "${appName}" ${app.appId} in space ${TEMPLATE_SPACE}`);
    const scriptChanged = await ensureScript(api, app.appId, script, version, changes);
    await ensureObjects(opts.info, await api.bearer(), app.appId, objects, changes);

    let reloadStatus: string | undefined;
    if (scriptChanged || !app.lastReloadTime) {
        log("reloading the template from the sample database");
        const r = await reload(api, app.appId);
        reloadStatus = r.status;
        if (r.status !== "SUCCEEDED")
            throw new Error(`template reload ${r.id} ended ${r.status}: ${r.errorMessage ?? r.log ?? ""}`);
        changes.push("reload");
    }
    return { appId: app.appId, spaceId: space.id, connectionId, version, changes, reloadStatus };
}
