// Test HTTP client for the emulator: node:http so the real Qlik Host header can be sent
// (fetch/undici drops a custom Host). Shared by the emulator test folders.
import * as http from "node:http";

export interface CallOptions {
    method?: string;
    host: string;
    headers?: Record<string, string>;
    body?: unknown; // object -> JSON; string/Buffer sent as-is
    token?: string;
}
export interface CallResult {
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
    body: any;
}

export function call(baseUrl: string, path: string, o: CallOptions): Promise<CallResult> {
    const u = new URL(baseUrl);
    const headers: Record<string, string> = { host: o.host, ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let payload: Buffer | undefined;
    if (o.body !== undefined) {
        payload = Buffer.isBuffer(o.body)
            ? o.body
            : Buffer.from(typeof o.body === "string" ? o.body : JSON.stringify(o.body));
        if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type"))
            headers["content-type"] = "application/json";
        // Explicit length: Node sends GET/DELETE bodies without chunked framing otherwise.
        headers["content-length"] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
        const req = http.request(
            { hostname: u.hostname, port: u.port, path, method: o.method ?? "GET", headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let body: unknown = undefined;
                    try {
                        body = text ? JSON.parse(text) : undefined;
                    } catch {
                        body = text;
                    }
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
                });
            },
        );
        req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
        req.on("error", reject);
        req.end(payload);
    });
}

export async function tokenFor(
    baseUrl: string,
    host: string,
    client: { clientId: string; clientSecret: string },
): Promise<string> {
    const r = await call(baseUrl, "/oauth/token", {
        method: "POST",
        host,
        body: { client_id: client.clientId, client_secret: client.clientSecret, grant_type: "client_credentials" },
    });
    if (r.status !== 200) throw new Error(`token for ${host}: ${r.status} ${r.text}`);
    return r.body.access_token as string;
}
