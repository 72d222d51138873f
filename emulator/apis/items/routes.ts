// HTTP surface of the items API (docs/reference/qlik-cloud-api.md §7). Only apps have items in the emulator.
import type { RequestContext } from "../../core/context";
import { apiError } from "../../core/errors";
import { json, noContent, objectBody } from "../../core/http";
import { TIER1, TIER2 } from "../../core/limits";
import { paginate } from "../../core/paging";
import { tenantRoutes, type Route } from "../../core/router";
import type { AppDocument } from "../apps/appDocument";
import { appsModel } from "../apps/model";
import { who } from "../apps/routeUtil";
import { itemsModel, type ItemRecord } from "./model";

const API = "items" as const;

const r = tenantRoutes(API);

function view(ctx: RequestContext, item: ItemRecord, app: AppDocument): Record<string, unknown> {
    const { actor } = who(ctx, API);
    return itemsModel(ctx.emu).view(item, app, ctx.baseUrl, appsModel(ctx.emu).privileges(actor, app));
}

/** The item if the caller may read its app (403 otherwise, like the app itself). */
function readable(ctx: RequestContext, id: string): { item: ItemRecord; app: AppDocument } {
    const { tenantId, actor } = who(ctx, API);
    const found = itemsModel(ctx.emu).get(tenantId, id);
    if (!appsModel(ctx.emu).canRead(actor, found.app))
        throw apiError(API, 403, "ITEMS-403", "Forbidden", "Access to the item is denied.");
    return found;
}

export const routes: Route[] = [
    r("GET", "/api/v1/items", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const q = ctx.query;
        const types = (q.get("resourceType") ?? "")
            .split(",")
            .map((t) => t.trim().replace(/\[.*$/, ""))
            .filter(Boolean);
        const ids = [q.get("resourceId"), ...(q.get("resourceIds") ?? "").split(",")].filter((x): x is string => !!x);
        if (ids.length > 100) throw apiError(API, 400, "ITEMS-400", "Bad request", "resourceIds: at most 100 ids.");
        if (ids.length > 0 && types.length === 0)
            throw apiError(API, 400, "ITEMS-400", "Bad request", "resourceId(s) requires resourceType.");
        const spaceId = q.get("spaceId");
        const name = q.get("name")?.toLowerCase();
        const query = q.get("query")?.toLowerCase();
        const ownerId = q.get("ownerId");
        const apps = appsModel(ctx.emu);
        let list = itemsModel(ctx.emu)
            .all(tenantId)
            .filter(
                ({ app }) =>
                    apps.canRead(actor, app) &&
                    (types.length === 0 || types.includes("app")) &&
                    (ids.length === 0 || ids.includes(app.attributes.id)) &&
                    (!spaceId ||
                        (spaceId === "personal" ? !app.attributes.spaceId : app.attributes.spaceId === spaceId)) &&
                    (!name || app.attributes.name.toLowerCase().includes(name)) &&
                    (!query ||
                        app.attributes.name.toLowerCase().includes(query) ||
                        app.attributes.description.toLowerCase().includes(query)) &&
                    (!ownerId || app.attributes.ownerId === ownerId),
            );
        const sort = q.get("sort") ?? "-updatedAt";
        const desc = sort.startsWith("-");
        const key = sort.replace(/^[+-]/, "");
        const pick = (x: { item: ItemRecord; app: AppDocument }): string =>
            key === "name"
                ? x.app.attributes.name.toLowerCase()
                : key === "createdAt"
                  ? x.item.createdAt
                  : x.app.attributes.modifiedDate;
        list = [...list].sort((a, b) => pick(a).localeCompare(pick(b)) * (desc ? -1 : 1));
        const page = paginate(ctx, list, { api: API, defaultLimit: 10 });
        return json(200, { data: page.data.map(({ item, app }) => view(ctx, item, app)), links: page.links });
    }),
    r("GET", "/api/v1/items/:itemId", TIER1, (ctx) => {
        const { item, app } = readable(ctx, ctx.params.itemId);
        return json(200, view(ctx, item, app));
    }),
    r("PUT", "/api/v1/items/:itemId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const { app } = readable(ctx, ctx.params.itemId);
        const b = objectBody(ctx, API, "ITEMS-400");
        const attrs: Record<string, unknown> = {};
        if (b.name !== undefined) attrs.name = b.name;
        if (b.description !== undefined) attrs.description = b.description;
        const updated = appsModel(ctx.emu).update(tenantId, actor, app.attributes.id, { attributes: attrs });
        const { item } = itemsModel(ctx.emu).get(tenantId, ctx.params.itemId);
        return json(200, view(ctx, item, updated));
    }),
    r("DELETE", "/api/v1/items/:itemId", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const { app } = readable(ctx, ctx.params.itemId);
        appsModel(ctx.emu).delete(tenantId, actor, app.attributes.id);
        return noContent();
    }),
    r("GET", "/api/v1/items/:itemId/collections", TIER1, (ctx) => {
        readable(ctx, ctx.params.itemId);
        return json(200, { data: [], links: { self: { href: `${ctx.baseUrl}${ctx.path}` } } });
    }),
    r("GET", "/api/v1/items/:itemId/publisheditems", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const { app } = readable(ctx, ctx.params.itemId);
        const apps = appsModel(ctx.emu);
        const list = itemsModel(ctx.emu)
            .all(tenantId)
            .filter(
                (x) =>
                    x.app.attributes.originAppId === app.attributes.id &&
                    x.app.attributes.publishTime !== "" &&
                    apps.canRead(actor, x.app),
            );
        const page = paginate(ctx, list, { api: API, defaultLimit: 10 });
        return json(200, { data: page.data.map((x) => view(ctx, x.item, x.app)), links: page.links });
    }),
];
