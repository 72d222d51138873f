import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { json, requireRole, tenantOf } from "../../core/http";
import { paginate } from "../../core/paging";
import { filterItems } from "../../core/listing";
import type { RequestContext } from "../../core/context";
import { licensesModel } from "./model";

const API = "licenses" as const;
const admin = (ctx: RequestContext) => requireRole(ctx, API, "TenantAdmin", "LICENSES-403");
const route = (method: Route["method"], path: string, tier: Route["tier"], handler: Route["handler"]): Route =>
  ({ method, path, host: "tenant", auth: "bearer-or-cookie", tier, api: API, handler });

export const routes: Route[] = [
  route("GET", "/api/v1/licenses/overview", TIER1, (ctx) => json(200, licensesModel(ctx.emu).overview(tenantOf(ctx).id))),
  route("GET", "/api/v1/licenses/status", TIER1, (ctx) => json(200, licensesModel(ctx.emu).status())),
  route("GET", "/api/v1/licenses/assignments", TIER1, (ctx) => {
    admin(ctx);
    const items = licensesModel(ctx.emu).state(tenantOf(ctx).id).assignments as unknown as Record<string, unknown>[];
    const filtered = filterItems(items, ctx.query.get("filter") ?? undefined, API, "LICENSES-001");
    return json(200, paginate(ctx, filtered, { api: API, defaultLimit: 20, cursorParams: ["page", "page"] }));
  }),
  route("POST", "/api/v1/licenses/assignments/actions/add", TIER2, (ctx) => {
    admin(ctx); return json(207, { data: licensesModel(ctx.emu).add(tenantOf(ctx).id, ctx.body) });
  }),
  route("POST", "/api/v1/licenses/assignments/actions/update", TIER2, (ctx) => {
    admin(ctx); return json(207, { data: licensesModel(ctx.emu).update(tenantOf(ctx).id, ctx.body) });
  }),
  route("POST", "/api/v1/licenses/assignments/actions/delete", TIER2, (ctx) => {
    admin(ctx); return json(207, { data: licensesModel(ctx.emu).delete(tenantOf(ctx).id, ctx.body) });
  }),
  route("GET", "/api/v1/licenses/settings", TIER1, (ctx) => json(200, licensesModel(ctx.emu).state(tenantOf(ctx).id).settings)),
  route("PUT", "/api/v1/licenses/settings", TIER2, (ctx) => { admin(ctx); return json(200, licensesModel(ctx.emu).putSettings(tenantOf(ctx).id, ctx.body)); }),
];
