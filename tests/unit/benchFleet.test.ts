// The bench's own arithmetic (bench/lib): the request log read in pieces, 429s per host, the lower bound at the
// register host's tenant-create limit, and the chart's extrapolation. The bench prints numbers, so these are what
// would make the numbers wrong without anyone noticing.
import { expect } from "chai";
import { RequestCollector, count429, requestSpan } from "../../bench/lib/requestCollector";
import { computeLowerBound } from "../../bench/lib/lowerBound";
import { fit, fleetChartSvg, type ChartRun } from "../../bench/lib/fleetChart";
import type { EmulatorProcess } from "../../bench/lib/emulatorProcess";
import type { LoggedRequest } from "../../emulator/core/requestLog";

const REGISTER = "register.us.qlikcloud.com";
const SOURCE = "source.us.qlikcloud.com";

function entry(seq: number, over: Partial<LoggedRequest> = {}): LoggedRequest {
    return {
        seq,
        time: new Date(1_700_000_000_000 + seq * 10).toISOString(),
        method: "GET",
        host: "t1.us.qlikcloud.com",
        path: "/api/v1/users/me",
        status: 200,
        ...over,
    };
}

describe("bench: request log, 429s, lower bound at N = 1000, chart", () => {
    it("reads the log in pieces from the last sequence seen and counts what the ring dropped", async () => {
        // A ring of 5 entries: the bench reads after 3 more, then after 9 more (4 of them dropped meanwhile).
        let log: LoggedRequest[] = [entry(1), entry(2)];
        const emu = {
            requests: async (since = 0) => log.filter((e) => e.seq > since),
            lastSeq: async () => log[log.length - 1].seq,
        } as unknown as EmulatorProcess;
        const c = await RequestCollector.start(emu, 3_600_000);
        log = [1, 2, 3, 4, 5].map((s) => entry(s));
        await (c as unknown as { poll(): Promise<void> }).poll();
        log = [10, 11, 12, 13, 14].map((s) => entry(s));
        const got = await c.stop();
        expect(got.map((e) => e.seq)).to.deep.equal([3, 4, 5, 10, 11, 12, 13, 14]);
        expect(c.lost).to.equal(4);
    });

    it("counts 429s per kind of host and spans 40,000 requests without a stack overflow", () => {
        const reqs = [
            entry(1, { host: REGISTER, status: 429 }),
            entry(2, { host: REGISTER, status: 429 }),
            entry(3, { host: SOURCE, status: 429 }),
            entry(4, { host: "a.us.qlikcloud.com", tenantId: "ta", status: 429 }),
            entry(5, { host: "a-alias.us.qlikcloud.com", tenantId: "ta", status: 429 }),
            entry(6, { host: "b.us.qlikcloud.com", tenantId: "tb", status: 429 }),
            entry(7, { host: REGISTER, status: 201 }),
        ];
        expect(count429(reqs, { registerHost: REGISTER, sourceHost: SOURCE })).to.deep.equal({
            register: 2,
            source: 1,
            tenants: 3,
            maxPerTenantHost: 2,
        });
        const many = Array.from({ length: 40_000 }, (_, i) => entry(i + 1, { durationMs: 5 }));
        expect(requestSpan(many)).to.equal(39_999 * 10 + 5);
    });

    it("puts 1,000 tenant creates of one client a whole 5-minute window apart after the 500th", () => {
        const creates = (n: number) =>
            Array.from({ length: n }, (_, i) =>
                entry(i + 1, { host: REGISTER, method: "POST", path: "/api/v1/tenants", status: 201 }),
            );
        const at = (n: number) =>
            computeLowerBound({ requests: creates(n), registerHost: REGISTER, sourceHost: SOURCE });
        expect(at(500).rateLimitMs).to.equal(0);
        const b = at(1000);
        expect(b.rateLimitMs).to.be.at.least(300_000);
        expect(b.ms).to.equal(b.rateLimitMs);
        expect(b.rateLimitBucket).to.contain("1000 calls, budget 500 per 5 min");
        expect(at(1001).rateLimitMs).to.be.at.least(600_000);
    });

    it("fits a quadratic exactly and extrapolates the one-stack series hollow, never below the bound", () => {
        const f = fit(
            [1, 2, 3, 4].map((n) => ({ n, y: 2 + 3 * n + 0.5 * n * n })),
            2,
        )!;
        expect(f(10)).to.be.closeTo(2 + 30 + 50, 1e-6);
        expect(fit([{ n: 1, y: 1 }], 1)).to.equal(undefined);
        const run: ChartRun = {
            machine: { cpus: 2, pulumi: "3.274.1" },
            date: "2026-12-02T000000",
            options: {},
            results: [
                ...[10, 25, 50].map((n) => ({
                    n,
                    mode: "single",
                    fleet: { upMs: 1000 * n, lowerBound: { ms: 5790 } },
                })),
                {
                    n: 1000,
                    mode: "sharded",
                    sharded: {
                        up: { ms: 400_000, memory: { treePeakKiB: 1 } },
                        preview: { memory: { treePeakKiB: 1 } },
                        drift: { memory: { treePeakKiB: 1 } },
                        lowerBound: { ms: 305_790 },
                    },
                },
            ],
        };
        const svg = fleetChartSvg([run]);
        // The one-stack line at N = 1000: 1000 s from the fit (linear here), drawn hollow.
        expect(svg).to.match(
            /<circle[^>]*fill="white"[^>]*><title>pulumi up, one stack: N=1000, 1000\.0 s \(extrapolated\)/,
        );
        expect(svg).to.match(/fleet up, sharded: N=1000, 400\.0 s<\/title>/);
    });
});
