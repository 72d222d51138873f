// Putting a Reply on the wire: an http.ServerResponse for HTTP, or the raw socket of a refused WebSocket upgrade.
import * as http from "node:http";
import type { Duplex } from "node:stream";
import type { Reply } from "./context";

/**
 * Redirect bodies: the specs document 301 (users/me) and 302 (tenants/me) as `text/html`, the small HTML page
 * web servers send with a redirect (qliksense-users-api-openapi.yml, qliksense-tenants-api-openapi.yml).
 */
export function redirectReply(status: number, location: string): Reply {
    const href = location.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    const text = status === 301 ? "Moved Permanently" : status === 308 ? "Permanent Redirect" : "Found";
    return {
        status,
        headers: { location, "content-type": "text/html; charset=utf-8" },
        body: `<a href="${href}">${text}</a>.\n`,
    };
}

function encode(reply: Reply): { headers: Record<string, string | string[]>; payload?: Buffer } {
    if (reply.status >= 300 && reply.status < 400 && reply.body === undefined) {
        const loc = Object.entries(reply.headers ?? {}).find(([k]) => k.toLowerCase() === "location")?.[1];
        if (typeof loc === "string") {
            const r = redirectReply(reply.status, loc);
            reply = { ...r, headers: { ...reply.headers, ...r.headers } };
        }
    }
    const headers: Record<string, string | string[]> = { ...(reply.headers ?? {}) };
    const lower = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
    let payload: Buffer | undefined;
    if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
        if (Buffer.isBuffer(reply.body)) {
            payload = reply.body;
            if (!lower.has("content-type")) headers["content-type"] = "application/octet-stream";
        } else if (typeof reply.body === "string") {
            payload = Buffer.from(reply.body);
            if (!lower.has("content-type")) headers["content-type"] = "text/plain; charset=utf-8";
        } else {
            payload = Buffer.from(JSON.stringify(reply.body));
            if (!lower.has("content-type")) headers["content-type"] = "application/json; charset=utf-8";
        }
    }
    headers["content-length"] = String(payload?.length ?? 0);
    return { headers, payload };
}

export function send(res: http.ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    const { headers, payload } = encode(reply);
    res.writeHead(reply.status, headers);
    res.end(payload);
}

/** A refused upgrade: the same status, headers and error body as over HTTP, then the socket is closed. */
export function sendOnSocket(socket: Duplex, reply: Reply): void {
    if (socket.destroyed) return;
    const { headers, payload } = encode(reply);
    const lines = [`HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? ""}`, "Connection: close"];
    for (const [k, v] of Object.entries(headers)) for (const one of [v].flat()) lines.push(`${k}: ${one}`);
    const bytes = Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n"), payload ?? Buffer.alloc(0)]);
    socket.end(bytes, () => socket.destroy());
}
