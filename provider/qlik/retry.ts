// Retries with exponential backoff + full jitter. The Pulumi engine never retries a failed dynamic-provider
// operation (docs/reference/pulumi-offline.md B1), so transient Qlik failures must be absorbed here, without ever repeating
// a non-idempotent write that may have reached the server.

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
                if (!reason || attempt >= policy.maxRetries) return finish(res, err, attempts);
                const retryAfter = res ? parseRetryAfter(res.headers["retry-after"], policy.now()) : undefined;
                const delay = retryAfter ?? backoffDelay(attempt, policy);
                if (policy.now() - start + delay > policy.maxElapsedMs) return finish(res, err, attempts);
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
