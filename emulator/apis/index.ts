// The one list of every API area's routes. To add an area: import its routes.ts here and append it.
import type { Route } from "../core/router";
import { routes as admin } from "./admin/routes";
import { routes as oauth } from "./oauth/routes";
import { routes as tenants } from "./tenants/routes";
import { routes as identityProviders } from "./identity-providers/routes";
import { routes as licenses } from "./licenses/routes";
import { routes as login } from "./login/routes";
import { routes as users } from "./users/routes";
import { routes as roles } from "./roles/routes";
import { routes as groups } from "./groups/routes";
import { routes as spaces } from "./spaces/routes";
import { routes as apps } from "./apps/routes";
import { routes as items } from "./items/routes";
import { routes as tempContents } from "./temp-contents/routes";
import { routes as dataConnections } from "./data-connections/routes";
import { routes as reloads } from "./reloads/routes";

export const allRoutes: Route[] = [
    ...admin,
    ...oauth,
    ...tenants,
    ...identityProviders,
    ...licenses,
    ...login,
    ...users,
    ...roles,
    ...groups,
    ...spaces,
    ...apps,
    ...items,
    ...tempContents,
    ...dataConnections,
    ...reloads,
];
