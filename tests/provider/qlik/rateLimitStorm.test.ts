// Shared rate limits (issue 11 item 6): several provider processes (fleet shards, CI runners) spend one Qlik budget.
// Simulated in virtual time against the emulator's own sliding-window limiter (emulator/core/limits.ts, Qlik's
// model per qlik.dev/apis/rest/rate-limiting): the register host's tier-2 bucket, more tenant creates than it holds.
// Every refused caller is told the same instant (the oldest call's exit from the window); the retry's spread is what
// keeps them from all coming back then and being refused again, second after second.
import { expect } from "chai";
import { RateLimiter, TIER2 } from "../../../emulator/core/limits";
import { mulberry32 } from "../../../emulator/core/random";
import {
    DEFAULT_RETRY,
    parseRetryAfter,
    rateLimitDelay,
    retryPlugin,
    type RetryPolicy,
} from "../../../provider/qlik/retry";
import type { Handler, QlikRequest, QlikResponse } from "../../../provider/qlik/types";

/** A clock whose sleeps fire in time order, as fast as the CPU goes. */
class VirtualTime {
    t = 1_000_000;
    private timers: { at: number; fire: () => void }[] = [];
    now = (): number => this.t;
    iso = (): string => new Date(this.t).toISOString();
    advance = (ms: number): void => {
        this.t += ms;
    };
    sleep = (ms: number): Promise<void> => new Promise((fire) => this.timers.push({ at: this.t + ms, fire }));

    async run(all: Promise<unknown>): Promise<void> {
        let done = false;
        void all.finally(() => (done = true)).catch(() => undefined);
        for (;;) {
            await new Promise((r) => setImmediate(r));
            if (done) return;
            if (this.timers.length === 0) throw new Error("deadlock: nothing is waiting and the calls are not done");
            const at = Math.min(...this.timers.map((x) => x.at));
            const due = this.timers.filter((x) => x.at === at);
            this.timers = this.timers.filter((x) => x.at !== at);
            this.t = at;
            for (const x of due) x.fire();
        }
    }
}

interface Outcome {
    statuses: number[];
    refusedRetries: number;
    retriesBeforeRetryAfter: number;
    lastSuccessAfterMs: number;
}

/**
 * `processes` x `callsEach` tenant creates; the first attempts go out one every `gapMs` (concurrency caps and
 * latency spread them in a real run). Bucket: tier 2 at `scale`, so 500 x scale calls per 5 minutes.
 */
async function simulate(policyOverrides: Partial<RetryPolicy>, o = { processes: 4, callsEach: 50, gapMs: 100 }) {
    const vt = new VirtualTime();
    const limiter = new RateLimiter(vt, 0.2); // 100 tenant creates per 5 minutes
    const refusedOnce = new Set<number>();
    const told = new Map<number, number>(); // call -> earliest instant Retry-After allowed
    const out: Outcome = { statuses: [], refusedRetries: 0, retriesBeforeRetryAfter: 0, lastSuccessAfterMs: 0 };
    const start = vt.t;
    const server =
        (id: number): Handler =>
        async () => {
            const allowedAt = told.get(id);
            if (allowedAt !== undefined && vt.t < allowedAt) out.retriesBeforeRetryAfter++;
            const d = limiter.check("register", "client-1", TIER2, "POST /api/v1/tenants");
            if (d.allowed) {
                out.lastSuccessAfterMs = Math.max(out.lastSuccessAfterMs, vt.t - start);
                return { status: 201, headers: {}, body: {} } as QlikResponse;
            }
            if (refusedOnce.has(id)) out.refusedRetries++;
            refusedOnce.add(id);
            told.set(id, vt.t + (parseRetryAfter(String(d.retryAfterSeconds)) ?? 0));
            return { status: 429, headers: { "retry-after": String(d.retryAfterSeconds) }, body: {} } as QlikResponse;
        };
    const calls: Promise<void>[] = [];
    let id = 0;
    for (let p = 0; p < o.processes; p++) {
        // One policy per process, as each provider process has its own.
        const random = mulberry32(1000 + p);
        const policy: RetryPolicy = { ...DEFAULT_RETRY, now: vt.now, sleep: vt.sleep, random, ...policyOverrides };
        for (let c = 0; c < o.callsEach; c++) {
            const me = id++;
            const send = retryPlugin(() => policy)(server(me));
            const req: QlikRequest = {
                host: "register.eu.qlikcloud.com",
                method: "POST",
                path: "/api/v1/tenants",
                purpose: "create tenant",
            };
            calls.push(
                vt.sleep(me * o.gapMs).then(async () => {
                    out.statuses.push((await send(req)).status);
                }),
            );
        }
    }
    await vt.run(Promise.all(calls));
    return out;
}

describe("provider/qlik shared rate limits: many processes, one register-host bucket", function () {
    this.timeout(60_000);

    it("spreads the retries of callers refused together: no 429 storm, every call done, Retry-After honoured", async () => {
        const spread = await simulate({});
        const storm = await simulate({ rateLimitSpreadRatio: 0, rateLimitSpreadMaxMs: 0 });

        // The same 200 creates against a bucket of 100: both finish (429s have their own budget, well over 5 min).
        for (const r of [spread, storm]) {
            expect(r.statuses.filter((s) => s === 201)).to.have.length(200);
            expect(r.retriesBeforeRetryAfter, "retries sent before the Retry-After they were given").to.equal(0);
        }
        // Without the spread the 100 refused callers come back at the same second, one slot frees per 100 ms:
        // hundreds of repeated refusals. The model must be able to show that, or the next line proves nothing.
        expect(storm.refusedRetries, "refusals of retries without the spread").to.be.above(300);
        expect(spread.refusedRetries, "refusals of retries with the spread").to.be.below(storm.refusedRetries / 5);
        // The spread costs little time: the window frees its slots over 20 s anyway.
        expect(spread.lastSuccessAfterMs).to.be.below(300_000 + 60_000);
    });

    it("waits Retry-After plus a spread that grows with each 429 of the same call and is capped", () => {
        const p = { ...DEFAULT_RETRY, random: () => 0.999999 };
        expect(rateLimitDelay(300_000, 0, p)).to.be.within(300_000, 330_000);
        expect(rateLimitDelay(300_000, 1, p)).to.be.within(330_000, 360_000);
        expect(rateLimitDelay(300_000, 5, p)).to.be.at.most(300_000 + 60_000);
        expect(rateLimitDelay(1000, 0, p)).to.be.within(1000, 2000);
        expect(rateLimitDelay(1000, 3, p)).to.be.within(8000, 9000);
        expect(rateLimitDelay(1000, 0, { ...p, random: () => 0 })).to.equal(1000);
    });

    it("gives up a 429 only past its own budget, not after maxRetries or maxElapsedMs", async () => {
        const vt = new VirtualTime();
        let n = 0;
        const always429: Handler = async () => {
            n++;
            return { status: 429, headers: { "retry-after": "280" }, body: {} } as QlikResponse;
        };
        const policy: RetryPolicy = { ...DEFAULT_RETRY, maxRetries: 2, now: vt.now, sleep: vt.sleep, random: () => 0 };
        const req: QlikRequest = { host: "h", method: "POST", path: "/api/v1/tenants", purpose: "create tenant" };
        let status = 0;
        await vt.run(retryPlugin(() => policy)(always429)(req).then((r) => (status = r.status)));
        expect(status).to.equal(429);
        // 280 s waits inside 15 minutes: attempts at 0, 280, 560, 840 s; the next would end past 900 s.
        expect(n).to.equal(4);
    });
});
