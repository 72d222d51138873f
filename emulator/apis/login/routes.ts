import type { Route } from "../../core/router";

export const routes: Route[] = [];
