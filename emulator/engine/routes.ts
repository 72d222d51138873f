// The QIX engine's WebSocket endpoint as a route: `wss://<tenant>/app/<appId>` (qlik.dev apis/json-rpc;
// docs/reference/qlik-cloud-api.md §10). It runs through the same pipeline as REST (faults, auth, rate
// limits, request log); the handler accepts the upgrade and hands the socket to the engine session.
import type { Route } from "../core/router";
import { TIER1 } from "../core/limits";
import { handleEngineConnection } from "./index";

export const upgradeRoutes: Route[] = [
    {
        method: "GET",
        path: "/app/:appId",
        host: "tenant",
        auth: "bearer-or-cookie",
        // No x-qlik-tier is documented for the websocket; tier 1 is the rate-limiting page's default for reads.
        tier: TIER1,
        api: "default",
        handler: (ctx) => {
            const tenant = ctx.tenant;
            const caller = ctx.caller;
            if (!tenant || !caller) throw new Error("the pipeline resolved no tenant or caller for an engine upgrade");
            const query = ctx.query.toString();
            const url = new URL(`wss://${ctx.host}${ctx.path}${query ? `?${query}` : ""}`);
            return {
                status: 101,
                upgrade: (ws) =>
                    handleEngineConnection(ws, {
                        emu: ctx.emu,
                        tenant,
                        caller,
                        appId: ctx.params.appId,
                        url,
                        headers: ctx.headers,
                    }),
            };
        },
    },
];
