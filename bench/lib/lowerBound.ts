// The analytic lower bound of a fleet provisioning run: what no client could beat for the same work
// against the same service. Inputs are the emulator's request log of the run (which operations were
// really needed, per tenant) and the latency profile (what each one costs at minimum).
//
// Method (docs/benchmark.md explains it with an example):
//  1. Each logged request is matched to its emulator route (same router the emulator uses), giving its
//     latency-profile op, rate-limit tier and a "stage" (what Qlik work it is: create tenant, create
//     group, import app, reload, publish, ...).
//  2. Only work that changes something counts: successful non-GET calls, one token per host, and the
//     download of an export. Look-ups, polls, retries and 429s cost 0 here: they are our client's
//     choices, not the service's minimum.
//  3. A stage costs the LARGEST of its calls (calls of one stage could all be sent in parallel), a
//     reload costs its POST plus the profile's queue and run time.
//  4. Stages depend on each other as Qlik's rules require (STAGE_DEPS: you cannot import into a space
//     that does not exist, reload before the connection exists, publish before the reload, ...). The
//     per-tenant chain is the longest path through that graph; tenants are independent of each other.
//  5. Rate limits (Qlik's model, which the emulator follows: per tenant, caller and tier, a budget of
//     calls in any sliding window: 5 min x the per-minute limit for tiers 1/2, 1 min for special tiers):
//     the k-th call of a bucket cannot start before floor((k-1)/budget) windows have passed. For tenant
//     creates on the register host that delay is followed by a whole tenant chain.
import type { LoggedRequest } from "../../emulator/core/requestLog";
import { Router, type Route } from "../../emulator/core/router";
import { allRoutes } from "../../emulator/apis";
import { REALISTIC_DELAYS } from "../../emulator/core/profiles";
import { tierWindow } from "../../emulator/core/limits";

export type Stage =
    | "registerToken"
    | "createTenant"
    | "token"
    | "tenantPatch"
    | "identityProvider"
    | "groupSettings"
    | "licenseSettings"
    | "groups"
    | "groupPatch"
    | "users"
    | "licenseAssign"
    | "spaces"
    | "spaceAssignments"
    | "dataConnections"
    | "importApp"
    | "appUpdate"
    | "appScript"
    | "reload"
    | "publish"
    | "jwtLogin"
    | "sourceToken"
    | "sourceExport"
    | "sourceDownload"
    | "other";

/** Which stages must finish before a stage can start (within one tenant; source stages are shared). */
export const STAGE_DEPS: Record<Stage, Stage[]> = {
    registerToken: [],
    createTenant: ["registerToken"],
    token: ["createTenant"],
    tenantPatch: ["token"],
    identityProvider: ["token"],
    groupSettings: ["token"],
    licenseSettings: ["token"],
    groups: ["token"],
    groupPatch: ["groups"],
    users: ["groups"],
    licenseAssign: ["users"],
    spaces: ["token"],
    spaceAssignments: ["spaces", "groups"],
    dataConnections: ["spaces"],
    importApp: ["spaces", "sourceDownload"],
    appUpdate: ["importApp"],
    appScript: ["importApp"],
    reload: ["importApp", "appScript", "dataConnections"],
    publish: ["reload", "appUpdate", "spaces"],
    jwtLogin: ["identityProvider", "groups"],
    sourceToken: [],
    sourceExport: ["sourceToken"],
    sourceDownload: ["sourceExport"],
    other: ["token"],
};

const ORDER = Object.keys(STAGE_DEPS) as Stage[];

