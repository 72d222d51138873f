// The one request function. Transport: node-fetch v2 with an AbortController timeout on every attempt
// (the Pulumi engine ignores customTimeouts for dynamic providers, docs/reference/pulumi-offline.md B1), the endpoint
// override (send to the emulator, keep the real Host header), JSON in/out. Plugins add retry, auth, throttle.

import * as http from "http";
import * as https from "https";
import * as net from "net";
import fetch from "node-fetch";
import { getProviderConfig, ProviderConfig } from "../config";
import { AuthContext, Credentials, TokenCache, authPlugin, bearerFor, globalTokenCache } from "./auth";
import { QlikApiError, errMessage, redact, registerSecret } from "./errors";
import { DEFAULT_RETRY, RetryPolicy, attemptsOf, retryPlugin } from "./retry";
import { Throttle, globalThrottle, throttlePlugin } from "./throttle";
import { Handler, QlikRequest, QlikResponse, QueryValue, TransportError, compose, isTransportError } from "./types";

export interface ClientOptions {
    /** Settings source; default getProviderConfig() at each call. */
    getConfig?: () => ProviderConfig;
    throttle?: Throttle;
    tokenCache?: TokenCache;
    retry?: Partial<RetryPolicy>;
    /** Debug sink; default: stderr when QLIK_DEBUG is set. Lines are already redacted. */
    log?: (line: string) => void;
}

export type RequestFn = <T = unknown>(req: QlikRequest) => Promise<QlikResponse<T>>;

const USER_AGENT = "qlik-tenant-fleet/0.1 (+pulumi dynamic provider)";
const MAX_REDIRECTS = 5;
// Keep-alive: a fleet run makes thousands of calls to few hosts. Created lazily on globalThis: a module-level
// Agent would be snapshotted by value if Pulumi serializes this module into a provider closure (B4).
const ga = globalThis as typeof globalThis & { __qlikFleetAgents?: { http: http.Agent; https: https.Agent } };
function agents(): { http: http.Agent; https: https.Agent } {
    return (ga.__qlikFleetAgents ??= {
        http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    });
}

function buildUrl(origin: string, path: string, query?: Record<string, QueryValue>): string {
    const u = new URL(path, origin);
    for (const [k, v] of Object.entries(query ?? {})) {
        if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    }
    return u.toString();
}

/** Where bytes go: the override origin if set, else https://<host>. */
function originFor(host: string, cfg: Pick<ProviderConfig, "endpointOverride">): string {
    return cfg.endpointOverride ?? `https://${host}`;
}

function defaultLog(line: string): void {
    process.stderr.write(`[qlik] ${line}\n`);
}

function makeTransport(getConfig: () => ProviderConfig): Handler {
    return async (req) => {
        const cfg = getConfig();
        const url = buildUrl(originFor(req.host, cfg), req.path, req.query);
        const headers: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT };
        if (cfg.endpointOverride) headers.host = req.host;
        let body: string | Buffer | undefined;
        if (req.rawBody) {
            body = req.rawBody;
            headers["content-type"] = req.contentType ?? "application/octet-stream";
        } else if (req.body !== undefined) {
            body = JSON.stringify(req.body);
            headers["content-type"] = req.contentType ?? "application/json";
        }
        for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
        if (req.responseType === "buffer") headers.accept = "*/*";

        const timeoutMs = req.timeoutMs ?? cfg.requestTimeoutMs;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        try {
            const res = await fetch(url, {
                method: req.method.toUpperCase(),
                headers,
                body,
                redirect: "manual",
                compress: true,
                agent: url.startsWith("https:") ? agents().https : agents().http,
                // node-fetch v2 types predate the DOM AbortSignal.
                signal: controller.signal as unknown as import("node-fetch").RequestInit["signal"],
            });
            const resHeaders: Record<string, string> = {};
            res.headers.forEach((v, k) => {
                resHeaders[k.toLowerCase()] = v;
            });
            // The timer stays armed while the body is read: a stalled download must also abort.
            const buf = await res.buffer();
            return {
                status: res.status,
                headers: resHeaders,
                body: decodeBody(buf, resHeaders["content-type"], req.responseType),
            };
        } catch (e) {
            throw toTransportError(e, controller.signal.aborted, timeoutMs);
        } finally {
            clearTimeout(timer);
        }
    };
}

