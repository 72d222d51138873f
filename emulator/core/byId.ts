// GET / PATCH / DELETE of one tenant-directory record by its path id (groups, users, roles, identity-providers):
// the same lookup, 404 and TenantAdmin-then-204 rules in every one of those APIs (docs/reference/qlik-cloud-api.md §4-§5).
import type { Emulator, RequestContext } from "./context";
import { apiError, type ApiName } from "./errors";
import { json, noContent, tenantOf } from "./http";
import { TIER1, TIER2 } from "./limits";
import type { Route, RouteBuilder } from "./router";

export interface ByIdModel<T> {
    get(tenantId: string, id: string): T | undefined;
    patch?(tenantId: string, id: string, body: unknown): unknown;
    delete?(tenantId: string, id: string): unknown;
}

export interface ByIdOptions<T> {
    api: ApiName;
    /** The API's documented code for an unknown id (title "Not found"). */
    notFound: string;
    model: (emu: Emulator) => ByIdModel<T>;
    view: (ctx: RequestContext, record: T) => unknown;
    /** Role check of PATCH and DELETE; without it the resource is read-only (roles). */
    admin?: (ctx: RequestContext) => void;
    /** Reading one record needs the role too (identity providers: every operation is TenantAdmin only). */
    adminRead?: boolean;
}

/** The GET (and with `admin`, PATCH and DELETE, each answering 204) routes of `path`, whose last segment is the id. */
export function byIdRoutes<T>(r: RouteBuilder, path: string, o: ByIdOptions<T>): Route[] {
    const param = path.slice(path.lastIndexOf(":") + 1);
    const routes = [
        r("GET", path, TIER1, (ctx) => {
            if (o.adminRead) o.admin?.(ctx);
            const found = o.model(ctx.emu).get(tenantOf(ctx).id, ctx.params[param]);
            if (!found) throw apiError(o.api, 404, o.notFound, "Not found");
            return json(200, o.view(ctx, found));
        }),
    ];
    const admin = o.admin;
    if (!admin) return routes;
    const change =
        (act: (m: ByIdModel<T>, tenantId: string, id: string, body: unknown) => unknown): Route["handler"] =>
        (ctx) => {
            admin(ctx);
            act(o.model(ctx.emu), tenantOf(ctx).id, ctx.params[param], ctx.body);
            return noContent();
        };
    return [
        ...routes,
        r(
            "PATCH",
            path,
            TIER2,
            change((m, t, id, body) => m.patch?.(t, id, body)),
        ),
        r(
            "DELETE",
            path,
            TIER2,
            change((m, t, id) => m.delete?.(t, id)),
        ),
    ];
}
