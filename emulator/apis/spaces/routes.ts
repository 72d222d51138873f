// HTTP surface of the spaces API (docs/reference/qlik-cloud-api.md §6); rules live in model.ts.
import type { RequestContext } from "../../core/context";
import { apiError } from "../../core/errors";
import { json, noContent, objectBody } from "../../core/http";
import { TIER1, TIER2 } from "../../core/limits";
import { paginate } from "../../core/paging";
import { tenantRoutes, type Route } from "../../core/router";
import { who } from "../apps/routeUtil";
import { type Actor, ASSIGNABLE_ROLES, type AssignmentRecord, spacesModel, type SpaceRecord } from "./model";

const API = "spaces" as const;

function spaceView(ctx: RequestContext, actor: Actor, s: SpaceRecord): Record<string, unknown> {
    const m = spacesModel(ctx.emu);
    const self = `${ctx.baseUrl}/api/v1/spaces/${s.id}`;
    return {
        id: s.id,
        name: s.name,
        type: s.type,
        description: s.description,
        ownerId: s.ownerId,
        tenantId: s.tenantId,
        createdAt: s.createdAt,
        createdBy: s.createdBy,
        updatedAt: s.updatedAt,
        meta: {
            actions: m.actionsOf(actor, s),
            roles: m.rolesOf(actor, s),
            assignableRoles: [...ASSIGNABLE_ROLES[s.type]],
        },
        links: { self: { href: self }, assignments: { href: `${self}/assignments` } },
    };
}

function assignmentView(ctx: RequestContext, a: AssignmentRecord): Record<string, unknown> {
    return {
        id: a.id,
        type: a.type,
        assigneeId: a.assigneeId,
        roles: a.roles,
        spaceId: a.spaceId,
        tenantId: a.tenantId,
        createdAt: a.createdAt,
        createdBy: a.createdBy,
        updatedAt: a.updatedAt,
        updatedBy: a.updatedBy,
        links: {
            self: { href: `${ctx.baseUrl}/api/v1/spaces/${a.spaceId}/assignments/${a.id}` },
            space: { href: `${ctx.baseUrl}/api/v1/spaces/${a.spaceId}` },
        },
    };
}

