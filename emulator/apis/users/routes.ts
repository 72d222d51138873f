// Users API (docs/reference/qlik-cloud-api.md §5).
import type { Route } from "../../core/router";
import { special, TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent, objectBody, requireRole, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import type { RequestContext } from "../../core/context";
import { usersModel } from "./model";

const admin = (ctx: RequestContext) => requireRole(ctx, "users", "TenantAdmin", "USERS-403");
const all = (ctx: RequestContext) =>
    usersModel(ctx.emu)
        .list(tenantOf(ctx).id)
        .map((u) => usersModel(ctx.emu).toJson(u, ctx.baseUrl));

export const routes: Route[] = [
    {
        method: "GET",
        path: "/api/v1/users/me",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "users",
        handler: (ctx) => ({ status: 301, headers: { location: `${ctx.baseUrl}/api/v1/users/${ctx.caller?.userId}` } }),
    },
    {
        method: "GET",
        path: "/api/v1/users/actions/count",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "users",
        handler: (ctx) => json(200, { total: usersModel(ctx.emu).list(tenantOf(ctx).id).length }),
    },
    {
        method: "POST",
        path: "/api/v1/users/actions/filter",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: special(200),
        api: "users",
        handler: (ctx) => {
            const b = ctx.body === undefined ? {} : objectBody(ctx, "users", "USERS-400");
            return json(200, listReply(ctx, all(ctx), { api: "users", code: "USERS-400", filter: b.filter ?? "" }));
        },
    },
    {
        method: "GET",
        path: "/api/v1/users",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "users",
        handler: (ctx) => json(200, listReply(ctx, all(ctx), { api: "users", code: "USERS-400" })),
    },
    {
        method: "POST",
        path: "/api/v1/users",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "users",
        bodyLimit: 500 * 1024,
        handler: (ctx) => {
            admin(ctx);
            const u = usersModel(ctx.emu).create(tenantOf(ctx).id, ctx.body);
            return json(201, usersModel(ctx.emu).toJson(u, ctx.baseUrl));
        },
    },
    {
        method: "GET",
        path: "/api/v1/users/:userId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "users",
        handler: (ctx) => {
            const u = usersModel(ctx.emu).get(tenantOf(ctx).id, ctx.params.userId);
            if (!u) throw apiError("users", 404, "USERS-7", "Not found");
            return json(200, usersModel(ctx.emu).toJson(u, ctx.baseUrl));
        },
    },
    {
        method: "PATCH",
        path: "/api/v1/users/:userId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "users",
        handler: (ctx) => {
            admin(ctx);
            usersModel(ctx.emu).patch(tenantOf(ctx).id, ctx.params.userId, ctx.body);
            return noContent();
        },
    },
    {
        method: "DELETE",
        path: "/api/v1/users/:userId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "users",
        handler: (ctx) => {
            admin(ctx);
            usersModel(ctx.emu).delete(tenantOf(ctx).id, ctx.params.userId);
            return noContent();
        },
    },
];
