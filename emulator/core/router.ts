// Route table. Each apis/<area>/routes.ts exports `routes: Route[]`; apis/index.ts collects them.
import type { ApiName } from "./errors";
import type { HostKind, Reply, RequestContext } from "./context";
import type { Tier } from "./limits";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Route {
    method: Method;
    path: string; // as Qlik documents it, with ":param" segments
    host: "register" | "tenant" | "any" | "admin";
    auth: "bearer" | "none" | "bearer-or-cookie";
    tier: Tier; // from the spec's x-qlik-tier
    api: ApiName; // error body style
    handler: (ctx: RequestContext) => Reply | Promise<Reply>;
    /** Latency-profile operation name (core/profiles.ts); default "request". */
    op?: string;
    /** Max request body in bytes (default 10 MiB); larger -> 413. */
    bodyLimit?: number;
}

interface Compiled {
    route: Route;
    segs: string[];
    literalCount: number;
}

export type MatchResult =
    | { kind: "ok"; route: Route; params: Record<string, string> }
    | { kind: "method"; api: ApiName; allowed: Method[] }
    | { kind: "none"; api: ApiName };

function split(p: string): string[] {
    return p.split("/").filter((s) => s.length > 0);
}

function hostFits(route: Route, hostKind: HostKind): boolean {
    if (route.host === "any") return hostKind === "tenant" || hostKind === "register";
    return route.host === hostKind;
}

export class Router {
    private compiled: Compiled[] = [];

    constructor(routes: Route[] = []) {
        this.add(routes);
    }

    add(routes: Route[]): void {
        for (const route of routes) {
            const segs = split(route.path);
            this.compiled.push({ route, segs, literalCount: segs.filter((s) => !s.startsWith(":")).length });
        }
        // Literal segments win over params: compare segment by segment, literal before param.
        this.compiled.sort((a, b) => {
            const n = Math.min(a.segs.length, b.segs.length);
            for (let i = 0; i < n; i++) {
                const la = !a.segs[i].startsWith(":"),
                    lb = !b.segs[i].startsWith(":");
                if (la !== lb) return la ? -1 : 1;
            }
            return b.literalCount - a.literalCount;
        });
    }

    all(): Route[] {
        return this.compiled.map((c) => c.route);
    }

    match(method: string, path: string, hostKind: HostKind): MatchResult {
        const segs = split(path);
        let pathApi: ApiName | undefined;
        let resource: string | undefined;
        const allowed: Method[] = [];
        for (const c of this.compiled) {
            if (!hostFits(c.route, hostKind)) continue;
            const params = matchSegs(c.segs, segs);
            if (!params) continue;
            // The most specific template that matches (literals first) is the resource; a parameter route it
            // shadows (GET /apps/:appId behind POST /apps/import) is a different resource, so its methods are
            // neither served here nor listed in Allow (RFC 9110 10.2.1: Allow lists the target resource's methods).
            const shape = c.segs.map((x) => (x.startsWith(":") ? ":" : x)).join("/");
            resource ??= shape;
            if (shape !== resource) continue;
            pathApi ??= c.route.api;
            if (c.route.method === method) return { kind: "ok", route: c.route, params };
            allowed.push(c.route.method);
        }
        if (allowed.length > 0) return { kind: "method", api: pathApi ?? "default", allowed };
        return { kind: "none", api: guessApi(path) };
    }
}

function matchSegs(pattern: string[], segs: string[]): Record<string, string> | undefined {
    if (pattern.length !== segs.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < pattern.length; i++) {
        const p = pattern[i];
        if (p.startsWith(":")) {
            let v: string;
            try {
                v = decodeURIComponent(segs[i]);
            } catch {
                return undefined;
            }
            params[p.slice(1)] = v;
        } else if (p !== segs[i]) {
            return undefined;
        }
    }
    return params;
}

/** Error style for unknown paths: the API named by the path prefix (/api/v1/<api>/...). */
function guessApi(path: string): ApiName {
    const m = /^\/api\/v1\/([a-z-]+)/.exec(path);
    const known: ApiName[] = [
        "tenants",
        "licenses",
        "identity-providers",
        "users",
        "groups",
        "roles",
        "spaces",
        "apps",
        "items",
        "temp-contents",
        "data-connections",
        "reloads",
    ];
    if (m && (known as string[]).includes(m[1])) return m[1] as ApiName;
    if (path.startsWith("/login")) return "login";
    if (path.startsWith("/oauth")) return "oauth";
    return "default";
}

type Shared = Pick<Route, "host" | "auth" | "api"> & Pick<Route, "bodyLimit">;
export type RouteBuilder = (method: Method, path: string, tier: Tier, handler: Route["handler"], op?: string) => Route;

/** Route builder for the routes of an area that share host, auth, API (error style) and maybe a bodyLimit. */
export function routesFor(shared: Shared): RouteBuilder {
    return (method, path, tier, handler, op) => ({
        method,
        path,
        tier,
        handler,
        ...(op === undefined ? {} : { op }),
        ...shared,
    });
}

/**
 * Most Qlik REST areas are served on tenant hosts to bearer or cookie callers (qlik.dev lists both schemes on them);
 * `extra` carries what holds for every route of the area (e.g. a raised bodyLimit).
 */
export const tenantRoutes = (api: ApiName, extra: Pick<Route, "bodyLimit"> = {}): RouteBuilder =>
    routesFor({ host: "tenant", auth: "bearer-or-cookie", api, ...extra });
