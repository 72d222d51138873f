import { tenantRoutes, type Route } from "../../core/router";
import { TIER1 } from "../../core/limits";
import { json, tenantOf } from "../../core/http";
import { listReply } from "../../core/listing";
import { byIdRoutes } from "../../core/byId";
import type { RequestContext } from "../../core/context";
import { rolesModel, type Role } from "./model";

const r = tenantRoutes("roles");
const toJson = (ctx: RequestContext, role: Role) => ({
    ...role,
    links: { self: { href: `${ctx.baseUrl}/api/v1/roles/${role.id}` } },
});

export const routes: Route[] = [
    r("GET", "/api/v1/roles", TIER1, (ctx) =>
        json(
            200,
            listReply(
                ctx,
                rolesModel(ctx.emu)
                    .list(tenantOf(ctx).id)
                    .map((role) => toJson(ctx, role)),
                { api: "roles", code: "ROLES-400", defaultLimit: 20 },
            ),
        ),
    ),
    ...byIdRoutes(r, "/api/v1/roles/:id", { api: "roles", notFound: "ROLES-404", model: rolesModel, view: toJson }),
];
