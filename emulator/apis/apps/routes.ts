// HTTP surface of the apps API (docs/reference/qlik-cloud-api.md §7); rules live in model.ts.
import type { RequestContext } from "../../core/context";
import { apiError } from "../../core/errors";
import { json } from "../../core/http";
import { TIER1, TIER2 } from "../../core/limits";
import { tenantRoutes, type Route } from "../../core/router";
import { tempContentsModel } from "../temp-contents/model";
import { appsModel } from "./model";
import type { AppDocument } from "./appDocument";
import { appScriptsModel } from "./scripts";
import { appTransferModel } from "./transfer";
import { appPublishingModel } from "./publishing";
import { validateScript } from "../../engine/script/validate";
import { boolQuery, optionalObject, who } from "./routeUtil";

const API = "apps" as const;

const r = tenantRoutes(API, { bodyLimit: 200 * 1024 * 1024 });

function app(ctx: RequestContext, id: string) {
    const { tenantId, actor } = who(ctx, API);
    const m = appsModel(ctx.emu);
    return { m, tenantId, actor, doc: m.read(tenantId, actor, id) };
}

/** `{script: string}` (the Script schema; the spec allows any media type, JSON is what clients send). */
function scriptBody(ctx: RequestContext): string {
    let b = ctx.body;
    if (Buffer.isBuffer(b)) {
        try {
            b = JSON.parse(b.toString("utf8"));
        } catch {
            b = undefined;
        }
    }
    const script = b && typeof b === "object" && !Array.isArray(b) ? (b as { script?: unknown }).script : undefined;
    if (typeof script !== "string")
        throw apiError(API, 400, "AppsBadRequest", "Bad request", 'Body must be {"script": "<load script>"}.');
    return script;
}

type AppsModel = ReturnType<typeof appsModel>;
type Actor = ReturnType<typeof who>["actor"];

/** Create, update, copy, publish, move and owner changes all answer 200 with the app as the caller sees it. */
const answerApp =
    (change: (ctx: RequestContext, m: AppsModel, tenantId: string, actor: Actor) => AppDocument): Route["handler"] =>
    (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = appsModel(ctx.emu);
        return json(200, m.view(actor, change(ctx, m, tenantId, actor)));
    };

/** NxPatch[] ({Op, Path, Value}); the spec says only /versionMessage of a script version can be patched. */
function nxPatches(ctx: RequestContext): { op: "add" | "remove" | "replace"; value: string }[] {
    const b = ctx.body;
    if (!Array.isArray(b))
        throw apiError(
            API,
            400,
            "AppsBadRequest",
            "Bad request",
            "Body must be an array of NxPatch {Op, Path, Value}.",
        );
    return b.map((p: unknown) => {
        const o =
            p && typeof p === "object" && !Array.isArray(p)
                ? (p as { Op?: unknown; Path?: unknown; Value?: unknown })
                : undefined;
        if (!o || (o.Op !== "add" && o.Op !== "remove" && o.Op !== "replace") || o.Path !== "/versionMessage") {
            throw apiError(
                API,
                400,
                "AppsBadRequest",
                "Bad request",
                "Only add, remove and replace of /versionMessage are supported.",
            );
        }
        if (o.Op !== "remove" && typeof o.Value !== "string") {
            throw apiError(
                API,
                400,
                "AppsBadRequest",
                "Bad request",
                'Value must be a string (a JSON-encoded value, e.g. "\\"v2\\"").',
            );
        }
        // NxPatch.Value is JSON text ("\"New title\""); a bare string is taken as is.
        let value = "";
        if (typeof o.Value === "string") {
            try {
                const v: unknown = JSON.parse(o.Value);
                value = typeof v === "string" ? v : o.Value;
            } catch {
                value = o.Value;
            }
        }
        return { op: o.Op, value };
    });
}

