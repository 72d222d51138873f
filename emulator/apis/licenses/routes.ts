import { tenantRoutes, type Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { json, requireRole, tenantOf } from "../../core/http";
import { apiError } from "../../core/errors";
import { paginate } from "../../core/paging";
import { filterItems } from "../../core/listing";
import type { RequestContext } from "../../core/context";
import { licensesModel } from "./model";

const API = "licenses" as const;
const admin = (ctx: RequestContext) => requireRole(ctx, API, "TenantAdmin", "LICENSES-403");
const route = tenantRoutes(API);

export const routes: Route[] = [
    route("GET", "/api/v1/licenses/overview", TIER1, (ctx) =>
        json(200, licensesModel(ctx.emu).overview(tenantOf(ctx).id)),
    ),
    route("GET", "/api/v1/licenses/status", TIER1, (ctx) => json(200, licensesModel(ctx.emu).status())),
    route("GET", "/api/v1/licenses/assignments", TIER1, (ctx) => {
        admin(ctx);
        const items = licensesModel(ctx.emu).state(tenantOf(ctx).id).assignments as unknown as Record<
            string,
            unknown
        >[];
        const filtered = filterItems(items, ctx.query.get("filter") ?? undefined, API, "LICENSES-001");
        return json(200, paginate(ctx, filtered, { api: API, defaultLimit: 20, cursorParams: ["page", "page"] }));
    }),
    route("POST", "/api/v1/licenses/assignments/actions/add", TIER2, (ctx) => {
        admin(ctx);
        return json(207, { data: licensesModel(ctx.emu).add(tenantOf(ctx).id, ctx.body) });
    }),
    route("POST", "/api/v1/licenses/assignments/actions/update", TIER2, (ctx) => {
        admin(ctx);
        return json(207, { data: licensesModel(ctx.emu).update(tenantOf(ctx).id, ctx.body) });
    }),
    route("POST", "/api/v1/licenses/assignments/actions/delete", TIER2, (ctx) => {
        admin(ctx);
        return json(207, { data: licensesModel(ctx.emu).delete(tenantOf(ctx).id, ctx.body) });
    }),
    // Analyzer-capacity consumption events (consumptionEventsResponse). The emulator's licences are user-based
    // (professional/analyzer assignments), which consume no capacity minutes, so the list is empty; filter
    // (SCIM on endTime), sort, limit (1..200) and the page cursor are still validated as Qlik does.
    route("GET", "/api/v1/licenses/consumption", TIER1, (ctx) => {
        admin(ctx);
        const events = filterItems(
            [] as Record<string, unknown>[],
            ctx.query.get("filter") ?? undefined,
            API,
            "LICENSES-001",
        );
        const sort = ctx.query.get("sort");
        if (sort !== null && !/^[+-]?endTime$/.test(sort)) {
            throw apiError(API, 400, "LICENSES-001", "Bad request", "sort must be endTime, +endTime or -endTime.");
        }
        const page = paginate(ctx, events, {
            api: API,
            defaultLimit: 200,
            maxLimit: 200,
            cursorParams: ["page", "page"],
        });
        return json(200, { data: page.data, links: page.links });
    }),
    route("GET", "/api/v1/licenses/settings", TIER1, (ctx) =>
        json(200, licensesModel(ctx.emu).state(tenantOf(ctx).id).settings),
    ),
    route("PUT", "/api/v1/licenses/settings", TIER2, (ctx) => {
        admin(ctx);
        return json(200, licensesModel(ctx.emu).putSettings(tenantOf(ctx).id, ctx.body));
    }),
];
