// The tests' one raw HTTP client for the emulator. node:http(s) rather than fetch, because a test must send the
// real Qlik Host header (a tenant is chosen by Host; fetch/undici drops a custom Host) and sometimes a body on a
// GET/DELETE or bytes that are not JSON. `send` is the transport (raw bytes back); `call` decodes JSON on top;
// the contract suite (tests/contract/client.ts) validates exchanges made with `send`.
import * as http from "node:http";
import * as https from "node:https";

export interface SendOptions {
    method?: string;
    host: string;
    /** Path with query string. */
    path: string;
    headers?: Record<string, string>;
    token?: string;
    /** object -> JSON; string/Buffer sent as-is (content type from `contentType`, default JSON). */
    body?: unknown;
    /** x-www-form-urlencoded body. */
    form?: Record<string, string>;
    contentType?: string;
    /** https only: the CA to trust and the TLS server name (SNI) to ask for. */
    tls?: { ca: Buffer | string; servername?: string };
    timeoutMs?: number;
}

export interface RawResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    raw: Buffer;
}

/** One request; resolves with the status, headers and body bytes (any status: asserting is the test's job). */
export function send(baseUrl: string, o: SendOptions): Promise<RawResponse> {
    const u = new URL(baseUrl);
    const headers: Record<string, string> = { host: o.host, ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const hasType = () => Object.keys(headers).some((k) => k.toLowerCase() === "content-type");
    let payload: Buffer | undefined;
    if (o.form) {
        payload = Buffer.from(new URLSearchParams(o.form).toString());
        headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (o.body !== undefined) {
        payload = Buffer.isBuffer(o.body)
            ? o.body
            : Buffer.from(typeof o.body === "string" ? o.body : JSON.stringify(o.body));
        if (!hasType()) headers["content-type"] = o.contentType ?? "application/json";
    }
    // Explicit length: without it Node sends a GET/DELETE body unframed, and the server reads it as the next request.
    if (payload) headers["content-length"] = String(payload.length);
    const method = o.method ?? "GET";
    const options: https.RequestOptions = { hostname: u.hostname, port: u.port, path: o.path, method, headers };
    options.agent = false;
    if (o.tls) Object.assign(options, { ca: o.tls.ca, servername: o.tls.servername });
    const transport = u.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = transport.request(options, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }),
            );
            res.on("error", reject);
        });
        const timeoutMs = o.timeoutMs ?? 30_000;
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms: ${method} ${o.path}`)));
        req.on("error", reject);
        req.end(payload);
    });
}

export interface CallOptions {
    method?: string;
    host: string;
    headers?: Record<string, string>;
    body?: unknown; // object -> JSON; string/Buffer sent as-is
    token?: string;
}
/**
 * A decoded JSON response body. Tests read responses of every API by property in hundreds of assertions; a typed
 * body per route would copy the OpenAPI specs that tests/contract already validates every response against.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the comment above
export type JsonBody = any;

export interface CallResult {
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
    body: JsonBody;
}

/** `send`, with the body decoded: JSON when it parses, else the text. */
export async function call(baseUrl: string, path: string, o: CallOptions): Promise<CallResult> {
    const r = await send(baseUrl, { ...o, path });
    const text = r.raw.toString("utf8");
    let body: unknown = undefined;
    try {
        body = text ? JSON.parse(text) : undefined;
    } catch {
        body = text;
    }
    return { status: r.status, headers: r.headers, text, body };
}

/** An OAuth client_credentials access token for `host`. */
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
