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
import * as fs from "fs";
import { Failures, Props, diffFields, isUnknown, stableJson, typedHandlers, withoutProviderKey } from "./handlers";
import {
    SpaceInfo,
    api,
    initFailed,
    isStatus,
    assertSameTenant,
    tenantHostDiff,
    tenantIdOf,
    withTenantHost,
} from "./support";
import { claimOf, markOf, mayDelete, newClaim, parseMarker } from "./ownership";
import { checkedInputs, replaceKeys, schemaFailures, stateParser } from "../schema/core";
import { appCopySchema } from "../schema/appCopy";
import { ConnectionSpec, contentVersionOf, digestConnections } from "./appCopyContent";
import {
    configure,
    currentScript,
    deleteAppIfOurs,
    ensureStagingSpace,
    importApp,
    markApp,
    readApp,
    assertMayAdoptApp,
    ReloadInfo,
    sha,
} from "./appCopyDeploy";
import { templateBytes } from "./appCopyTemplate";
import { connectionMarker, describeTarget, listConnections, liveConnection } from "./appCopyConnections";
import { AppCopyDeployInputs, AppCopyInputs, AppCopyState, appCopyState } from "./appCopyState";

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
const REPLACE_KEYS = replaceKeys(appCopySchema).filter((k) => k !== "tenantHost");

/** The schema's rules (provider/schema/appCopy.ts), then exactly one source, the export file, unique connection names. */
function checkInputs(news: Props): Failures {
    const f = schemaFailures(appCopySchema, news);
    const src = news.source;
    if (src && typeof src === "object" && !Array.isArray(src) && !isUnknown(src)) {
        const s = src as Record<string, unknown>;
        const kinds = ["appId", "appName", "exportFile"].filter((k) => s[k] !== undefined && s[k] !== "");
        if (kinds.length !== 1) {
            f.add(
                "source",
                `set exactly one of appId, appName or exportFile (got ${kinds.length ? kinds.join(", ") : "none"})`,
            );
        }
        // A local file, so still no API call.
        if (
            typeof s.exportFile === "string" &&
            s.exportFile !== "" &&
            !isUnknown(s.exportFile) &&
            !fs.existsSync(s.exportFile)
        ) {
            f.add(
                "source.exportFile",
                `file ${JSON.stringify(s.exportFile)} does not exist; export the template app from Qlik (.qvf) and pass its path`,
            );
        }
        if (s.exportFile !== undefined && s.tenantHost !== undefined)
            f.add("source.tenantHost", "is only used with appId or appName, not with exportFile");
    }
    const dcs = news.dataConnections;
    if (Array.isArray(dcs)) {
        const seen = new Set<string>();
        dcs.forEach((dc: unknown, i: number) => {
            const name = dc && typeof dc === "object" ? (dc as Record<string, unknown>).name : undefined;
            if (typeof name !== "string" || isUnknown(name) || name.trim() === "") return;
            if (seen.has(name)) f.add(`dataConnections[${i}].name`, `duplicate connection name "${name}"`);
            seen.add(name);
        });
    }
    return f;
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

// ---------- handlers ----------

const parse = { inputs: checkedInputs(appCopySchema), state: stateParser("AppCopy", appCopyState) };

export const handlers = typedHandlers<AppCopyInputs, AppCopyState>(parse, {
    check,

    async diff(_id, olds, news) {
        const defaults = { templateVersion: "", reload: true, reloadTimeoutSeconds: 900 };
        const cmpNews = {
            ...defaults,
            ...news,
            owner: news.owner ?? "",
            dataConnections: isUnknown(news.dataConnections)
                ? news.dataConnections
                : // check() accepted them: a list of connections, or none.
                  digestConnections(news.dataConnections as ConnectionSpec[] | undefined),
        };
        const cmpOlds: Props = {
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
        // The template first (shared by every tenant of the same release, so a cache hit): a source that does not
        // exist fails here, before anything is made in the tenant.
        await templateBytes(inputs.source, inputs.templateVersion ?? "");
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
        const appId = props.appId ?? id;
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
        const spaceId = app?.spaceId ?? props.spaceId ?? "";
        const spaceName = !space || (app && app.spaceId !== props.spaceId) ? "" : space.name;

        const liveConns = spaceId ? await listConnections(c, spaceId) : [];
        const present: ConnectionSpec[] = [];
        for (const d of props.dataConnections ?? []) {
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
        const outs: AppCopyState = {
            ...props,
            dataConnections: present,
            connectionIds,
            createdConnections: (props.createdConnections ?? []).filter((n) => n in connectionIds),
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
        // The state is its own interface (no index signature): its fields are read by name through a Map.
        const byKey = new Map<string, unknown>(Object.entries(outs));
        const inputs: Props = {};
        for (const k of ["tenantHost", "spaceName", ...UPDATE_KEYS, "contentVersion"]) {
            if (byKey.get(k) !== undefined) inputs[k] = byKey.get(k);
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, declared) {
        // Another name of the same tenant (alias host <-> system host) is proven before any change.
        const tenantId = await assertSameTenant("AppCopy", olds, declared);
        const news: AppCopyDeployInputs = { ...declared, tenantId };
        const c = api(news.tenantHost);
        const claim = claimOf(olds);
        const oldAppId = olds.appId ?? id;
        const allowed: string[] = olds.owner ? [olds.owner] : [];
        const current = oldAppId ? await readApp(c, oldAppId) : undefined;
        // Ownership of every object is checked before the first change (an object another stack took over stays as is).
        if (current) assertMayAdoptApp(c, current, news, allowed);
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
            let outs: AppCopyState;
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
                // Keep the old app as the resource's state. The failed new app goes now (its reload log's last lines are
                // in the message): left in place, nothing in the state would own it, a rollback would never touch it,
                // and the next rollout would adopt it by name with the failed release's content still in it.
                if (app.id !== current.id) await deleteAppIfOurs(c, app.id, claim).catch(() => undefined);
                throw initFailed(
                    `template rollout to ${news.templateVersion} failed, app ${oldAppId} stays in service: ${(e as Error).message}`,
                    id,
                    olds,
                );
            }
            if (current) await deleteAppIfOurs(c, current.id, claim);
            return { outs };
        }
        await markApp(c, current, markOf(news, claim));
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
        const claim = props.claim;
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
});
