// The request pipeline: requestLog -> faults -> hostResolve -> (route match) -> tenantState -> auth ->
// rateLimit -> latency -> body -> route handler. Every failure becomes a Qlik-style error body; an
// unexpected exception becomes a 500 with a traceId and never takes the server down.
import type * as http from "node:http";
import type { Caller, Emulator, HostKind, Reply, RequestContext, Tenant } from "./context";
import { apiError, errorBody, isQlikError, rateLimitBody, type ApiName } from "./errors";
import type { Route, Router } from "./router";
import { DEFAULT_BODY_LIMIT, parseBody, readBody } from "./body";
import { bearerCaller, bearerOf, cookieCaller, notAuthorized, sessionCsrf, sessionFallback } from "./auth";
import { tenantsModel } from "../apis/tenants/model";
import { validateQuery } from "./query";

const ADMIN_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]", ""]);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function hostOf(hostHeader: string | undefined): string {
    const h = (hostHeader ?? "").trim().toLowerCase();
    if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
    return h.split(":")[0];
}

export interface HostResolution {
    hostKind: HostKind;
    tenant?: Tenant;
}

/** Which kind of host this is; undefined for a host that is not part of the region. */
export function resolveHost(emu: Emulator, host: string): HostResolution | undefined {
    if (ADMIN_HOSTS.has(host)) return { hostKind: "admin" };
    if (host === emu.config.registerHost) return { hostKind: "register" };
    const tenant = tenantsModel(emu).byHostname(host);
    return tenant ? { hostKind: "tenant", tenant } : undefined;
}

export const tenantDisabled = () =>
    apiError(
        "tenants",
        401,
        "TENANT_DISABLED",
        "Tenant has been deactivated. Contact your administrator to reactivate it.",
    );

function flatHeaders(req: http.IncomingMessage): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(", ") : v;
    return out;
}

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

