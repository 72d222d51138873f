// HTTP surface of the reloads API (docs/reference/qlik-cloud-api.md §9). Queue and cancel are the "special" 50/min tier.
import type { RequestContext } from "../../core/context";
import { json, objectBody } from "../../core/http";
import { special, TIER1 } from "../../core/limits";
import { paginate } from "../../core/paging";
import { tenantRoutes, type Route } from "../../core/router";
import { scimQuery } from "../../core/listing";
import { boolQuery, who } from "../apps/routeUtil";
import { reloadsModel, type ReloadRecord } from "./model";

const API = "reloads" as const;

const r = tenantRoutes(API);

function view(ctx: RequestContext, rec: ReloadRecord, withLog = true): Record<string, unknown> {
    const { variables: _v, ...rest } = rec;
    const out: Record<string, unknown> = {
        ...rest,
        links: { self: { href: `${ctx.baseUrl}/api/v1/reloads/${rec.id}` } },
    };
    if (!withLog) delete out.log;
    return out;
}

export const routes: Route[] = [
    r("POST", "/api/v1/reloads", special(50), (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(201, view(ctx, reloadsModel(ctx.emu).queue(tenantId, actor, objectBody(ctx, API, "RELOADS-002"))));
    }),
    r("GET", "/api/v1/reloads", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const pred = scimQuery(ctx, API, "RELOADS-002");
        const list = reloadsModel(ctx.emu).list(tenantId, actor, {
            appId: ctx.query.get("appId") ?? undefined,
            partial: boolQuery(ctx, "partial"),
            filter: pred,
        });
        const page = paginate(ctx, list, { api: API, defaultLimit: 10 });
        const withLog = boolQuery(ctx, "log") === true;
        return json(200, { data: page.data.map((x) => view(ctx, x, withLog)), links: page.links });
    }),
    r("GET", "/api/v1/reloads/:reloadId", TIER1, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        return json(200, view(ctx, reloadsModel(ctx.emu).get(tenantId, actor, ctx.params.reloadId)));
    }),
    r("POST", "/api/v1/reloads/:reloadId/actions/cancel", special(50), (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        const rec = reloadsModel(ctx.emu).cancel(tenantId, actor, ctx.params.reloadId);
        return json(202, { status: rec.status });
    }),
];
