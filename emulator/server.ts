// HTTP(S) listeners, the request pipeline, and the websocket upgrade for /app/<appId> on tenant hosts
// (authenticated here, then handed to engine/index.ts handleEngineConnection).
import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import type * as nodeTls from "node:tls";
import { WebSocketServer } from "ws";
import type { Caller, Emulator } from "./core/context";
import { handleRequest, hostOf, redirectReply, resolveHost, send } from "./core/pipeline";
import { Router } from "./core/router";
import { bearerCaller, bearerOf, cookieCaller, sessionCsrf, sessionFallback } from "./core/auth";
import { allRoutes } from "./apis";
import { handleEngineConnection } from "./engine";

export interface Listeners {
    http: http.Server;
    https?: https.Server;
    close(): Promise<void>;
}

function rejectUpgrade(socket: net.Socket | import("node:stream").Duplex, status: number, text: string): void {
    try {
        socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } finally {
        socket.destroy();
    }
}

/**
 * With TLS on, plain HTTP on a tenant or register host gets what Qlik Cloud's edge answers on port 80: a
 * redirect to the same URL over https (Qlik Cloud serves its APIs over HTTPS only, "All requests must be
 * made over HTTPS", https://qlik.dev/apis/ , and its cookies are `Secure`, so a client left on http would
 * never send them back). 301 for GET/HEAD, 308 for other verbs so the method and body survive the
 * redirect (RFC 9110 15.4.2 / RFC 7538). The admin host (127.0.0.1) keeps serving plain HTTP.
 */
function edgeRedirect(emu: Emulator, req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const host = hostOf(req.headers.host);
    const kind = resolveHost(emu, host)?.hostKind;
    const httpsUrl = emu.info?.httpsUrl;
    if ((kind !== "tenant" && kind !== "register") || !httpsUrl) return false;
    const port = new URL(httpsUrl).port;
    const method = (req.method ?? "GET").toUpperCase();
    const location = `https://${host}${port && port !== "443" ? `:${port}` : ""}${req.url ?? "/"}`;
    req.resume();
    send(res, redirectReply(method === "GET" || method === "HEAD" ? 301 : 308, location));
    return true;
}

export function createServers(emu: Emulator, tls?: { key: string; cert: string }): Listeners {
    const router = new Router(allRoutes);
    const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
    const sockets = new Set<net.Socket>();

    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (tls && !(req.socket as nodeTls.TLSSocket).encrypted && edgeRedirect(emu, req, res)) return;
        handleRequest(emu, router, req, res).catch((e) => {
            if (!emu.config.quiet) console.error("[emulator] pipeline failure", e);
            if (!res.headersSent) {
                res.statusCode = 500;
                res.end();
            }
        });
    };

    const onUpgrade = (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
        try {
            const url = new URL(req.url ?? "/", "http://x");
            const m = /^\/app\/([^/]+)\/?$/.exec(url.pathname);
            const host = hostOf(req.headers.host);
            const resolved = resolveHost(emu, host);
            if (!m || !resolved || resolved.hostKind !== "tenant" || !resolved.tenant)
                return rejectUpgrade(socket, 404, "Not Found");
            if (resolved.tenant.status !== "active") return rejectUpgrade(socket, 401, "Unauthorized");
            const headers: Record<string, string | undefined> = {};
            for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
            const authIn = { host, hostKind: resolved.hostKind, tenant: resolved.tenant, headers };
            const bearer = bearerOf(headers, url.searchParams);
            let caller: Caller | undefined = bearer ? bearerCaller(emu, authIn, bearer) : undefined;
            if (!caller && (!bearer || sessionFallback(bearer))) {
                caller = cookieCaller(emu, authIn);
                // Browsers cannot set headers on a websocket, so mashups put the CSRF token in the URL
                // (`wss://<tenant>/app/<id>?qlik-web-integration-id=…&qlik-csrf-token=…`, as Qlik's embedding samples do);
                // Node clients can and do send it as the `qlik-csrf-token` header, the same header as on REST writes (the
                // cookie auth of @qlik/api, https://github.com/qlik-oss/qlik-api-ts/blob/main/docs/authentication.md, was
                // seen doing so in issue 10). Either one must match the session's token.
                const want = caller && sessionCsrf(emu, caller);
                const sent = [url.searchParams.get("qlik-csrf-token"), headers["qlik-csrf-token"]];
                if (caller && (!want || !sent.includes(want))) caller = undefined;
            }
            if (!caller) return rejectUpgrade(socket, 401, "Unauthorized");
            let appId: string;
            try {
                appId = decodeURIComponent(m[1]);
            } catch {
                return rejectUpgrade(socket, 400, "Bad Request");
            }
            const tenant = resolved.tenant;
            const who = caller;
            wss.handleUpgrade(req, socket, head, (ws) => {
                try {
                    handleEngineConnection(ws, {
                        emu,
                        tenant,
                        caller: who,
                        appId,
                        url: new URL(req.url ?? "/", `wss://${host}`),
                        headers,
                    });
                } catch (e) {
                    if (!emu.config.quiet) console.error("[emulator] engine connection failed", e);
                    ws.close(4220, "Engine error");
                }
            });
        } catch (e) {
            if (!emu.config.quiet) console.error("[emulator] upgrade failed", e);
            rejectUpgrade(socket, 500, "Internal Server Error");
        }
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
