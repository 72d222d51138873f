// Groups API (docs/reference/qlik-cloud-api.md §4).
import type { Route } from "../../core/router";
import { special, TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent, objectBody, requireRole, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import type { RequestContext } from "../../core/context";
import { groupsModel, type Group, type GroupSettings } from "./model";

const toJson = (ctx: RequestContext, g: Group) => ({
    ...g,
    links: { self: { href: `${ctx.baseUrl}/api/v1/groups/${g.id}` } },
});
const settingsJson = (ctx: RequestContext, s: GroupSettings) => ({
    ...s,
    links: { self: { href: `${ctx.baseUrl}/api/v1/groups/settings` } },
});
const admin = (ctx: RequestContext) => requireRole(ctx, "groups", "TenantAdmin", "GROUPS-403");
const list = (ctx: RequestContext, filter?: unknown) =>
    listReply(
        ctx,
        groupsModel(ctx.emu)
            .list(tenantOf(ctx).id)
            .map((g) => toJson(ctx, g)),
        { api: "groups", code: "GROUPS-400", filter },
    );

export const routes: Route[] = [
    {
        method: "GET",
        path: "/api/v1/groups",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "groups",
        handler: (ctx) => json(200, list(ctx)),
    },
    {
        method: "POST",
        path: "/api/v1/groups/actions/filter",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: special(200),
        api: "groups",
        handler: (ctx) => {
            const b = ctx.body === undefined ? {} : objectBody(ctx, "groups", "GROUPS-400");
            return json(200, list(ctx, b.filter ?? ""));
        },
    },
    {
        method: "POST",
        path: "/api/v1/groups",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "groups",
        handler: (ctx) => {
            admin(ctx);
            return json(201, toJson(ctx, groupsModel(ctx.emu).create(tenantOf(ctx).id, ctx.body, ctx.caller?.userId)));
        },
    },
    {
        method: "GET",
        path: "/api/v1/groups/settings",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "groups",
        handler: (ctx) => json(200, settingsJson(ctx, groupsModel(ctx.emu).settings(tenantOf(ctx).id))),
    },
    {
        method: "PATCH",
        path: "/api/v1/groups/settings",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "groups",
        handler: (ctx) => {
            admin(ctx);
            groupsModel(ctx.emu).patchSettings(tenantOf(ctx).id, ctx.body);
            return noContent();
        },
    },
    {
        method: "GET",
        path: "/api/v1/groups/:groupId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "groups",
        handler: (ctx) => {
            const g = groupsModel(ctx.emu).get(tenantOf(ctx).id, ctx.params.groupId);
            if (!g) throw apiError("groups", 404, "GROUPS-7", "Not found");
            return json(200, toJson(ctx, g));
        },
    },
    {
        method: "PATCH",
        path: "/api/v1/groups/:groupId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "groups",
        handler: (ctx) => {
            admin(ctx);
            groupsModel(ctx.emu).patch(tenantOf(ctx).id, ctx.params.groupId, ctx.body);
            return noContent();
        },
    },
    {
        method: "DELETE",
        path: "/api/v1/groups/:groupId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "groups",
        handler: (ctx) => {
            admin(ctx);
            groupsModel(ctx.emu).delete(tenantOf(ctx).id, ctx.params.groupId);
            return noContent();
        },
    },
];