export const routes: Route[] = [
    r(
        "POST",
        "/api/v1/apps",
        TIER2,
        answerApp((ctx, m, t, actor) => m.create(t, actor, optionalObject(ctx, API))),
    ),
    r("GET", "/api/v1/apps/:appId", TIER1, (ctx) => {
        const { m, actor, doc } = app(ctx, ctx.params.appId);
        return json(200, m.view(actor, doc));
    }),
    r(
        "PUT",
        "/api/v1/apps/:appId",
        TIER2,
        answerApp((ctx, m, t, actor) => m.update(t, actor, ctx.params.appId, optionalObject(ctx, API))),
    ),
    r("DELETE", "/api/v1/apps/:appId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        appsModel(ctx.emu).delete(tenantId, actor, ctx.params.appId);
        return { status: 200 };
    }),
    r(
        "POST",
        "/api/v1/apps/:appId/copy",
        TIER2,
        answerApp((ctx, m, t, actor) => m.copy(t, actor, ctx.params.appId, optionalObject(ctx, API))),
    ),
    r(
        "POST",
        "/api/v1/apps/:appId/export",
        TIER2,
        (ctx) => {
            const { tenantId, actor } = who(ctx, API);
            const m = appsModel(ctx.emu);
            const bytes = appTransferModel(ctx.emu).exportApp(
                tenantId,
                actor,
                ctx.params.appId,
                boolQuery(ctx, "NoData") === true,
            );
            const name = `${m.read(tenantId, actor, ctx.params.appId).attributes.name}.qvf`;
            const tc = tempContentsModel(ctx.emu).create(tenantId, actor.userId, bytes, name);
            return { status: 201, headers: { location: `/api/v1/temp-contents/${tc.id}` } };
        },
        "app.export",
    ),
    r(
        "POST",
        "/api/v1/apps/import",
        TIER2,
        (ctx) => {
            const { tenantId, actor } = who(ctx, API);
            const fileId = ctx.query.get("fileId");
            let bytes: Buffer;
            if (fileId) {
                const tc = tempContentsModel(ctx.emu);
                try {
                    bytes = tc.bytes(tc.get(tenantId, fileId));
                } catch {
                    throw apiError(API, 404, "AppsNotFound", "Not found", `File ${fileId} not found.`);
                }
            } else {
                bytes = ctx.rawBody;
                if (bytes.length === 0)
                    throw apiError(
                        API,
                        400,
                        "AppsBadRequest",
                        "Bad request",
                        "Request body must contain the app file (or pass fileId).",
                    );
            }
            const m = appsModel(ctx.emu);
            const doc = appTransferModel(ctx.emu).importApp(tenantId, actor, bytes, {
                name: ctx.query.get("name") || undefined,
                spaceId: ctx.query.get("spaceId") ?? undefined,
                noData: boolQuery(ctx, "NoData") === true,
            });
            return json(200, m.view(actor, doc));
        },
        "app.import",
    ),
    // POST publishes, PUT republishes a published app (qliksense-apps-api-openapi.yml /apps/{appId}/publish): one handler.
    ...(["publish", "republish"] as const).map((action) =>
        r(
            action === "publish" ? "POST" : "PUT",
            "/api/v1/apps/:appId/publish",
            TIER2,
            answerApp((ctx, _m, t, actor) =>
                appPublishingModel(ctx.emu)[action](t, actor, ctx.params.appId, optionalObject(ctx, API)),
            ),
            "app.publish",
        ),
    ),
    r(
        "PUT",
        "/api/v1/apps/:appId/space",
        TIER2,
        answerApp((ctx, m, t, actor) => m.moveToSpace(t, actor, ctx.params.appId, optionalObject(ctx, API).spaceId)),
    ),
    r(
        "DELETE",
        "/api/v1/apps/:appId/space",
        TIER2,
        answerApp((ctx, m, t, actor) => m.removeFromSpace(t, actor, ctx.params.appId)),
    ),
    r(
        "PUT",
        "/api/v1/apps/:appId/owner",
        TIER2,
        answerApp((ctx, m, t, actor) => m.changeOwner(t, actor, ctx.params.appId, optionalObject(ctx, API).ownerId)),
    ),
    r("GET", "/api/v1/apps/:appId/scripts", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = appsModel(ctx.emu);
        const list = appScriptsModel(ctx.emu).listScripts(tenantId, actor, ctx.params.appId);
        const limit = Math.min(Math.max(Number(ctx.query.get("limit") ?? 50) || 50, 1), 100);
        return json(200, {
            scripts: list.slice(0, limit).map((s) => ({
                scriptId: s.scriptId,
                modifiedTime: s.modifiedTime,
                modifierId: s.modifierId,
                size: s.size,
                versionMessage: s.versionMessage,
            })),
            privileges: m.privileges(actor, m.read(tenantId, actor, ctx.params.appId)),
            links: { self: { href: `${ctx.baseUrl}/api/v1/apps/${ctx.params.appId}/scripts` } },
        });
    }),
    r("POST", "/api/v1/apps/:appId/scripts", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        appScriptsModel(ctx.emu).setScript(tenantId, actor, ctx.params.appId, optionalObject(ctx, API));
        return { status: 200 };
    }),
    r("GET", "/api/v1/apps/:appId/scripts/:id", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const v = appScriptsModel(ctx.emu).getScript(tenantId, actor, ctx.params.appId, ctx.params.id);
        return json(200, {
            script: v.script,
            versionMessage: v.versionMessage,
            scriptId: v.scriptId,
            modifiedTime: v.modifiedTime,
            modifierId: v.modifierId,
            size: v.size,
        });
    }),
    r("DELETE", "/api/v1/apps/:appId/scripts/:id", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        appScriptsModel(ctx.emu).deleteScript(tenantId, actor, ctx.params.appId, ctx.params.id);
        return { status: 200 };
    }),
    // The caller's tenant-wide app privileges (UserPrivileges enum, qliksense-apps-api-openapi.yml). Every user
    // of the emulator has a professional-style entitlement: create, import and session apps.
    r("GET", "/api/v1/apps/privileges", TIER1, (ctx) => {
        who(ctx, API);
        return json(200, ["can_create_app", "can_import_app", "can_create_session_app"]);
    }),
    r("POST", "/api/v1/apps/validatescript", TIER2, (ctx) => {
        who(ctx, API);
        const body = scriptBody(ctx);
        return json(200, validateScript(body));
    }),
    r("PATCH", "/api/v1/apps/:appId/scripts/:id", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        appScriptsModel(ctx.emu).patchScript(tenantId, actor, ctx.params.appId, ctx.params.id, nxPatches(ctx));
        return { status: 200 };
    }),
    r("GET", "/api/v1/apps/:appId/reloads/logs", TIER1, (ctx) => {
        const { doc } = app(ctx, ctx.params.appId);
        const data = [...(doc.reloadLogs ?? [])].reverse().map((l) => ({
            reloadId: l.reloadId,
            success: l.success,
            endTime: l.endTime,
            duration: Date.parse(l.endTime) - Date.parse(l.startTime),
            // ScriptLogMeta.links is the `Log` schema: {log: "<url>"}, a plain string (qliksense-apps-api-openapi.yml).
            links: { log: `${ctx.baseUrl}/api/v1/apps/${doc.attributes.id}/reloads/logs/${l.reloadId}` },
        }));
        return json(200, { data });
    }),
    r("GET", "/api/v1/apps/:appId/reloads/logs/:reloadId", TIER1, (ctx) => {
        const { doc } = app(ctx, ctx.params.appId);
        const l = (doc.reloadLogs ?? []).find((x) => x.reloadId === ctx.params.reloadId);
        if (!l) throw apiError(API, 404, "AppsNotFound", "Not found", `Reload log ${ctx.params.reloadId} not found.`);
        return { status: 200, body: l.log, headers: { "content-type": "text/plain; charset=utf-8" } };
    }),
];
