// The request pipeline: ONE ordered list of small named middlewares (PIPELINE), run for every HTTP request
// and every WebSocket upgrade alike (Azurite's blob handler chain is the model). Each stage either answers
// (sets x.reply and does not call next) or passes on; requestLog and errorBoundary wrap the rest. Every
// failure becomes a Qlik-style error body; an unexpected exception becomes a 500 with a traceId and never
// takes the server down. ARCHITECTURE.md "Pipeline" lists the same order.
import type * as http from "node:http";
import type { Caller, Emulator, HostKind, Reply, RequestContext, Tenant } from "./context";
import { apiError, errorBody, rateLimitBody, toQlikError, type ApiName } from "./errors";
import type { Route, Router } from "./router";
import { DEFAULT_BODY_LIMIT, parseBody, readBody } from "./body";
import { authenticate } from "./auth";
import { validateQuery } from "./query";
import { redirectReply } from "./reply";

/** One request (or upgrade) on its way through the pipeline. */
export interface Exchange {
    emu: Emulator;
    req: http.IncomingMessage;
    kind: "http" | "upgrade";
    /** The listener is the TLS one. */
    encrypted: boolean;
    method: string;
    host: string; // without port, lower-case
    url: URL;
    headers: Record<string, string | undefined>;
    started: number;
    /** The error style of the answer: the owning API once a route matched. */
    api: ApiName;
    hostKind?: HostKind;
    tenant?: Tenant;
    route?: Route;
    params: Record<string, string>;
    caller?: Caller;
    fault?: string;
    reply?: Reply | "dropped";
}

export type Middleware = (x: Exchange, next: () => Promise<void>) => Promise<void>;

/** HTTP routes and WebSocket routes are separate tables: a plain GET of /app/<id> is not a REST resource. */
export interface Routers {
    http: Router;
    upgrade: Router;
}

const ADMIN_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]", ""]);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function hostOf(hostHeader: string | undefined): string {
    const h = (hostHeader ?? "").trim().toLowerCase();
    if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
    return h.split(":")[0];
}

const isAdminPath = (x: Exchange) => x.url.pathname.startsWith("/_emulator");

// ---- the stages, in pipeline order ----

/** Records every answer (not the admin endpoints' own traffic) for GET /_emulator/requests. */
const requestLog: Middleware = async (x, next) => {
    await next();
    if (isAdminPath(x)) return;
    x.emu.log.add({
        time: new Date().toISOString(),
        method: x.method,
        host: x.host,
        path: x.url.pathname,
        status: x.reply === "dropped" ? 0 : (x.reply?.status ?? 0),
        tenantId: x.tenant?.id,
        durationMs: Date.now() - x.started,
        fault: x.fault,
        ...(x.kind === "upgrade" ? { upgrade: true } : {}),
    });
};

/** Domain and Qlik errors -> the owning API's error body; anything else -> 500 with the logged trace id. */
const errorBoundary: Middleware = async (x, next) => {
    try {
        await next();
    } catch (e) {
        const err = toQlikError(e, x.api);
        if (err) {
            x.reply = { status: err.status, body: errorBody(err), headers: err.headers };
            return;
        }
        const internal = apiError(x.api, 500, "HTTP-500", "Internal server error");
        if (!x.emu.config.quiet)
            console.error(`[emulator] ${x.method} ${x.host}${x.url.pathname} failed (trace ${internal.traceId}):`, e);
        x.reply = { status: 500, body: errorBody(internal) };
    }
};

const FAULT_TITLES: Record<number, string> = {
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
};

/** Injected faults (never on the admin endpoints, so a test can always clear them). */
const faults: Middleware = async (x, next) => {
    const fault = isAdminPath(x) ? undefined : x.emu.faults.pick(x.method, x.host, x.url.pathname);
    if (!fault) return next();
    x.fault = fault.action;
    if (fault.action === "drop") {
        x.reply = "dropped";
    } else if (fault.action === "slow") {
        await sleep(Math.min(fault.delayMs ?? 2000, 120_000));
        return next();
    } else if (fault.action === "429") {
        const wait = fault.retryAfter ?? 1;
        x.reply = { status: 429, headers: { "retry-after": String(wait) }, body: rateLimitBody(wait) };
    } else {
        const status = Number(fault.action);
        x.reply = { status, body: errorBody(apiError("default", status, `HTTP-${status}`, FAULT_TITLES[status])) };
    }
};

/** admin (127.0.0.1/localhost), the region's register host, or a tenant's hostname; anything else is a 404. */
const hostResolve: Middleware = async (x, next) => {
    if (ADMIN_HOSTS.has(x.host)) x.hostKind = "admin";
    else if (x.host === x.emu.config.registerHost) x.hostKind = "register";
    else {
        x.tenant = x.emu.directory.tenantByHostname(x.host);
        if (x.tenant) x.hostKind = "tenant";
    }
    if (!x.hostKind) throw apiError("default", 404, "HTTP-404", "Not found", `Unknown host ${x.host}`);
    return next();
};

/**
 * With TLS on, plain HTTP on a tenant or register host gets what Qlik Cloud's edge answers on port 80: a
 * redirect to the same URL over https (Qlik Cloud serves its APIs over HTTPS only, "All requests must be
 * made over HTTPS", https://qlik.dev/apis/ , and its cookies are `Secure`, so a client left on http would
 * never send them back). 301 for GET/HEAD, 308 for other verbs so the method and body survive the
 * redirect (RFC 9110 15.4.2 / RFC 7538). The admin host (127.0.0.1) keeps serving plain HTTP; upgrades are
 * not redirected (WebSocket clients do not follow redirects by default).
 */
