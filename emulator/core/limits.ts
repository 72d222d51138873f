// Rate limits from x-qlik-tier, evaluated per tier, per user, per tenant (qlik.dev/apis/rest/rate-limiting,
// page of 2025-06-19): tier 1 = 1,000/min and tier 2 = 100/min, each "evaluated over a 5-minute window to
// support bursts of requests", so a caller may spend 5,000 / 500 calls in any 5 minutes. Special tiers are
// per minute ("Rate limit windows are per minute unless documented otherwise") and counted per endpoint.
// The window slides: a call is refused while the last `budget` calls all fall inside it, and Retry-After
// is the time until the oldest of them leaves it (Qlik's example answers "retry-after: 13", not the rest
// of a fixed window). rateLimitScale multiplies every budget (at least 1) so tests can reach a limit.
// The tenant-wide cap (userLimit x users x 0.5) is not modelled: one caller per tenant never reaches it.
import type { Clock } from "./clock";

export interface Tier {
    tier: "1" | "2" | "special";
    limit: number;
}

export const TIER1: Tier = { tier: "1", limit: 1000 };
export const TIER2: Tier = { tier: "2", limit: 100 };
export const special = (limit: number): Tier => ({ tier: "special", limit });

/** How Qlik evaluates a tier: `budget` calls in any `windowMs`. */
export interface TierWindow {
    windowMs: number;
    budget: number;
}

const FIVE_MINUTES = 300_000;
const ONE_MINUTE = 60_000;

/** The documented window of a tier, with its per-minute limit scaled (tests shrink it). */
export function tierWindow(tier: Tier, scale = 1): TierWindow {
    const minutes = tier.tier === "special" ? 1 : 5;
    return {
        windowMs: tier.tier === "special" ? ONE_MINUTE : FIVE_MINUTES,
        budget: Math.max(1, Math.floor(tier.limit * minutes * scale)),
    };
}

export interface RateDecision {
    allowed: boolean;
    retryAfterSeconds: number;
}

export class RateLimiter {
    /** Per bucket, the times of the calls still inside the window, oldest first. */
    private calls = new Map<string, number[]>();

    constructor(
        private readonly clock: Clock,
        public scale: number,
    ) {}

    check(tenantKey: string, callerKey: string, tier: Tier, routeKey: string): RateDecision {
        const { windowMs, budget } = tierWindow(tier, this.scale);
        // Special tiers are counted per endpoint; tier 1/2 share one bucket per tier.
        const key = `${tenantKey}|${callerKey}|${tier.tier === "special" ? routeKey : tier.tier}`;
        const now = this.clock.now();
        let log = this.calls.get(key);
        if (!log) {
            log = [];
            this.calls.set(key, log);
        }
        let expired = 0;
        while (expired < log.length && log[expired] <= now - windowMs) expired++;
        if (expired > 0) log.splice(0, expired);
        if (log.length >= budget) {
            return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((log[0] + windowMs - now) / 1000)) };
        }
        log.push(now);
        return { allowed: true, retryAfterSeconds: 0 };
    }

    reset(): void {
        this.calls.clear();
    }
}
