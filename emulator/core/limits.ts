// Rate limits from x-qlik-tier. Qlik evaluates them per tier, per user, per tenant (qlik.dev
// rate-limiting). We use a 60 s fixed window per (tenant, caller, tier) whose size is the documented
// per-minute limit times rateLimitScale (at least 1). The tenant-wide cap (userLimit x users x 0.5)
// is not modelled.
import type { Clock } from "./clock";

export interface Tier { tier: "1" | "2" | "special"; limit: number }

export const TIER1: Tier = { tier: "1", limit: 1000 };
export const TIER2: Tier = { tier: "2", limit: 100 };
export const special = (limit: number): Tier => ({ tier: "special", limit });

export interface RateDecision { allowed: boolean; retryAfterSeconds: number }

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  private static readonly WINDOW_MS = 60_000;

  constructor(private readonly clock: Clock, public scale: number) {}

  check(tenantKey: string, callerKey: string, tier: Tier, routeKey: string): RateDecision {
    const limit = Math.max(1, Math.floor(tier.limit * this.scale));
    // Special tiers are counted per endpoint; tier 1/2 share one bucket per tier.
    const key = `${tenantKey}|${callerKey}|${tier.tier === "special" ? routeKey : tier.tier}`;
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= RateLimiter.WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + RateLimiter.WINDOW_MS - now) / 1000)) };
    }
    w.count++;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  reset(): void { this.windows.clear(); }
}