const edgeRedirect: Middleware = async (x, next) => {
    const httpsUrl = x.emu.info?.httpsUrl;
    if (x.kind !== "http" || x.encrypted || !httpsUrl || x.hostKind === "admin") return next();
    const port = new URL(httpsUrl).port;
    const location = `https://${x.host}${port && port !== "443" ? `:${port}` : ""}${x.req.url ?? "/"}`;
    x.reply = redirectReply(x.method === "GET" || x.method === "HEAD" ? 301 : 308, location);
};

/** Route table lookup: unknown path 404, known path with another verb 405 (with Allow), in the API's style. */
const routeMatch =
    (routers: Routers): Middleware =>
    async (x, next) => {
        const m = routers[x.kind].match(x.method, x.url.pathname, x.hostKind ?? "admin");
        if (m.kind === "none") throw apiError((x.api = m.api), 404, "HTTP-404", "Not found");
        if (m.kind === "method") {
            const e = apiError((x.api = m.api), 405, "HTTP-405", "Method not allowed");
            e.headers = { allow: [...new Set(m.allowed)].join(", ") };
            throw e;
        }
        x.route = m.route;
        x.params = m.params;
        x.api = m.route.api;
        return next();
    };

/** A deactivated tenant answers 401 TENANT_DISABLED on every route of its host. */
const tenantState: Middleware = async (x, next) => {
    if (x.tenant && x.tenant.status !== "active")
        throw apiError(
            "tenants",
            401,
            "TENANT_DISABLED",
            "Tenant has been deactivated. Contact your administrator to reactivate it.",
        );
    return next();
};

const auth: Middleware = async (x, next) => {
    const route = x.route as Route;
    if (route.auth === "none") return next();
    x.caller = authenticate(
        x.emu,
        {
            host: x.host,
            hostKind: x.hostKind ?? "admin",
            tenant: x.tenant,
            headers: x.headers,
            method: x.method,
            cookie: route.auth === "bearer-or-cookie",
            upgrade: x.kind === "upgrade",
            query: x.url.searchParams,
        },
        x.api,
    );
    return next();
};

/** Query parameters as the spec types them (core/query.ts): 400 naming the parameter. */
const query: Middleware = async (x, next) => {
    const route = x.route as Route;
    validateQuery(`${route.method} ${route.path}`, x.url.searchParams, x.api);
    return next();
};

/** x-qlik-tier limits per tenant and caller (core/limits.ts): 429 with Retry-After. */
const rateLimit: Middleware = async (x, next) => {
    const route = x.route as Route;
    const rl = x.emu.limits.check(
        x.tenant?.id ?? x.hostKind ?? "admin",
        x.caller?.userId ?? x.req.socket.remoteAddress ?? "anon",
        route.tier,
        `${route.method} ${route.path}`,
    );
    if (rl.allowed) return next();
    x.reply = {
        status: 429,
        headers: { "retry-after": String(rl.retryAfterSeconds) },
        body: rateLimitBody(rl.retryAfterSeconds),
    };
};

/** The latency profile's delay for this operation (core/profiles.ts). */
const latency: Middleware = async (x, next) => {
    const delay = x.emu.profile.delayMs(x.route?.op ?? "request");
    if (delay > 0) await sleep(delay);
    return next();
};

/** Reads the body (413 over the route's limit), parses it, and calls the route's handler. */
const handler: Middleware = async (x) => {
    const route = x.route as Route;
    let raw: Buffer = Buffer.alloc(0);
    if (x.kind === "http") {
        const read = await readBody(x.req, route.bodyLimit ?? DEFAULT_BODY_LIMIT);
        if (read === "too-large") throw apiError(x.api, 413, "HTTP-413", "Payload too large");
        raw = read;
    }
    const ctx: RequestContext = {
        method: x.method,
        host: x.host,
        path: x.url.pathname,
        hostKind: x.hostKind ?? "admin",
        tenant: x.tenant,
        params: x.params,
        query: x.url.searchParams,
        headers: x.headers,
        body: x.kind === "http" ? parseBody(x.api, x.headers["content-type"], raw) : undefined,
        rawBody: raw,
        caller: x.caller,
        emu: x.emu,
        baseUrl: x.hostKind === "admin" ? `http://${x.req.headers.host ?? x.host}` : `https://${x.host}`,
    };
    x.reply = await route.handler(ctx);
};

/** The pipeline, in order. */
export function pipeline(routers: Routers): readonly Middleware[] {
    return [
        requestLog,
        errorBoundary,
        faults,
        hostResolve,
        edgeRedirect,
        routeMatch(routers),
        tenantState,
        auth,
        query,
        rateLimit,
        latency,
        handler,
    ];
}

/** Runs the stages in order; a stage that does not call next() ends the request with x.reply. */
export function run(stages: readonly Middleware[], x: Exchange): Promise<void> {
    const at = (i: number): Promise<void> => (i < stages.length ? stages[i](x, () => at(i + 1)) : Promise.resolve());
    return at(0);
}

export function exchange(
    emu: Emulator,
    req: http.IncomingMessage,
    kind: Exchange["kind"],
    encrypted: boolean,
): Exchange {
    let url: URL;
    try {
        url = new URL(req.url ?? "/", "http://x");
    } catch {
        url = new URL("http://x/");
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    return {
        emu,
        req,
        kind,
        encrypted,
        method: (req.method ?? "GET").toUpperCase(),
        host: hostOf(req.headers.host),
        url,
        headers,
        started: Date.now(),
        api: "default",
        params: {},
    };
}
