import { tenantRoutes, type Route } from "../../core/router";
import { byIdRoutes } from "../../core/byId";
import { TIER1, TIER2 } from "../../core/limits";
import { json, requireRole, tenantOf } from "../../core/http";
import { paginate } from "../../core/paging";
import { queryBool } from "../../core/query";
import type { RequestContext } from "../../core/context";
import { identityProvidersModel, type IdentityProvider } from "./model";

const API = "identity-providers" as const;
const r = tenantRoutes(API);
const admin = (ctx: RequestContext) => requireRole(ctx, API, "TenantAdmin", "IDENTITY-PROVIDERS-403");
function toJson(p: IdentityProvider): Record<string, unknown> {
    const { tenantId: _t, ...rest } = p;
    return rest;
}

export const routes: Route[] = [
    r("GET", "/api/v1/identity-providers", TIER1, (ctx) => {
        admin(ctx);
        let list = identityProvidersModel(ctx.emu).list(tenantOf(ctx).id);
        const active = queryBool(ctx.query, "active");
        if (active !== undefined) list = list.filter((p) => p.active === active);
        const page = paginate(ctx, list.map(toJson), { api: API, defaultLimit: 20 });
        return json(200, page);
    }),
    r("POST", "/api/v1/identity-providers", TIER2, (ctx) => {
        admin(ctx);
        return json(201, toJson(identityProvidersModel(ctx.emu).create(tenantOf(ctx).id, ctx.body)));
    }),
    // IDPsStatus (qliksense-idp-api-openapi.yml): every tenant has Qlik's own interactive IdP (Qlik Account,
    // provider "qlik"), active while no other interactive IdP is; JWT IdPs are non-interactive ("external").
    r("GET", "/api/v1/identity-providers/status", TIER1, (ctx) => {
        const idps = identityProvidersModel(ctx.emu)
            .list(tenantOf(ctx).id)
            .map((p) => ({ active: p.active, provider: p.provider, interactive: p.interactive === true }));
        const interactive = idps.filter((p) => p.interactive && p.active).length;
        const metadata = [{ active: interactive === 0, provider: "qlik", interactive: true }, ...idps];
        return json(200, {
            idps_metadata: metadata,
            active_interactive_idps_count: metadata.filter((p) => p.interactive && p.active).length,
        });
    }),
    ...byIdRoutes(r, "/api/v1/identity-providers/:id", {
        api: API,
        notFound: "IDENTITY-PROVIDERS-404",
        model: identityProvidersModel,
        view: (_ctx, p) => toJson(p),
        admin,
        adminRead: true,
    }),
];
