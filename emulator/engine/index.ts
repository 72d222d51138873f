/**
 * QIX engine entry: server.ts calls handleEngineConnection after authenticating the websocket upgrade
 * of /app/<appId> on a tenant host. The session speaks JSON-RPC as enigma.js expects (see qix/session.ts).
 */
import type { WebSocket } from "ws";
import type { EngineConnectionContext } from "../core/context";
import { Session } from "./qix/session";

export function handleEngineConnection(ws: WebSocket, ctx: EngineConnectionContext): void {
    new Session(ws, ctx).start();
}
