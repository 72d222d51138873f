// Users API (docs/reference/qlik-cloud-api.md §5).
import { tenantRoutes, type Route } from "../../core/router";
import { special, TIER1, TIER2 } from "../../core/limits";
import { json, objectBody, requireRole, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import { byIdRoutes } from "../../core/byId";
import type { RequestContext } from "../../core/context";
import { usersModel, type User } from "./model";

const r = tenantRoutes("users");
const admin = (ctx: RequestContext) => requireRole(ctx, "users", "TenantAdmin", "USERS-403");
const view = (ctx: RequestContext, u: User) => usersModel(ctx.emu).toJson(u, ctx.baseUrl);
const all = (ctx: RequestContext) =>
    usersModel(ctx.emu)
        .list(tenantOf(ctx).id)
        .map((u) => view(ctx, u));

export const routes: Route[] = [
    r("GET", "/api/v1/users/me", TIER1, (ctx) => ({
        status: 301,
        headers: { location: `${ctx.baseUrl}/api/v1/users/${ctx.caller?.userId}` },
    })),
    r("GET", "/api/v1/users/actions/count", TIER1, (ctx) =>
        json(200, { total: usersModel(ctx.emu).list(tenantOf(ctx).id).length }),
    ),
    r("POST", "/api/v1/users/actions/filter", special(200), (ctx) => {
        const b = ctx.body === undefined ? {} : objectBody(ctx, "users", "USERS-400");
        return json(200, listReply(ctx, all(ctx), { api: "users", code: "USERS-400", filter: b.filter ?? "" }));
    }),
    r("GET", "/api/v1/users", TIER1, (ctx) => json(200, listReply(ctx, all(ctx), { api: "users", code: "USERS-400" }))),
    {
        ...r("POST", "/api/v1/users", TIER2, (ctx) => {
            admin(ctx);
            return json(201, view(ctx, usersModel(ctx.emu).create(tenantOf(ctx).id, ctx.body)));
        }),
        bodyLimit: 500 * 1024,
    },
    ...byIdRoutes(r, "/api/v1/users/:userId", { api: "users", notFound: "USERS-7", model: usersModel, view, admin }),
];