/** Route pattern -> stage (method + emulator route path); anything else that writes is "other". */
function stageOf(method: string, route: Route, where: "register" | "source" | "tenant"): Stage | undefined {
    const key = `${method} ${route.path}`;
    if (route.path === "/oauth/token")
        return where === "register" ? "registerToken" : where === "source" ? "sourceToken" : "token";
    if (where === "source") {
        if (key === "POST /api/v1/apps/:appId/export") return "sourceExport";
        if (key === "GET /api/v1/temp-contents/:id") return "sourceDownload";
        return method === "GET" ? undefined : "other";
    }
    if (key === "POST /api/v1/tenants") return "createTenant";
    if (key === "GET /api/v1/temp-contents/:id") return undefined;
    if (method === "GET" || method === "HEAD") return undefined;
    const table: [RegExp, Stage][] = [
        [/^PATCH \/api\/v1\/tenants\//, "tenantPatch"],
        [/^\w+ \/api\/v1\/identity-providers/, "identityProvider"],
        [/^\w+ \/api\/v1\/groups\/settings/, "groupSettings"],
        [/^POST \/api\/v1\/groups\/actions\/filter/, "other"],
        [/^POST \/api\/v1\/groups$/, "groups"],
        [/^\w+ \/api\/v1\/groups\//, "groupPatch"],
        [/^POST \/api\/v1\/users\/actions\/filter/, "other"],
        [/^\w+ \/api\/v1\/users/, "users"],
        [/^PUT \/api\/v1\/licenses\/settings/, "licenseSettings"],
        [/^\w+ \/api\/v1\/licenses\/assignments/, "licenseAssign"],
        [/^\w+ \/api\/v1\/spaces\/:spaceId\/assignments/, "spaceAssignments"],
        [/^\w+ \/api\/v1\/spaces/, "spaces"],
        [/^\w+ \/api\/v1\/data-connections/, "dataConnections"],
        [/^POST \/api\/v1\/apps\/import$/, "importApp"],
        [/^POST \/api\/v1\/temp-contents$/, "importApp"],
        [/^\w+ \/api\/v1\/apps\/:appId\/publish$/, "publish"],
        [/^\w+ \/api\/v1\/apps\/:appId\/scripts/, "appScript"],
        [/^\w+ \/api\/v1\/apps\/:appId/, "appUpdate"],
        [/^\w+ \/api\/v1\/items/, "appUpdate"],
        [/^POST \/api\/v1\/reloads$/, "reload"],
        [/^POST \/login\/jwt-session/, "jwtLogin"],
    ];
    for (const [re, stage] of table) if (re.test(key)) return stage;
    return "other";
}

export interface BoundInput {
    requests: LoggedRequest[];
    registerHost: string;
    sourceHost: string;
    /** The emulator's --rate-limit-scale (1 = documented limits). */
    rateLimitScale?: number;
    delays?: Readonly<Record<string, number>>;
}

export interface LowerBound {
    /** max(chain, rate-limit bound), milliseconds. */
    ms: number;
    /** Longest dependent chain of one tenant (including the shared register/source steps before it). */
    chainMs: number;
    /** The stages on that chain with their costs. */
    criticalPath: { stage: Stage; ms: number }[];
    /** What the rate limits force, and the bucket that forces it. */
    rateLimitMs: number;
    rateLimitBucket?: string;
    tenants: number;
    /** Calls that counted as necessary work, per stage (all tenants). */
    necessaryCalls: Partial<Record<Stage, number>>;
    /** Requests the log did not cover (ring buffer overflow) - the bound is then computed on a part. */
    logTruncated: boolean;
}

interface Cost {
    stage: Stage;
    ms: number;
}

export function computeLowerBound(inp: BoundInput): LowerBound {
    const delays = inp.delays ?? REALISTIC_DELAYS;
    const delay = (op: string | undefined) => delays[op ?? "request"] ?? delays.request ?? 0;
    const router = new Router(allRoutes);
    const scale = inp.rateLimitScale ?? 1;

    const perTenant = new Map<string, Map<Stage, number>>();
    const shared = new Map<Stage, number>();
    const tokenSeen = new Set<string>();
    const buckets = new Map<
        string,
        { count: number; budget: number; windowMs: number; minCost: number; isCreate: boolean }
    >();
    const necessary: Partial<Record<Stage, number>> = {};
    let tenantCreates = 0;

    for (const r of inp.requests) {
        if (r.status < 200 || r.status >= 400 || r.fault) continue;
        const where = r.host === inp.registerHost ? "register" : r.host === inp.sourceHost ? "source" : "tenant";
        const m = router.match(r.method, r.path, where === "register" ? "register" : "tenant");
        if (m.kind !== "ok") continue;
        const stage = stageOf(r.method, m.route, where);
        if (!stage) continue;
        if (m.route.path === "/oauth/token") {
            if (tokenSeen.has(r.host)) continue; // one token per host is all the work needs
            tokenSeen.add(r.host);
        }
        if (where === "source" && stage === "sourceDownload" && shared.has("sourceDownload")) continue;
        let cost = delay(m.route.op);
        if (stage === "reload") cost += delay("reload.queued") + delay("reload.run");
        necessary[stage] = (necessary[stage] ?? 0) + 1;
        const into = where === "tenant" ? getOrAdd(perTenant, r.tenantId ?? r.host) : shared;
        if (stage === "createTenant") tenantCreates++;
        // createTenant is logged on the register host; it belongs to every tenant's chain.
        const target = stage === "createTenant" || stage === "registerToken" ? shared : into;
        target.set(stage, Math.max(target.get(stage) ?? 0, cost));

        const tierKey =
            m.route.tier.tier === "special" ? `${m.route.method} ${m.route.path}` : `tier ${m.route.tier.tier}`;
        // The emulator keys windows by tenant (alias and system hostname share one), caller and tier.
        const bucketKey = `${r.tenantId ?? r.host} ${m.route.path === "/oauth/token" ? "oauth" : tierKey}`;
        const b = buckets.get(bucketKey) ?? {
            count: 0,
            ...tierWindow(m.route.tier, scale),
            minCost: Infinity,
            isCreate: false,
        };
        b.count++;
        b.minCost = Math.min(b.minCost, cost);
        b.isCreate ||= stage === "createTenant";
        buckets.set(bucketKey, b);
    }

    // Longest path per tenant over the stage graph; the shared stages (register, source) are the same for all.
    const chainOf = (stages: Map<Stage, number>): { ms: number; path: Cost[] } => {
        const finish = new Map<Stage, { ms: number; path: Cost[] }>();
        for (const s of ORDER) {
            const own = stages.get(s) ?? shared.get(s) ?? 0;
            let best = { ms: 0, path: [] as Cost[] };
            for (const d of STAGE_DEPS[s]) {
                const f = finish.get(d);
                if (f && f.ms > best.ms) best = f;
            }
            finish.set(s, { ms: best.ms + own, path: own > 0 ? [...best.path, { stage: s, ms: own }] : best.path });
        }
        let top = { ms: 0, path: [] as Cost[] };
        for (const f of finish.values()) if (f.ms > top.ms) top = f;
        return top;
    };
    const chains = [...perTenant.values()].map(chainOf);
    if (chains.length === 0) chains.push(chainOf(new Map()));
    const longest = chains.reduce((a, b) => (b.ms > a.ms ? b : a));
    const shortest = chains.reduce((a, b) => (b.ms < a.ms ? b : a));
    const beforeCreate = shared.get("registerToken") ?? 0;

    let rateLimitMs = 0;
    let rateLimitBucket: string | undefined;
    for (const [key, b] of buckets) {
        const windows = Math.floor((b.count - 1) / b.budget);
        if (windows <= 0) continue;
        // A create in the last window is still followed by its whole tenant chain (the shortest one, to stay a bound).
        const tail = b.isCreate ? shortest.ms - beforeCreate : b.minCost;
        const ms = windows * b.windowMs + tail + (b.isCreate ? beforeCreate : 0);
        if (ms > rateLimitMs) {
            rateLimitMs = ms;
            rateLimitBucket = `${key}: ${b.count} calls, budget ${b.budget} per ${b.windowMs / 60_000} min`;
        }
    }
    const first = inp.requests[0];
    return {
        ms: Math.max(longest.ms, rateLimitMs),
        chainMs: longest.ms,
        criticalPath: longest.path,
        rateLimitMs,
        rateLimitBucket,
        tenants: Math.max(tenantCreates, perTenant.size),
        necessaryCalls: necessary,
        logTruncated: first !== undefined && first.seq > 1 && inp.requests.length >= 20_000,
    };
}

function getOrAdd<K, V>(m: Map<K, Map<Stage, V>>, k: K): Map<Stage, V> {
    let v = m.get(k);
    if (!v) m.set(k, (v = new Map()));
    return v;
}
