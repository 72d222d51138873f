// Helpers shared by the content areas' routes (spaces, apps, items, temp-contents, data-connections, reloads).
import type { Caller, RequestContext } from "../../core/context";
import { apiError, type ApiName } from "../../core/errors";
import { tenantOf } from "../../core/http";
import { queryBool } from "../../core/query";

export interface Who {
    tenantId: string;
    actor: Caller;
}

export function who(ctx: RequestContext, api: ApiName): Who {
    const tenant = tenantOf(ctx);
    if (!ctx.caller) throw apiError(api, 401, "HTTP-401", "Unauthorized");
    return { tenantId: tenant.id, actor: ctx.caller };
}

/** Optional boolean query parameter ("true"/"false", case-insensitive). */
export function boolQuery(ctx: RequestContext, name: string): boolean | undefined {
    return queryBool(ctx.query, name);
}

/** JSON body that may be absent (treated as {}). */
export function optionalObject(ctx: RequestContext, api: ApiName): Record<string, unknown> {
    const b = ctx.body;
    if (b === undefined || b === null) return {};
    if (typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) {
        throw apiError(api, 400, "HTTP-400", "Bad request", "Request body must be a JSON object");
    }
    return b as Record<string, unknown>;
}
