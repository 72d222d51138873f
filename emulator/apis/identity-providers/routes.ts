import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent, requireRole, tenantOf } from "../../core/http";
import { paginate } from "../../core/paging";
import { queryBool } from "../../core/query";
import type { RequestContext } from "../../core/context";
import { identityProvidersModel, type IdentityProvider } from "./model";

const API = "identity-providers" as const;
const admin = (ctx: RequestContext) => requireRole(ctx, API, "TenantAdmin", "IDENTITY-PROVIDERS-403");
function toJson(p: IdentityProvider): Record<string, unknown> {
    const { tenantId: _t, ...rest } = p;
    return rest;
}

export const routes: Route[] = [
    {
        method: "GET",
        path: "/api/v1/identity-providers",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: API,
        handler: (ctx) => {
            admin(ctx);
            let list = identityProvidersModel(ctx.emu).list(tenantOf(ctx).id);
            const active = queryBool(ctx.query, "active");
            if (active !== undefined) list = list.filter((p) => p.active === active);
            const page = paginate(ctx, list.map(toJson), { api: API, defaultLimit: 20 });
            return json(200, page);
        },
    },
    {
        method: "POST",
        path: "/api/v1/identity-providers",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: API,
        handler: (ctx) => {
            admin(ctx);
            return json(201, toJson(identityProvidersModel(ctx.emu).create(tenantOf(ctx).id, ctx.body)));
        },
    },
    // IDPsStatus (qliksense-idp-api-openapi.yml): every tenant has Qlik's own interactive IdP (Qlik Account,
    // provider "qlik"), active while no other interactive IdP is; JWT IdPs are non-interactive ("external").
    {
        method: "GET",
        path: "/api/v1/identity-providers/status",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: API,
        handler: (ctx) => {
            const idps = identityProvidersModel(ctx.emu)
                .list(tenantOf(ctx).id)
                .map((p) => ({ active: p.active, provider: p.provider, interactive: p.interactive === true }));
            const interactive = idps.filter((p) => p.interactive && p.active).length;
            const metadata = [{ active: interactive === 0, provider: "qlik", interactive: true }, ...idps];
            return json(200, {
                idps_metadata: metadata,
                active_interactive_idps_count: metadata.filter((p) => p.interactive && p.active).length,
            });
        },
    },
    {
        method: "GET",
        path: "/api/v1/identity-providers/:id",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: API,
        handler: (ctx) => {
            admin(ctx);
            const p = identityProvidersModel(ctx.emu).get(tenantOf(ctx).id, ctx.params.id);
            if (!p) throw apiError(API, 404, "IDENTITY-PROVIDERS-404", "Not found");
            return json(200, toJson(p));
        },
    },
    {
        method: "PATCH",
        path: "/api/v1/identity-providers/:id",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: API,
        handler: (ctx) => {
            admin(ctx);
            identityProvidersModel(ctx.emu).patch(tenantOf(ctx).id, ctx.params.id, ctx.body);
            return noContent();
        },
    },
    {
        method: "DELETE",
        path: "/api/v1/identity-providers/:id",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: API,
        handler: (ctx) => {
            admin(ctx);
            identityProvidersModel(ctx.emu).delete(tenantOf(ctx).id, ctx.params.id);
            return noContent();
        },
    },
];
