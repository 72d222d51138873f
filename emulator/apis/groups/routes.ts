// Groups API (docs/reference/qlik-cloud-api.md §4).
import { tenantRoutes, type Route } from "../../core/router";
import { special, TIER1, TIER2 } from "../../core/limits";
import { json, noContent, objectBody, requireRole, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import { byIdRoutes } from "../../core/byId";
import type { RequestContext } from "../../core/context";
import { groupsModel, type Group, type GroupSettings } from "./model";

const r = tenantRoutes("groups");
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
    r("GET", "/api/v1/groups", TIER1, (ctx) => json(200, list(ctx))),
    r("POST", "/api/v1/groups/actions/filter", special(200), (ctx) => {
        const b = ctx.body === undefined ? {} : objectBody(ctx, "groups", "GROUPS-400");
        return json(200, list(ctx, b.filter ?? ""));
    }),
    r("POST", "/api/v1/groups", TIER2, (ctx) => {
        admin(ctx);
        return json(201, toJson(ctx, groupsModel(ctx.emu).create(tenantOf(ctx).id, ctx.body, ctx.caller?.userId)));
    }),
    r("GET", "/api/v1/groups/settings", TIER1, (ctx) =>
        json(200, settingsJson(ctx, groupsModel(ctx.emu).settings(tenantOf(ctx).id))),
    ),
    r("PATCH", "/api/v1/groups/settings", TIER2, (ctx) => {
        admin(ctx);
        groupsModel(ctx.emu).patchSettings(tenantOf(ctx).id, ctx.body);
        return noContent();
    }),
    ...byIdRoutes(r, "/api/v1/groups/:groupId", {
        api: "groups",
        notFound: "GROUPS-7",
        model: groupsModel,
        view: toJson,
        admin,
    }),
];
