// Tenants API (docs/reference/qlik-cloud-api.md §1). Create/deactivate/reactivate only on the register host.
import { routesFor, tenantRoutes, type Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, noContent } from "../../core/http";
import type { RequestContext } from "../../core/context";
import { tenantsModel } from "./model";

// Create/deactivate/reactivate are register-host calls of the region OAuth client (bearer only).
const register = routesFor({ host: "register", auth: "bearer", api: "tenants" });
const tenant = tenantRoutes("tenants");
const notFound = () => apiError("tenants", 404, "TENANTS-8", "Not found");

/** On a tenant host only that tenant is visible; the register host sees every tenant. */
function visible(ctx: RequestContext, id: string) {
    const t = tenantsModel(ctx.emu).get(id);
    if (!t || t.status === "deleted") throw notFound();
    if (ctx.hostKind === "tenant" && ctx.tenant?.id !== t.id) throw notFound();
    return t;
}

export const routes: Route[] = [
    register(
        "POST",
        "/api/v1/tenants",
        TIER2,
        (ctx) => {
            const t = tenantsModel(ctx.emu).create(
                ctx.body,
                ctx.caller?.userId.startsWith("bot:") ? "" : (ctx.caller?.userId ?? ""),
            );
            return json(201, tenantsModel(ctx.emu).toJson(t, ctx.baseUrl));
        },
        "tenant.create",
    ),
    tenant("GET", "/api/v1/tenants/me", TIER1, (ctx) => ({
        status: 302,
        headers: { location: `${ctx.baseUrl}/api/v1/tenants/${ctx.tenant?.id}` },
    })),
    routesFor({ host: "any", auth: "bearer-or-cookie", api: "tenants" })(
        "GET",
        "/api/v1/tenants/:tenantId",
        TIER1,
        (ctx) => json(200, tenantsModel(ctx.emu).toJson(visible(ctx, ctx.params.tenantId), ctx.baseUrl)),
    ),
    tenant(
        "PATCH",
        "/api/v1/tenants/:tenantId",
        TIER2,
        (ctx) => {
            visible(ctx, ctx.params.tenantId);
            if (!ctx.caller?.roles.includes("TenantAdmin"))
                throw apiError("tenants", 403, "TENANTS-9", "Forbidden", "User missing TenantAdmin role");
            tenantsModel(ctx.emu).patch(ctx.params.tenantId, ctx.body);
            return noContent();
        },
        "tenant.patch",
    ),
    register(
        "POST",
        "/api/v1/tenants/:tenantId/actions/deactivate",
        TIER2,
        (ctx) => {
            const t = tenantsModel(ctx.emu).deactivate(
                ctx.params.tenantId,
                ctx.headers["qlik-confirm-hostname"],
                ctx.body,
            );
            return json(200, { id: t.id, status: t.status, estimatedPurgeDate: t.estimatedPurgeDate });
        },
        "tenant.deactivate",
    ),
    register(
        "POST",
        "/api/v1/tenants/:tenantId/actions/reactivate",
        TIER2,
        (ctx) => {
            const t = tenantsModel(ctx.emu).reactivate(ctx.params.tenantId, ctx.headers["qlik-confirm-hostname"]);
            return json(200, { id: t.id, status: t.status });
        },
        "tenant.reactivate",
    ),
];
