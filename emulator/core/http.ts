// Small helpers shared by routes.ts files.
import type { RequestContext, Reply, Tenant } from "./context";
import { apiError, type ApiName } from "./errors";

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
    status,
    body,
    headers,
});
export const noContent = (): Reply => ({ status: 204 });

/** The tenant of a tenant-host request (routes declared host "tenant" always have one). */
export function tenantOf(ctx: RequestContext): Tenant {
    if (!ctx.tenant) throw apiError("default", 404, "HTTP-404", "Not found");
    return ctx.tenant;
}

export function objectBody(ctx: RequestContext, api: ApiName, code = "HTTP-400"): Record<string, unknown> {
    const b = ctx.body;
    if (!b || typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) {
        throw apiError(api, 400, code, "Bad request", "Request body must be a JSON object");
    }
    return b as Record<string, unknown>;
}

export function requireRole(ctx: RequestContext, api: ApiName, role = "TenantAdmin", code = "HTTP-403"): void {
    if (!ctx.caller || !ctx.caller.roles.includes(role)) {
        throw apiError(api, 403, code, "Forbidden", `User missing ${role} role`);
    }
}
