// One plain HTTP request to the emulator with the real Qlik Host header (fetch/undici drops a custom
// Host, so node:http). No retries, no pooling: the sequential baseline is meant to behave like the
// tutorial's curl calls, and the admin calls need nothing more.
import * as http from "node:http";

export interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    json<T = unknown>(): T;
}

export interface RequestOptions {
    method?: string;
    host: string;
    token?: string;
    headers?: Record<string, string>;
    /** Object -> JSON; Buffer -> octet-stream. */
    body?: unknown;
    timeoutMs?: number;
}

export function request(baseUrl: string, path: string, o: RequestOptions): Promise<Reply> {
    const u = new URL(baseUrl);
    const headers: Record<string, string> = { host: o.host, ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let payload: Buffer | undefined;
    if (o.body !== undefined) {
        const isBuf = Buffer.isBuffer(o.body);
        payload = isBuf ? (o.body as Buffer) : Buffer.from(JSON.stringify(o.body));
        headers["content-type"] ??= isBuf ? "application/octet-stream" : "application/json";
        headers["content-length"] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
        const req = http.request(
            { hostname: u.hostname, port: u.port, path, method: o.method ?? "GET", headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const body = Buffer.concat(chunks);
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body,
                        json: <T>() => (body.length ? JSON.parse(body.toString("utf8")) : undefined) as T,
                    });
                });
                res.on("error", reject);
            },
        );
        req.setTimeout(o.timeoutMs ?? 120_000, () =>
            req.destroy(new Error(`timeout: ${o.method ?? "GET"} ${o.host}${path}`)),
        );
        req.on("error", reject);
        req.end(payload);
    });
}
