// HTTP(S) listeners. Every request and every WebSocket upgrade (/app/<appId> on tenant hosts) runs through the
// one pipeline (core/pipeline.ts); this file only puts the outcome on the wire.
import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import type { Duplex } from "node:stream";
import type * as nodeTls from "node:tls";
import { WebSocketServer } from "ws";
import type { Emulator } from "./core/context";
import { exchange, pipeline, run, type Exchange } from "./core/pipeline";
import { send, sendOnSocket } from "./core/reply";
import { Router } from "./core/router";
import { allRoutes } from "./apis";
import { upgradeRoutes } from "./engine/routes";

export interface Listeners {
    http: http.Server;
    https?: https.Server;
    close(): Promise<void>;
}

export function createServers(emu: Emulator, tls?: { key: string; cert: string }): Listeners {
    const stages = pipeline({ http: new Router(allRoutes), upgrade: new Router(upgradeRoutes) });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
    const sockets = new Set<net.Socket>();
    const encrypted = (req: http.IncomingMessage) => !!tls && !!(req.socket as nodeTls.TLSSocket).encrypted;
    const failed = (what: string, e: unknown) => {
        if (!emu.config.quiet) console.error(`[emulator] ${what}`, e);
    };

    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const x = exchange(emu, req, "http", encrypted(req));
        run(stages, x)
            .then(() => {
                if (x.reply === "dropped" || !x.reply) return void req.socket.destroy();
                // Answering before the body was read (401, 404, 429, faults): drain it so the connection stays sane.
                if (!req.complete) req.resume();
                send(res, x.reply);
            })
            .catch((e) => {
                failed("pipeline failure", e);
                if (!res.headersSent) {
                    res.statusCode = 500;
                    res.end();
                }
            });
    };

    const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        const x: Exchange = exchange(emu, req, "upgrade", encrypted(req));
        run(stages, x)
            .then(() => {
                const reply = x.reply;
                if (reply === "dropped" || !reply) return void socket.destroy();
                if (reply.status !== 101 || !reply.upgrade) return sendOnSocket(socket, reply);
                const accept = reply.upgrade;
                wss.handleUpgrade(req, socket, head, (ws) => {
                    try {
                        accept(ws);
                    } catch (e) {
                        failed("engine connection failed", e);
                        ws.close(4220, "Engine error");
                    }
                });
            })
            .catch((e) => {
                failed("upgrade failed", e);
                sendOnSocket(socket, { status: 500 });
            });
    };

    const track = (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    };
    const httpServer = http.createServer(onRequest);
    httpServer.on("upgrade", onUpgrade);
    httpServer.on("connection", track);
    // Malformed HTTP: answer 400 only when no response is in progress on that socket, else just close it.
    httpServer.on("clientError", (_e, socket) => {
        const busy = (socket as unknown as { _httpMessage?: unknown })._httpMessage;
        if (socket.writable && !busy) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        else socket.destroy();
    });
    let httpsServer: https.Server | undefined;
    if (tls) {
        httpsServer = https.createServer({ key: tls.key, cert: tls.cert }, onRequest);
        httpsServer.on("upgrade", onUpgrade);
        httpsServer.on("secureConnection", track);
        httpsServer.on("connection", track);
        httpsServer.on("tlsClientError", () => {
            /* bad handshakes are the client's problem */
        });
    }

    return {
        http: httpServer,
        https: httpsServer,
        async close() {
            for (const ws of wss.clients) ws.terminate();
            wss.close();
            const closing = [httpServer, httpsServer]
                .filter((s): s is http.Server => !!s && s.listening)
                .map((s) => new Promise<void>((r) => s.close(() => r())));
            for (const s of sockets) s.destroy();
            await Promise.all(closing);
        },
    };
}
