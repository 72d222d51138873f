// HTTP surface of data connections (docs/reference/qlik-cloud-api.md §8). Responses never carry secrets (model.view redacts).
import type { RequestContext } from "../../core/context";
import { apiError, statusOf } from "../../core/errors";
import { json, noContent, objectBody } from "../../core/http";
import { TIER1, TIER2 } from "../../core/limits";
import { paginate } from "../../core/paging";
import { tenantRoutes, type Route } from "../../core/router";
import { scimQuery } from "../../core/listing";
import { boolQuery, who } from "../apps/routeUtil";
import { dataConnectionsModel, type BulkOutcome } from "./model";

/** A BulkResponse item (data-connections spec): 204, or the status and error of that one connection. */
function bulkItem({ id, error }: BulkOutcome) {
    if (!error) return { id, status: 204 };
    const status = statusOf(error);
    return {
        id,
        status,
        error: { code: error.code, title: error.title, ...(error.detail ? { detail: error.detail } : {}), status },
    };
}

const API = "data-connections" as const;

const r = tenantRoutes(API);

/**
 * `?type=connectionname&spaceId=` turns the path id into a connection name. `type` accepts only `connectionname`
 * (qlik.dev changelog 157 removed `credentialname` for PATCH), so anything else is a 400, not an id lookup.
 */
function byName(ctx: RequestContext): { spaceId: string } | undefined {
    const type = ctx.query.get("type");
    if (type === null) return undefined;
    if (type !== "connectionname")
        throw apiError(API, 400, "DCAAS-400", "Bad request", "Query parameter type only accepts connectionname.");
    return { spaceId: ctx.query.get("spaceId") ?? "" };
}

export const routes: Route[] = [
    r("POST", "/api/v1/data-connections", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = dataConnectionsModel(ctx.emu);
        return json(
            201,
            m.view(m.create(tenantId, actor, objectBody(ctx, API, "DCAAS-400")), ctx.baseUrl, { created: true }),
        );
    }),
    r("POST", "/api/v1/data-connections/actions/delete", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(207, {
            data: dataConnectionsModel(ctx.emu)
                .bulkDelete(tenantId, actor, objectBody(ctx, API, "DCAAS-400"))
                .map(bulkItem),
        });
    }),
    r("POST", "/api/v1/data-connections/actions/update", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(207, {
            data: dataConnectionsModel(ctx.emu)
                .bulkUpdate(tenantId, actor, objectBody(ctx, API, "DCAAS-400"))
                .map(bulkItem),
        });
    }),
    r("POST", "/api/v1/data-connections/actions/duplicate", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = dataConnectionsModel(ctx.emu);
        return json(
            201,
            m.view(m.duplicate(tenantId, actor, objectBody(ctx, API, "DCAAS-400")), ctx.baseUrl, { created: true }),
        );
    }),
    r("GET", "/api/v1/data-connections", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = dataConnectionsModel(ctx.emu);
        const p = scimQuery(ctx, API, "DCAAS-400");
        const nameFilter = p && ((n: string) => p({ qName: n, name: n }));
        const list = m.list(tenantId, actor, {
            spaceId: ctx.query.get("spaceId") ?? undefined,
            personal: boolQuery(ctx, "personal"),
            ownedByMe: boolQuery(ctx, "ownedByMe"),
            nameFilter,
            sort: ctx.query.get("sort") ?? undefined,
        });
        const page = paginate(ctx, list, { api: API, defaultLimit: 20, cursorParams: ["page", "page"] });
        return json(200, {
            data: page.data.map((c) => m.view(c, ctx.baseUrl)),
            links: page.links,
            meta: { count: list.length },
        });
    }),
    r("GET", "/api/v1/data-connections/:qID", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const m = dataConnectionsModel(ctx.emu);
        return json(200, m.view(m.get(tenantId, actor, ctx.params.qID, byName(ctx)), ctx.baseUrl));
    }),
    // PATCH answers 204 with no body (PatchRequest in qliksense-data-connections-api-openapi.yml; qlik.dev changelog 157).
    r("PATCH", "/api/v1/data-connections/:qID", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        dataConnectionsModel(ctx.emu).patch(tenantId, actor, ctx.params.qID, ctx.body, byName(ctx));
        return noContent();
    }),
    r("PUT", "/api/v1/data-connections/:qID", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        dataConnectionsModel(ctx.emu).replace(
            tenantId,
            actor,
            ctx.params.qID,
            objectBody(ctx, API, "DCAAS-400"),
            byName(ctx),
        );
        return noContent();
    }),
    r("DELETE", "/api/v1/data-connections/:qID", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        dataConnectionsModel(ctx.emu).delete(tenantId, actor, ctx.params.qID, byName(ctx));
        return noContent();
    }),
];
