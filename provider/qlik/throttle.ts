// Client-side rate limiting so a `pulumi up` over many tenants stays inside Qlik's documented limits
// (docs/reference/qlik-cloud-api.md §11: tier 1 = 1000/min, tier 2 = 100/min, per user per tenant; special routes).
// It counts the way Qlik does (qlik.dev/apis/rest/rate-limiting): tiers 1 and 2 over a sliding 5-minute
// window (5,000 / 500 calls in any 5 minutes, so a fleet's 200 tenant creates on the one register host go
// out at once), special tiers over one minute. A call waits only when the window is full.
// All dynamic resources share one provider process (docs/reference/pulumi-offline.md B1/B6), so the state lives on globalThis:
// a captured limiter would be copied into every resource's closure and limit nothing.

import { Plugin, QlikRequest, Tier } from "./types";
import { parseRetryAfter } from "./retry";

/** Requests per minute for each tier (the window of tiers 1/2 holds 5 minutes' worth). */
export const TIER_LIMITS: Record<string, number> = {
    "1": 1000,
    "2": 100,
    reloads: 50,
    filter: 200,
    "temp-contents": 800,
};

/** The tier of a call: explicit, else the documented special routes, else GET = 1 and writes = 2. */
export function tierFor(req: Pick<QlikRequest, "method" | "path" | "tier">): Tier {
    if (req.tier !== undefined) return req.tier;
    const method = req.method.toUpperCase();
    const path = req.path.split("?")[0];
    if (path === "/oauth/token") return 2;
    if (
        method === "POST" &&
        (/^\/api\/v1\/reloads\/?$/.test(path) || /^\/api\/v1\/reloads\/[^/]+\/actions\/cancel$/.test(path))
    )
        return "reloads";
    if (method === "POST" && /^\/api\/v1\/(users|groups)\/actions\/filter$/.test(path)) return "filter";
    if (/^\/api\/v1\/temp-contents(\/|$)/.test(path)) return "temp-contents";
    return method === "GET" || method === "HEAD" ? 1 : 2;
}

export interface ThrottleOptions {
    /** Multiply every tier limit (tests use small values). */
    scale?: number;
    /** Override individual tier limits (per minute). */
    limits?: Partial<Record<string, number>>;
    maxConcurrentPerHost?: number;
    /** Override the window of a tier, in ms (tests); the budget stays limit-per-minute x window. */
    windowMs?: Partial<Record<string, number>>;
    now?: () => number;
}

interface Bucket {
    windowMs: number;
    budget: number;
    /** Start times of the calls still inside the window, oldest first. */
    calls: number[];
    blockedUntil: number;
    /** FIFO: each acquirer waits for the previous one to take its slot. */
    chain: Promise<void>;
}

/** Qlik's window for a tier: 5 minutes for tiers 1 and 2, one minute for the special tiers. */
function tierWindowMs(tier: Tier): number {
    return String(tier) === "1" || String(tier) === "2" ? 300_000 : 60_000;
}

interface HostSlots {
    active: number;
    waiters: (() => void)[];
}

export interface ThrottleStats {
    maxActiveSeen: number;
    acquired: number;
}

export class Throttle {
    private readonly buckets = new Map<string, Bucket>();
    private readonly hosts = new Map<string, HostSlots>();
    private readonly now: () => number;
    readonly stats: ThrottleStats = { maxActiveSeen: 0, acquired: 0 };
    maxConcurrentPerHost: number;

    constructor(private readonly opts: ThrottleOptions = {}) {
        this.now = opts.now ?? (() => Date.now());
        this.maxConcurrentPerHost = opts.maxConcurrentPerHost ?? 8;
    }

    limitPerMinute(tier: Tier): number {
        const key = String(tier);
        const base = this.opts.limits?.[key] ?? TIER_LIMITS[key] ?? TIER_LIMITS["2"];
        return Math.max(1, base * (this.opts.scale ?? 1));
    }

    private bucket(host: string, tier: Tier): Bucket {
        const key = `${host}|${tier}`;
        let b = this.buckets.get(key);
        if (!b) {
            const windowMs = this.opts.windowMs?.[String(tier)] ?? tierWindowMs(tier);
            const budget = Math.max(1, Math.floor((this.limitPerMinute(tier) * windowMs) / 60_000));
            b = { windowMs, budget, calls: [], blockedUntil: 0, chain: Promise.resolve() };
            this.buckets.set(key, b);
        }
        return b;
    }

    private async takeSlot(b: Bucket): Promise<void> {
        for (;;) {
            const now = this.now();
            let expired = 0;
            while (expired < b.calls.length && b.calls[expired] <= now - b.windowMs) expired++;
            if (expired > 0) b.calls.splice(0, expired);
            const blocked = b.blockedUntil - now;
            if (blocked <= 0 && b.calls.length < b.budget) {
                b.calls.push(now);
                return;
            }
            const full = b.calls.length >= b.budget ? b.calls[0] + b.windowMs - now : 0;
            await new Promise((r) => setTimeout(r, Math.max(blocked, full, 1)));
        }
    }

    /** Wait for room in the tier's window and a concurrency slot; returns the release function. */
    async acquire(host: string, tier: Tier): Promise<() => void> {
        const b = this.bucket(host, tier);
        const mine = b.chain.then(() => this.takeSlot(b));
        b.chain = mine.catch(() => undefined);
        await mine;
        const slots = this.hostSlots(host);
        if (slots.active >= this.maxConcurrentPerHost) {
            await new Promise<void>((resolve) => slots.waiters.push(resolve));
        } else {
            slots.active++;
        }
        this.stats.acquired++;
        this.stats.maxActiveSeen = Math.max(this.stats.maxActiveSeen, slots.active);
        let released = false;
        return () => {
            if (released) return;
            released = true;
            const nextWaiter = slots.waiters.shift();
            // Hand the slot straight to the next waiter so `active` never dips and lets a newcomer jump the queue.
            if (nextWaiter) nextWaiter();
            else slots.active--;
        };
    }

    /** A 429 from Qlik: hold every call of this host+tier until Retry-After has passed. */
    block(host: string, tier: Tier, ms: number): void {
        const b = this.bucket(host, tier);
        b.blockedUntil = Math.max(b.blockedUntil, this.now() + ms);
    }

    private hostSlots(host: string): HostSlots {
        let s = this.hosts.get(host);
        if (!s) {
            s = { active: 0, waiters: [] };
            this.hosts.set(host, s);
        }
        return s;
    }
}

const g = globalThis as typeof globalThis & { __qlikFleetThrottle?: Throttle };

/** The provider-process-wide throttle. */
export function globalThrottle(): Throttle {
    return (g.__qlikFleetThrottle ??= new Throttle());
}

export function throttlePlugin(getThrottle: () => Throttle): Plugin {
    return (next) => async (req) => {
        const throttle = getThrottle();
        const tier = tierFor(req);
        const release = await throttle.acquire(req.host, tier);
        try {
            const res = await next(req);
            if (res.status === 429) {
                const ms = parseRetryAfter(res.headers["retry-after"]);
                if (ms !== undefined) throttle.block(req.host, tier, ms);
            }
            return res;
        } finally {
            release();
        }
    };
}
