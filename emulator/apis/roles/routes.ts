import type { Route } from "../../core/router";
import { TIER1 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import type { RequestContext } from "../../core/context";
import { rolesModel, type Role } from "./model";

const toJson = (ctx: RequestContext, r: Role) => ({
    ...r,
    links: { self: { href: `${ctx.baseUrl}/api/v1/roles/${r.id}` } },
});

export const routes: Route[] = [
    {
        method: "GET",
        path: "/api/v1/roles",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "roles",
        handler: (ctx) =>
            json(
                200,
                listReply(
                    ctx,
                    rolesModel(ctx.emu)
                        .list(tenantOf(ctx).id)
                        .map((r) => toJson(ctx, r)),
                    { api: "roles", code: "ROLES-400", defaultLimit: 20 },
                ),
            ),
    },
    {
        method: "GET",
        path: "/api/v1/roles/:id",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "roles",
        handler: (ctx) => {
            const r = rolesModel(ctx.emu).get(tenantOf(ctx).id, ctx.params.id);
            if (!r) throw apiError("roles", 404, "ROLES-404", "Not found");
            return json(200, toJson(ctx, r));
        },
    },
];