/** JSON Patch [{op:"replace", path:"/name"|"/ownerId"|"/description", value}]. */
function patchToUpdate(body: unknown): Record<string, unknown> {
    if (!Array.isArray(body)) throw apiError(API, 400, "BadRequest", "Bad request", "Body must be a JSON Patch array.");
    const out: Record<string, unknown> = {};
    for (const op of body as unknown[]) {
        // An item that is not an object (null, a number) is a malformed patch, never a server error.
        if (!op || typeof op !== "object" || Array.isArray(op)) {
            throw apiError(
                API,
                400,
                "BadRequest",
                "Bad request",
                "Each JSON Patch item must be an object {op, path, value}.",
            );
        }
        const { op: verb, path, value } = op as { op?: unknown; path?: unknown; value?: unknown };
        const field = typeof path === "string" ? path.replace(/^\//, "") : "";
        if (verb !== "replace" || !["name", "ownerId", "description"].includes(field)) {
            throw apiError(
                API,
                400,
                "BadRequest",
                "Bad request",
                "Only replace of /name, /ownerId and /description is supported.",
            );
        }
        out[field] = value;
    }
    return out;
}

const r = tenantRoutes(API);

export const routes: Route[] = [
    r("POST", "/api/v1/spaces", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(
            201,
            spaceView(ctx, actor, spacesModel(ctx.emu).create(tenantId, actor, objectBody(ctx, API, "BadRequest"))),
        );
    }),
    r("GET", "/api/v1/spaces", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const type = ctx.query.get("type");
        let list = spacesModel(ctx.emu).list(tenantId, actor, {
            name: ctx.query.get("name") ?? undefined,
            ownerId: ctx.query.get("ownerId") ?? undefined,
            types: type
                ? type
                      .split(",")
                      .map((t) => t.trim())
                      .filter(Boolean)
                : undefined,
        });
        const sort = ctx.query.get("sort");
        if (sort) {
            const desc = sort.startsWith("-");
            const key = sort.replace(/^[+-]/, "") as keyof SpaceRecord;
            list = [...list].sort((a, b) => String(a[key] ?? "").localeCompare(String(b[key] ?? "")) * (desc ? -1 : 1));
        }
        // The spaces spec gives `limit` no maximum (qliksense-spaces-api-openapi.yml, GET /spaces), so none is enforced.
        const page = paginate(ctx, list, { api: API, defaultLimit: 10, maxLimit: Infinity });
        return json(200, {
            data: page.data.map((s) => spaceView(ctx, actor, s)),
            links: page.links,
            meta: { count: list.length },
        });
    }),
    // The space types this tenant offers (SpaceTypes, qliksense-spaces-api-openapi.yml; its example lists the same three).
    r("GET", "/api/v1/spaces/types", TIER1, (ctx) => {
        who(ctx, API);
        return json(200, { data: ["shared", "managed", "data"] });
    }),
    r("GET", "/api/v1/spaces/:spaceId", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(200, spaceView(ctx, actor, spacesModel(ctx.emu).get(tenantId, actor, ctx.params.spaceId)));
    }),
    r("PATCH", "/api/v1/spaces/:spaceId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const s = spacesModel(ctx.emu).update(tenantId, actor, ctx.params.spaceId, patchToUpdate(ctx.body));
        return json(200, spaceView(ctx, actor, s));
    }),
    r("PUT", "/api/v1/spaces/:spaceId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const b = objectBody(ctx, API, "BadRequest");
        const s = spacesModel(ctx.emu).update(tenantId, actor, ctx.params.spaceId, {
            name: b.name,
            description: b.description,
            ownerId: b.ownerId,
        });
        return json(200, spaceView(ctx, actor, s));
    }),
    r("DELETE", "/api/v1/spaces/:spaceId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        spacesModel(ctx.emu).delete(tenantId, actor, ctx.params.spaceId);
        return noContent();
    }),
    r("GET", "/api/v1/spaces/:spaceId/assignments", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const list = spacesModel(ctx.emu).listAssignments(tenantId, actor, ctx.params.spaceId, {
            assigneeId: ctx.query.get("assigneeId") ?? undefined,
            type: ctx.query.get("type") ?? undefined,
        });
        const page = paginate(ctx, list, { api: API, defaultLimit: 10 });
        return json(200, {
            data: page.data.map((a) => assignmentView(ctx, a)),
            links: page.links,
            meta: { count: list.length },
        });
    }),
    r("POST", "/api/v1/spaces/:spaceId/assignments", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const a = spacesModel(ctx.emu).createAssignment(
            tenantId,
            actor,
            ctx.params.spaceId,
            objectBody(ctx, API, "BadRequest"),
        );
        return json(201, assignmentView(ctx, a));
    }),
    r("GET", "/api/v1/spaces/:spaceId/assignments/:assignmentId", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(
            200,
            assignmentView(
                ctx,
                spacesModel(ctx.emu).getAssignment(tenantId, actor, ctx.params.spaceId, ctx.params.assignmentId),
            ),
        );
    }),
    r("PUT", "/api/v1/spaces/:spaceId/assignments/:assignmentId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const b = objectBody(ctx, API, "BadRequest");
        const a = spacesModel(ctx.emu).replaceAssignmentRoles(
            tenantId,
            actor,
            ctx.params.spaceId,
            ctx.params.assignmentId,
            b.roles,
        );
        return json(200, assignmentView(ctx, a));
    }),
    r("DELETE", "/api/v1/spaces/:spaceId/assignments/:assignmentId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        spacesModel(ctx.emu).deleteAssignment(tenantId, actor, ctx.params.spaceId, ctx.params.assignmentId);
        return noContent();
    }),
];
