// PLACEHOLDER written by the core (helper E1) so server.ts compiles; the QIX engine (E3) replaces this file.
import type { WebSocket } from "ws";
import type { EngineConnectionContext } from "../core/context";

export function handleEngineConnection(ws: WebSocket, _ctx: EngineConnectionContext): void {
  ws.send(JSON.stringify({ jsonrpc: "2.0", method: "OnConnected", params: { qSessionState: "SESSION_CREATED" } }));
  ws.on("message", (data) => {
    let id: unknown = null;
    try { id = (JSON.parse(String(data)) as { id?: unknown }).id ?? null; } catch { /* not JSON */ }
    ws.send(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, parameter: "", message: "Method not found" } }));
  });
}