function decodeBody(buf: Buffer, contentType: string | undefined, responseType: QlikRequest["responseType"]): unknown {
    if (responseType === "buffer") return buf;
    if (buf.length === 0) return undefined;
    const text = buf.toString("utf8");
    if (responseType === "text") return text;
    if ((contentType ?? "").includes("json") || /^\s*[[{]/.test(text)) {
        try {
            return JSON.parse(text);
        } catch {
            return text;
        }
    }
    return text;
}

function toTransportError(e: unknown, aborted: boolean, timeoutMs: number): TransportError {
    if (isTransportError(e)) return e;
    if (aborted || (e instanceof Error && e.name === "AbortError")) {
        return new TransportError(`timed out after ${timeoutMs} ms`, "timeout", "ETIMEDOUT", true, timeoutMs);
    }
    const code =
        (e as { code?: string; errno?: string } | undefined)?.code ?? (e as { errno?: string } | undefined)?.errno;
    const notSent = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
    return new TransportError(errMessage(e), "network", code, !notSent);
}

function credentialsOf(cfg: ProviderConfig): Credentials {
    // Whatever source the secrets came from, redact() must know them.
    registerSecret(cfg.clientSecret);
    registerSecret(cfg.apiKey);
    if (cfg.clientId && cfg.clientSecret)
        return { kind: "oauth", clientId: cfg.clientId, clientSecret: cfg.clientSecret };
    if (cfg.apiKey) return { kind: "apiKey", apiKey: cfg.apiKey };
    // getProviderConfig() already validated; this only guards hand-made configs in tests.
    throw new Error("no Qlik credentials: set qlik:clientId + qlik:clientSecret or qlik:apiKey");
}

export interface QlikRequester {
    request: RequestFn;
    /** Bearer for a host (engine websocket uses the same token as REST). */
    bearer(host: string): Promise<string>;
    config(): ProviderConfig;
}

/** Assemble the pipeline. Everything is looked up per call, so one requester serves a changing config. */
export function createRequester(opts: ClientOptions = {}): QlikRequester {
    const getConfig = opts.getConfig ?? (() => getProviderConfig());
    // Redaction is not free: only build debug lines when someone listens.
    const sink = opts.log ?? (process.env.QLIK_DEBUG ? defaultLog : undefined);
    const log = (line: string): void => sink?.(line);
    const getThrottle = (): Throttle => {
        const t = opts.throttle ?? globalThrottle();
        if (!opts.throttle) t.maxConcurrentPerHost = getConfig().maxConcurrentPerHost;
        return t;
    };
    const getRetry = (): RetryPolicy => ({
        ...DEFAULT_RETRY,
        maxRetries: getConfig().maxRetries,
        onRetry: (i) =>
            sink &&
            log(
                `retry ${i.attempt} of ${i.req.method} ${i.req.host}${redact(i.req.path)} in ${i.delayMs} ms (${i.reason}) while ${i.req.purpose}`,
            ),
        ...opts.retry,
    });
    const transport = makeTransport(getConfig);
    const logged: Handler = async (req) => {
        if (!sink) return transport(req);
        const t0 = Date.now();
        try {
            const res = await transport(req);
            log(`${req.method} ${req.host}${redact(req.path)} -> ${res.status} (${Date.now() - t0} ms)`);
            return res;
        } catch (e) {
            log(`${req.method} ${req.host}${redact(req.path)} -> ${redact(errMessage(e))}`);
            throw e;
        }
    };
    const raw = compose([retryPlugin(getRetry), throttlePlugin(getThrottle)], logged);
    const authCtx: AuthContext = {
        credentials: () => credentialsOf(getConfig()),
        cache: () => opts.tokenCache ?? globalTokenCache(),
        cacheNamespace: () => getConfig().endpointOverride ?? "",
        raw: (req) => finalize(raw, req, getConfig),
    };
    const pipeline = compose([retryPlugin(getRetry), authPlugin(authCtx), throttlePlugin(getThrottle)], logged);
    const request = (<T>(req: QlikRequest) =>
        finalize(pipeline, req, getConfig) as Promise<QlikResponse<T>>) as RequestFn;
    return { request, bearer: (host) => bearerFor(authCtx, host), config: getConfig };
}

/** Redirects (through the override), then the status check that turns failures into QlikApiError. */
async function finalize(pipeline: Handler, req: QlikRequest, getConfig: () => ProviderConfig): Promise<QlikResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
        let res: QlikResponse;
        try {
            res = await pipeline(current);
        } catch (e) {
            if (isTransportError(e)) {
                const endpoint = getConfig().endpointOverride ?? `https://${current.host}`;
                // A call cut in mid-flight: is the endpoint itself gone (emulator stopped), or was it just this connection?
                const probeCode =
                    e.kind === "network" && CUT_CODES.has(e.netCode ?? "") ? await probeConnect(endpoint) : undefined;
                throw new QlikApiError({
                    kind: e.kind,
                    purpose: current.purpose,
                    method: current.method.toUpperCase(),
                    host: current.host,
                    path: pathWithQuery(current),
                    cause: e,
                    netCode: e.netCode,
                    timeoutMs: e.timeoutMs,
                    attempts: attemptsOf(e),
                    endpoint,
                    probeCode,
                });
            }
            throw e;
        }
        const loc = res.headers.location;
        const isRedirect = [301, 302, 303, 307, 308].includes(res.status);
        const follow =
            isRedirect &&
            loc &&
            current.followRedirects !== false &&
            current.method.toUpperCase() === "GET" &&
            !(current.expect ?? []).includes(res.status);
        if (follow && hop < MAX_REDIRECTS) {
            current = { ...current, ...redirectTarget(loc, current.host, getConfig()), query: undefined };
            continue;
        }
        const ok = current.expect ? current.expect.includes(res.status) : res.status >= 200 && res.status < 300;
        if (!ok) {
            throw new QlikApiError({
                kind: "http",
                purpose: current.purpose,
                method: current.method.toUpperCase(),
                host: current.host,
                path: pathWithQuery(current),
                status: res.status,
                body: res.body,
                attempts: attemptsOf(res),
            });
        }
        return res;
    }
}

