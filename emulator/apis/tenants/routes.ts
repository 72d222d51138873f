// Tenants API (docs/reference/qlik-cloud-api.md §1). Create/deactivate/reactivate only on the register host.
import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent } from "../../core/http";
import type { RequestContext } from "../../core/context";
import { tenantsModel } from "./model";

const notFound = () => apiError("tenants", 404, "TENANTS-8", "Not found");

/** On a tenant host only that tenant is visible; the register host sees every tenant. */
function visible(ctx: RequestContext, id: string) {
    const t = tenantsModel(ctx.emu).get(id);
    if (!t || t.status === "deleted") throw notFound();
    if (ctx.hostKind === "tenant" && ctx.tenant?.id !== t.id) throw notFound();
    return t;
}

export const routes: Route[] = [
    {
        method: "POST",
        path: "/api/v1/tenants",
        host: "register",
        auth: "bearer",
        tier: TIER2,
        api: "tenants",
        op: "tenant.create",
        handler: (ctx) => {
            const t = tenantsModel(ctx.emu).create(
                ctx.body,
                ctx.caller?.userId.startsWith("bot:") ? "" : (ctx.caller?.userId ?? ""),
            );
            return json(201, tenantsModel(ctx.emu).toJson(t, ctx.baseUrl));
        },
    },
    {
        method: "GET",
        path: "/api/v1/tenants/me",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "tenants",
        handler: (ctx) => ({ status: 302, headers: { location: `${ctx.baseUrl}/api/v1/tenants/${ctx.tenant?.id}` } }),
    },
    {
        method: "GET",
        path: "/api/v1/tenants/:tenantId",
        host: "any",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "tenants",
        handler: (ctx) => json(200, tenantsModel(ctx.emu).toJson(visible(ctx, ctx.params.tenantId), ctx.baseUrl)),
    },
    {
        method: "PATCH",
        path: "/api/v1/tenants/:tenantId",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER2,
        api: "tenants",
        op: "tenant.patch",
        handler: (ctx) => {
            visible(ctx, ctx.params.tenantId);
            if (!ctx.caller?.roles.includes("TenantAdmin"))
                throw apiError("tenants", 403, "TENANTS-9", "Forbidden", "User missing TenantAdmin role");
            tenantsModel(ctx.emu).patch(ctx.params.tenantId, ctx.body);
            return noContent();
        },
    },
    {
        method: "POST",
        path: "/api/v1/tenants/:tenantId/actions/deactivate",
        host: "register",
        auth: "bearer",
        tier: TIER2,
        api: "tenants",
        op: "tenant.deactivate",
        handler: (ctx) => {
            const t = tenantsModel(ctx.emu).deactivate(
                ctx.params.tenantId,
                ctx.headers["qlik-confirm-hostname"],
                ctx.body,
            );
            return json(200, { id: t.id, status: t.status, estimatedPurgeDate: t.estimatedPurgeDate });
        },
    },
    {
        method: "POST",
        path: "/api/v1/tenants/:tenantId/actions/reactivate",
        host: "register",
        auth: "bearer",
        tier: TIER2,
        api: "tenants",
        op: "tenant.reactivate",
        handler: (ctx) => {
            const t = tenantsModel(ctx.emu).reactivate(ctx.params.tenantId, ctx.headers["qlik-confirm-hostname"]);
            return json(200, { id: t.id, status: t.status });
        },
    },
];
