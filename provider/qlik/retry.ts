// Retries with exponential backoff + full jitter. The Pulumi engine never retries a failed dynamic-provider
// operation (docs/reference/pulumi-offline.md B1), so transient Qlik failures must be absorbed here, without ever repeating
// a non-idempotent write that may have reached the server.
// A 429 is different: it is Qlik's budget, shared by every process of one OAuth client (shards of a fleet, CI runners on
// several machines; docs/benchmark.md "Shared rate limits"). Qlik's Retry-After names the instant the oldest call of the
// window leaves it (qlik.dev/apis/rest/rate-limiting, "retry-after: 13"), so every refused caller is told the same
// instant; retrying exactly then frees one slot for hundreds of callers and refuses the rest again, each second (a 429
// storm). So a 429 waits Retry-After plus a random spread that doubles with each 429 the same call meets, and 429s have
// their own budget: the 5-minute windows of tiers 1 and 2 can ask for ~300 s, longer than maxElapsedMs allows.

import { IDEMPOTENT_METHODS, Handler, Plugin, QlikRequest, QlikResponse, isTransportError } from "./types";

export interface RetryPolicy {
    /** Retries after the first attempt. */
    maxRetries: number;
    baseDelayMs: number;
    maxDelayMs: number;
    /** Give up when the next wait would end beyond this budget (measured from the first attempt). */
    maxElapsedMs: number;
    sleep: (ms: number) => Promise<void>;
    random: () => number;
    now: () => number;
    /** Total time a call may spend waiting on 429s, from its first attempt (Qlik's tier 1/2 window is 5 minutes). */
    maxRateLimitedMs: number;
    /** 429 retries of one call; they do not count against maxRetries (a 429 did nothing, it is a queue). */
    maxRateLimitedRetries: number;
    /** Spread added after Retry-After: random in [0, max(1 s, ratio x Retry-After) x 2^(earlier 429s)), capped. */
    rateLimitSpreadRatio: number;
    rateLimitSpreadMaxMs: number;
    /** Called before each wait; used for debug logs and tests. */
    onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
    req: QlikRequest;
    attempt: number;
    delayMs: number;
    reason: string;
}

export const DEFAULT_RETRY: RetryPolicy = {
    maxRetries: 6,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxElapsedMs: 5 * 60_000,
    maxRateLimitedMs: 15 * 60_000,
    maxRateLimitedRetries: 30,
    rateLimitSpreadRatio: 0.1,
    rateLimitSpreadMaxMs: 60_000,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    // Wrappers, not the native functions themselves: closure serialization cannot copy native code.
    random: () => Math.random(),
    now: () => Date.now(),
};

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). Returns ms, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
    if (!value) return undefined;
    const v = value.trim();
    if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
    const t = Date.parse(v);
    if (Number.isNaN(t)) return undefined;
    return Math.max(0, t - now);
}

function backoffDelay(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
    return Math.floor(policy.random() * ceiling);
}

/**
 * The wait after the n-th 429 (n from 0) of one call: Retry-After (or the backoff when there is none), plus the
 * spread that keeps callers refused together from coming back together.
 */
export function rateLimitDelay(
    retryAfterMs: number | undefined,
    n: number,
    policy: Pick<
        RetryPolicy,
        "baseDelayMs" | "maxDelayMs" | "random" | "rateLimitSpreadRatio" | "rateLimitSpreadMaxMs"
    >,
): number {
    if (retryAfterMs === undefined) return backoffDelay(n, policy);
    const spread = Math.min(
        policy.rateLimitSpreadMaxMs,
        Math.max(1000, retryAfterMs * policy.rateLimitSpreadRatio) * 2 ** Math.min(n, 16),
    );
    return retryAfterMs + Math.floor(policy.random() * spread);
}

const RETRYABLE_5XX = new Set([500, 502, 503, 504]);

/** Why this outcome may be retried, or undefined if it must not be. */
export function retryReason(req: QlikRequest, outcome: { res?: QlikResponse; err?: unknown }): string | undefined {
    const safe = IDEMPOTENT_METHODS.has(req.method.toUpperCase()) || req.idempotent === true;
    if (outcome.res) {
        const s = outcome.res.status;
        // 429 means the request was rejected before doing anything, so even a POST may repeat.
        if (s === 429) return "429 rate limited";
        if (RETRYABLE_5XX.has(s) && safe) return `HTTP ${s}`;
        return undefined;
    }
    const err = outcome.err;
    if (!isTransportError(err)) return undefined;
    if (safe) return err.kind === "timeout" ? "timeout" : `network ${err.netCode ?? ""}`.trim();
    if (!err.maybeSent) return `network ${err.netCode ?? ""} before sending`.trim();
    return undefined;
}

export function retryPlugin(getPolicy: () => RetryPolicy): Plugin {
    return (next: Handler): Handler =>
        async (req) => {
            const policy = getPolicy();
            const start = policy.now();
            let failures = 0;
            let limited = 0;
            for (let attempt = 0; ; attempt++) {
                let res: QlikResponse | undefined;
                let err: unknown;
                try {
                    res = await next(req);
                } catch (e) {
                    err = e;
                }
                const reason = retryReason(req, { res, err });
                const attempts = attempt + 1;
                if (!reason) return finish(res, err, attempts);
                const elapsed = policy.now() - start;
                let delay: number;
                if (res?.status === 429) {
                    // Raising qlik:maxRetries raises this too (errors.ts's hint for an exhausted 429 says so).
                    if (limited >= Math.max(policy.maxRateLimitedRetries, policy.maxRetries))
                        return finish(res, err, attempts);
                    delay = rateLimitDelay(parseRetryAfter(res.headers["retry-after"], policy.now()), limited, policy);
                    if (elapsed + delay > policy.maxRateLimitedMs) return finish(res, err, attempts);
                    limited++;
                } else {
                    if (failures >= policy.maxRetries) return finish(res, err, attempts);
                    const retryAfter = res ? parseRetryAfter(res.headers["retry-after"], policy.now()) : undefined;
                    delay = retryAfter ?? backoffDelay(failures, policy);
                    if (elapsed + delay > policy.maxElapsedMs) return finish(res, err, attempts);
                    failures++;
                }
                policy.onRetry?.({ req, attempt: attempts, delayMs: delay, reason });
                await policy.sleep(delay);
            }
        };
}

/** Attempt count travels on the response/error so the final error message can report it. */
function finish(res: QlikResponse | undefined, err: unknown, attempts: number): QlikResponse {
    if (res) {
        Object.defineProperty(res, "attempts", { value: attempts, enumerable: false });
        return res;
    }
    if (err && typeof err === "object")
        Object.defineProperty(err, "attempts", { value: attempts, enumerable: false, configurable: true });
    throw err;
}

export function attemptsOf(x: unknown): number | undefined {
    const a = (x as { attempts?: unknown } | undefined)?.attempts;
    return typeof a === "number" ? a : undefined;
}
