import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent, requireRole, tenantOf } from "../../core/http";
import { paginate } from "../../core/paging";
import type { RequestContext } from "../../core/context";
import { identityProvidersModel, type IdentityProvider } from "./model";

const API = "identity-providers" as const;
const admin = (ctx: RequestContext) => requireRole(ctx, API, "TenantAdmin", "IDENTITY-PROVIDERS-403");
function toJson(p: IdentityProvider): Record<string, unknown> {
  const { tenantId: _t, ...rest } = p;
  return rest;
}

export const routes: Route[] = [
  { method: "GET", path: "/api/v1/identity-providers", host: "tenant", auth: "bearer-or-cookie", tier: TIER1, api: API,
    handler: (ctx) => {
      admin(ctx);
      let list = identityProvidersModel(ctx.emu).list(tenantOf(ctx).id);
      const active = ctx.query.get("active");
      if (active === "true" || active === "false") list = list.filter((p) => p.active === (active === "true"));
      const page = paginate(ctx, list.map(toJson), { api: API, defaultLimit: 20 });
      return json(200, page);
    } },
  { method: "POST", path: "/api/v1/identity-providers", host: "tenant", auth: "bearer-or-cookie", tier: TIER2, api: API,
    handler: (ctx) => { admin(ctx); return json(201, toJson(identityProvidersModel(ctx.emu).create(tenantOf(ctx).id, ctx.body))); } },
  { method: "GET", path: "/api/v1/identity-providers/:id", host: "tenant", auth: "bearer-or-cookie", tier: TIER1, api: API,
    handler: (ctx) => {
      admin(ctx);
      const p = identityProvidersModel(ctx.emu).get(tenantOf(ctx).id, ctx.params.id);
      if (!p) throw apiError(API, 404, "IDENTITY-PROVIDERS-404", "Not found");
      return json(200, toJson(p));
    } },
  { method: "PATCH", path: "/api/v1/identity-providers/:id", host: "tenant", auth: "bearer-or-cookie", tier: TIER2, api: API,
    handler: (ctx) => { admin(ctx); identityProvidersModel(ctx.emu).patch(tenantOf(ctx).id, ctx.params.id, ctx.body); return noContent(); } },
  { method: "DELETE", path: "/api/v1/identity-providers/:id", host: "tenant", auth: "bearer-or-cookie", tier: TIER2, api: API,
    handler: (ctx) => { admin(ctx); identityProvidersModel(ctx.emu).delete(tenantOf(ctx).id, ctx.params.id); return noContent(); } },
];
