// The deploy steps of an AppCopy: the staged app (imported or adopted by name, marked), its shared staging space,
// and configure(): connections, load script, name and reload on the staged app (docs/reference/qlik-cloud-api.md
// §12.3, §9).
import * as crypto from "crypto";
import { HostClient } from "../qlik";
import { SpaceInfo, ensureSpace, initFailed, isStatus, sleep } from "./support";
import {
    Marker,
    OwnershipInputs,
    assertMayAdopt,
    markOf,
    mayDelete,
    ownershipOutputs,
    parseMarker,
    withMarker,
} from "./ownership";
import { AppAttrs, appsNamed, templateBytes } from "./appCopyTemplate";
import { ConnectionSpec, contentVersionOf, digestConnections } from "./appCopyContent";
import { syncConnections } from "./appCopyConnections";
import type { AppCopyDeployInputs, AppCopyInputs, AppCopyState } from "./appCopyState";

export interface AppFull extends AppAttrs {
    description?: string;
}

export async function readApp(c: HostClient, appId: string): Promise<AppFull | undefined> {
    try {
        return (await c.get<{ attributes: AppFull }>(`/api/v1/apps/${appId}`, { purpose: `read app ${appId}` }))
            .attributes;
    } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
    }
}

/** Writes this resource's marker into the app's description (keeps the user's part of it). */
/** Refuses to touch an app another stack owns (docs/ownership.md); `allowed` lists owners this resource may take over. */
export function assertMayAdoptApp(c: HostClient, app: AppFull, inputs: OwnershipInputs, allowed: string[]): void {
    assertMayAdopt(
        "AppCopy",
        `app "${app.name}" (${app.id}) on ${c.host}`,
        parseMarker(app.description).marker,
        inputs,
        allowed,
    );
}

export async function markApp(c: HostClient, app: AppFull, m: Marker): Promise<void> {
    const cur = parseMarker(app.description).marker;
    if (cur && cur.owner === m.owner && cur.claim === m.claim) return;
    await c.put(
        `/api/v1/apps/${app.id}`,
        { attributes: { description: withMarker(app.description, m) } },
        { purpose: `mark app ${app.id} as managed by ${m.owner}` },
    );
}

export async function importApp(
    c: HostClient,
    inputs: Pick<AppCopyInputs, "name" | "source" | "templateVersion" | "owner" | "takeOverFrom">,
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
        assertMayAdoptApp(c, app, inputs, allowed);
        await markApp(c, app, markOf(inputs, claim));
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
    await markApp(c, app, markOf(inputs, claim));
    return app;
}

/**
 * Adopts or creates the shared staging space and marks it. `owned` is true when this stack made the space: created
 * now, recorded as created earlier, or carrying this owner's marker (made by an earlier instance, e.g. the resource
 * being replaced). Deleting it later is safe for a successor because a space that still holds an app is not
 * deleted (412).
 */
export async function ensureStagingSpace(
    c: HostClient,
    inputs: Pick<AppCopyInputs, "spaceName" | "owner" | "takeOverFrom">,
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
    const m = markOf(inputs, claim);
    if (!marker || marker.owner !== m.owner || (owned && marker.claim !== m.claim)) {
        await c.patch(
            `/api/v1/spaces/${space.id}`,
            [{ op: "replace", path: "/description", value: withMarker(space.description, m) }],
            { purpose: `mark staging space ${space.id} as managed by ${m.owner}` },
        );
    }
    return { space, owned };
}

export interface ReloadInfo {
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

export const sha = (text: string): string => crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);

export interface ScriptVersion {
    script: string;
    scriptId?: string;
}

export async function currentScript(c: HostClient, appId: string): Promise<ScriptVersion> {
    return c.get<ScriptVersion>(`/api/v1/apps/${appId}/scripts/current`, {
        purpose: `read the load script of app ${appId}`,
    });
}

function baseOutputs(inputs: AppCopyDeployInputs): AppCopyState {
    const outs: AppCopyState = {
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

export interface Placement {
    app: AppFull;
    spaceId: string;
    spaceOwned: boolean;
    claim: string;
    /** The app was imported (or adopted) by this call: its script is the template's. */
    fresh: boolean;
}

/** Connections, script, name and reload on a staged app; returns the complete outputs or throws initFailed. */
export async function configure(
    c: HostClient,
    inputs: AppCopyDeployInputs,
    at: Placement,
    prev: AppCopyState | undefined,
    resourceId: string,
    opts: { reload: boolean },
): Promise<AppCopyState> {
    const { app, spaceId, claim } = at;
    const wanted: ConnectionSpec[] = inputs.dataConnections ?? [];
    const oldNames: string[] = (prev?.dataConnections ?? []).map((d) => d.name);
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
    let outs: AppCopyState = {
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
export async function deleteAppIfOurs(c: HostClient, appId: string, claim: string | undefined): Promise<void> {
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
