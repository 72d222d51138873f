// List endpoints with SCIM filter + cursor paging + optional totalResults (users, groups, roles).
import type { RequestContext } from "./context";
import { apiError, type ApiName } from "./errors";
import { paginate } from "./paging";
import { parseScim, ScimError } from "./scim";

export function filterItems<T extends Record<string, unknown>>(
    items: T[],
    filter: unknown,
    api: ApiName,
    code: string,
): T[] {
    if (filter === undefined || filter === null || filter === "") return items;
    if (typeof filter !== "string") throw apiError(api, 400, code, "Bad request", "filter must be a string");
    try {
        const p = parseScim(filter);
        return items.filter((i) => p(i));
    } catch (e) {
        if (e instanceof ScimError) throw apiError(api, 400, code, "Invalid filter", e.message);
        throw e;
    }
}

function sortItems<T extends Record<string, unknown>>(
    items: T[],
    sort: string | null,
    api: ApiName,
    code: string,
): T[] {
    if (!sort) return items;
    const desc = sort.startsWith("-");
    const key = sort.replace(/^[+-]/, "");
    if (!/^[A-Za-z]+$/.test(key)) throw apiError(api, 400, code, "Bad request", "Invalid sort");
    return [...items].sort((a, b) => {
        const x = String(a[key] ?? ""),
            y = String(b[key] ?? "");
        return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
    });
}

export function listReply<T extends Record<string, unknown>>(
    ctx: RequestContext,
    items: T[],
    o: {
        api: ApiName;
        code: string;
        filter?: unknown;
        defaultLimit?: number;
    },
): Record<string, unknown> {
    const filtered = sortItems(
        filterItems(items, o.filter ?? ctx.query.get("filter"), o.api, o.code),
        ctx.query.get("sort"),
        o.api,
        o.code,
    );
    const page = paginate(ctx, filtered, { api: o.api, defaultLimit: o.defaultLimit ?? 20 });
    const out: Record<string, unknown> = { data: page.data, links: page.links };
    if (ctx.query.get("totalResults") === "true") out.totalResults = filtered.length;
    return out;
}

/**
 * The `filter` query parameter as a SCIM predicate (undefined when absent or empty), for lists that filter before
 * their own paging (data-connections, reloads); one it cannot parse is a 400 "Invalid filter: ..." with `code`.
 */
export function scimQuery(ctx: RequestContext, api: ApiName, code: string): ((item: object) => boolean) | undefined {
    const filter = ctx.query.get("filter");
    if (!filter) return undefined;
    try {
        const p = parseScim(filter);
        return (item) => p(item as Record<string, unknown>);
    } catch (e) {
        throw apiError(api, 400, code, "Bad request", `Invalid filter: ${e instanceof Error ? e.message : String(e)}`);
    }
}