/** Node codes of a connection that broke during a call (the server went away, or a middlebox dropped it). */
const CUT_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** One TCP connect to the endpoint's host:port; the error code when it fails, undefined when something answers. */
function probeConnect(endpoint: string, timeoutMs = 2000): Promise<string | undefined> {
    let u: URL;
    try {
        u = new URL(endpoint);
    } catch {
        return Promise.resolve(undefined);
    }
    const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
    const host = u.hostname.replace(/^\[|\]$/g, "");
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const done = (code: string | undefined): void => {
            socket.destroy();
            resolve(code);
        };
        socket.setTimeout(timeoutMs, () => done(undefined));
        socket.once("connect", () => done(undefined));
        socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? "ECONNREFUSED"));
    });
}

function pathWithQuery(req: QlikRequest): string {
    return req.query ? buildUrl("http://x", req.path, req.query).slice("http://x".length) : req.path;
}

/**
 * A Location or links.next.href is a full production URL (https://acme.us.qlikcloud.com/...), or, from the
 * emulator, possibly the override origin. Either way: keep the Qlik host, send through the override.
 */
export function redirectTarget(
    href: string,
    currentHost: string,
    cfg: Pick<ProviderConfig, "endpointOverride">,
): { host: string; path: string } {
    const u = new URL(href, `https://${currentHost}`);
    const viaOverride = cfg.endpointOverride !== undefined && u.origin === new URL(cfg.endpointOverride).origin;
    const host = viaOverride || /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(u.host) ? currentHost : u.host;
    return { host, path: `${u.pathname}${u.search}` };
}

export interface PageRequest {
    host: string;
    path: string;
    query?: Record<string, QueryValue>;
    purpose: string;
    /** Array property holding the items; default "data". */
    itemsKey?: string;
    timeoutMs?: number;
    maxPages?: number;
}

/** Follow links.next.href (limit 100 per page) and yield every item. */
export async function* paginate<T = unknown>(client: QlikRequester | RequestFn, p: PageRequest): AsyncGenerator<T> {
    const request: RequestFn = typeof client === "function" ? client : client.request;
    const override = (): Pick<ProviderConfig, "endpointOverride"> => {
        if (typeof client === "function") return { endpointOverride: undefined };
        return { endpointOverride: client.config().endpointOverride };
    };
    const itemsKey = p.itemsKey ?? "data";
    const maxPages = p.maxPages ?? 10_000;
    let host = p.host;
    let path = p.path;
    let query: Record<string, QueryValue> | undefined = { limit: 100, ...p.query };
    const seen = new Set<string>();
    for (let page = 1; page <= maxPages; page++) {
        const res = await request<Record<string, unknown>>({
            host,
            method: "GET",
            path,
            query,
            timeoutMs: p.timeoutMs,
            purpose: page === 1 ? p.purpose : `${p.purpose} (page ${page})`,
        });
        const items = res.body?.[itemsKey];
        if (Array.isArray(items)) for (const item of items) yield item as T;
        const next = (res.body?.links as { next?: { href?: unknown } } | undefined)?.next?.href;
        if (typeof next !== "string" || !next) return;
        const target = redirectTarget(next, host, override());
        const key = `${target.host}${target.path}`;
        // A server that hands back the same cursor would loop forever.
        if (seen.has(key)) return;
        seen.add(key);
        host = target.host;
        path = target.path;
        query = undefined;
    }
}

export async function paginateAll<T = unknown>(client: QlikRequester | RequestFn, p: PageRequest): Promise<T[]> {
    const out: T[] = [];
    for await (const item of paginate<T>(client, p)) out.push(item);
    return out;
}

/** Lazily created default requester of the provider process. */
const g = globalThis as typeof globalThis & { __qlikFleetRequester?: QlikRequester };
export function defaultRequester(): QlikRequester {
    return (g.__qlikFleetRequester ??= createRequester());
}

/** qlikRequest({host, method, path, ..., purpose}) on the provider-wide pipeline. */
export function qlikRequest<T = unknown>(req: QlikRequest): Promise<QlikResponse<T>> {
    return defaultRequester().request<T>(req);
}

/** GET raw bytes (e.g. the .qvf behind an export's Location). */
export async function download(
    request: RequestFn,
    req: Omit<QlikRequest, "method" | "responseType">,
): Promise<QlikResponse<Buffer>> {
    return request<Buffer>({ ...req, method: "GET", responseType: "buffer" });
}

/** POST raw bytes (app import); not retried after the bytes may have arrived, import is not idempotent. */
export async function upload<T = unknown>(
    request: RequestFn,
    req: Omit<QlikRequest, "rawBody" | "body" | "method"> & { data: Buffer; method?: string },
): Promise<QlikResponse<T>> {
    const { data, ...rest } = req;
    return request<T>({
        ...rest,
        method: rest.method ?? "POST",
        rawBody: data,
        contentType: rest.contentType ?? "application/octet-stream",
    });
}