export function send(res: http.ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    if (reply.status >= 300 && reply.status < 400 && reply.body === undefined) {
        const loc = Object.entries(reply.headers ?? {}).find(([k]) => k.toLowerCase() === "location")?.[1];
        if (typeof loc === "string")
            reply = {
                ...redirectReply(reply.status, loc),
                headers: { ...reply.headers, ...redirectReply(reply.status, loc).headers },
            };
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
    res.writeHead(reply.status, headers);
    res.end(payload);
}

export function errorReply(err: unknown, fallbackApi: ApiName): Reply {
    if (isQlikError(err)) return { status: err.status, body: errorBody(err), headers: err.headers };
    return internalError(fallbackApi).reply;
}

/** The 500 for an unexpected exception: one trace id for the body and the log line. */
function internalError(api: ApiName): { reply: Reply; traceId: string } {
    const e = apiError(api, 500, "HTTP-500", "Internal server error");
    return { reply: { status: 500, body: errorBody(e) }, traceId: e.traceId };
}

export async function handleRequest(
    emu: Emulator,
    router: Router,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const host = hostOf(req.headers.host);
    let url: URL;
    try {
        url = new URL(req.url ?? "/", "http://x");
    } catch {
        url = new URL("http://x/");
    }
    const path = url.pathname;
    let tenantId: string | undefined;
    let faultName: string | undefined;
    const finish = (reply: Reply | "dropped") => {
        if (reply === "dropped") {
            req.socket.destroy();
        } else {
            // Answering before the body was read (401, 404, 429, faults): drain it so the connection stays sane.
            if (!req.complete) req.resume();
            send(res, reply);
        }
        if (!path.startsWith("/_emulator")) {
            emu.log.add({
                time: new Date().toISOString(),
                method,
                host,
                path,
                status: reply === "dropped" ? 0 : reply.status,
                tenantId,
                durationMs: Date.now() - started,
                fault: faultName,
            });
        }
    };
    let api: ApiName = "default";
    try {
        // faults (never on the admin endpoints, so a test can always clear them)
        if (!path.startsWith("/_emulator")) {
            const fault = emu.faults.pick(method, host, path);
            if (fault) {
                faultName = fault.action;
                if (fault.action === "drop") return finish("dropped");
                if (fault.action === "slow") await sleep(Math.min(fault.delayMs ?? 2000, 120_000));
                else if (fault.action === "429") {
                    const wait = fault.retryAfter ?? 1;
                    return finish({ status: 429, headers: { "retry-after": String(wait) }, body: rateLimitBody(wait) });
                } else {
                    const status = Number(fault.action);
                    return finish({
                        status,
                        body: errorBody(
                            apiError(
                                "default",
                                status,
                                `HTTP-${status}`,
                                status === 500
                                    ? "Internal server error"
                                    : status === 502
                                      ? "Bad gateway"
                                      : "Service unavailable",
                            ),
                        ),
                    });
                }
            }
        }
        // hostResolve
        const resolved = resolveHost(emu, host);
        if (!resolved) {
            return finish({
                status: 404,
                body: errorBody(apiError("default", 404, "HTTP-404", "Not found", `Unknown host ${host}`)),
            });
        }
        tenantId = resolved.tenant?.id;
        // route
        const m = router.match(method, path, resolved.hostKind);
        if (m.kind === "none") return finish(errorReply(apiError(m.api, 404, "HTTP-404", "Not found"), m.api));
        if (m.kind === "method") {
            const r = errorReply(apiError(m.api, 405, "HTTP-405", "Method not allowed"), m.api);
            r.headers = { ...(r.headers ?? {}), allow: [...new Set(m.allowed)].join(", ") };
            return finish(r);
        }
        const route: Route = m.route;
        api = route.api;
        // tenantState
        if (resolved.tenant && resolved.tenant.status !== "active") throw tenantDisabled();
        // auth
        const headers = flatHeaders(req);
        let caller: Caller | undefined;
        if (route.auth !== "none") {
            const authIn = { host, hostKind: resolved.hostKind, tenant: resolved.tenant, headers };
            const bearer = bearerOf(headers);
            caller = bearer ? bearerCaller(emu, authIn, bearer) : undefined;
            // A bearer that is neither an access token nor an API key (Qlik's JWT samples keep sending the signed
            // IdP JWT after /login/jwt-session) does not outvote a valid session cookie: see sessionFallback().
            if (
                !caller &&
                route.auth === "bearer-or-cookie" &&
                (bearer === undefined ? !headers.authorization : sessionFallback(bearer))
            ) {
                caller = cookieCaller(emu, authIn);
                if (caller && method !== "GET" && method !== "HEAD") {
                    const want = sessionCsrf(emu, caller);
                    if (!want || headers["qlik-csrf-token"] !== want) {
                        throw apiError(
                            api,
                            403,
                            "CSRF-TOKEN-1",
                            "Forbidden",
                            "Missing or invalid qlik-csrf-token header",
                        );
                    }
                }
            }
            if (!caller) throw notAuthorized(api);
        }
        // query parameters as the spec types them (core/query.ts)
        validateQuery(`${route.method} ${route.path}`, url.searchParams, api);
        // rateLimit
        const rl = emu.limits.check(
            resolved.tenant?.id ?? resolved.hostKind,
            caller?.userId ?? req.socket.remoteAddress ?? "anon",
            route.tier,
            `${route.method} ${route.path}`,
        );
        if (!rl.allowed) {
            return finish({
                status: 429,
                headers: { "retry-after": String(rl.retryAfterSeconds) },
                body: rateLimitBody(rl.retryAfterSeconds),
            });
        }
        // latency
        const delay = emu.profile.delayMs(route.op ?? "request");
        if (delay > 0) await sleep(delay);
        // body
        const raw = await readBody(req, route.bodyLimit ?? DEFAULT_BODY_LIMIT);
        if (raw === "too-large") throw apiError(api, 413, "HTTP-413", "Payload too large");
        const ctx: RequestContext = {
            method,
            host,
            path,
            hostKind: resolved.hostKind,
            tenant: resolved.tenant,
            params: m.params,
            query: url.searchParams,
            headers,
            body: parseBody(api, headers["content-type"], raw),
            rawBody: raw,
            caller,
            emu,
            baseUrl: resolved.hostKind === "admin" ? `http://${req.headers.host ?? host}` : `https://${host}`,
        };
        const reply = await route.handler(ctx);
        return finish(reply);
    } catch (e) {
        if (isQlikError(e)) return finish(errorReply(e, api));
        const { reply, traceId } = internalError(api);
        if (!emu.config.quiet) console.error(`[emulator] ${method} ${host}${path} failed (trace ${traceId}):`, e);
        return finish(reply);
    }
}
