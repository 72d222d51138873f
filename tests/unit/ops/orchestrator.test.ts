// Over 400 lines on purpose: the stand-in shard stack and outcomes serve every part below, one suite keeps them once.
// The orchestrator's pure parts (examples/fleet/ops: shardRunner, events, locks, summary, progress) with stand-in
// shard stacks: the pool bound, engine events mapped to customers, a stale local lock cleared once and a live one
// failing its shard alone, exit codes, the Markdown and JSON reports. tests/e2e/fleet-orchestrator.test.ts runs the
// real CLI over three shard stacks.
import { expect } from "chai";
import * as os from "os";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { customerOfUrn, EventTally, FLEET } from "../../../examples/fleet/ops/events";
import {
    isLockedMessage,
    lockedMessage,
    lockHolders,
    redactUrls,
    staleLocalLock,
} from "../../../examples/fleet/ops/locks";
import {
    defaultParallel,
    pulumiParallel,
    runPool,
    runShards,
    type ShardJob,
    type ShardOutcome,
    type ShardStack,
} from "../../../examples/fleet/ops/shardRunner";
import { exitCodeOf, fleetMarkdown, fleetReport, summaryLines, verdictLine } from "../../../examples/fleet/ops/summary";
import { plainProgress, progressLine, ttyProgress } from "../../../examples/fleet/ops/progress";
import { fleetEnv, type RunResult } from "../../../examples/fleet/ops/stack";
import { merged, ShardedFleet } from "../../../examples/fleet/ops/shardedFleet";
import type { FleetLayout } from "../../../examples/fleet/ops/shardRecords";

const TYPE = "pulumi-nodejs:dynamic/qlik-tenant-fleet";
const urn = (stack: string, type: string, name: string) =>
    `urn:pulumi:${stack}::fleet::qlik-tenant-fleet:index:CustomerTenant$${type}::${name}`;

const step = (kind: "pre" | "out", op: string, name: string, type = `${TYPE}:QlikTenant`, diffs?: string[]) => {
    const metadata = { op, urn: urn("dev", type, name), type, provider: "", diffs } as never;
    return (kind === "pre"
        ? { resourcePreEvent: { metadata } }
        : { resOutputsEvent: { metadata } }) as unknown as EngineEvent;
};

const lockText = (host: string, pid: number) =>
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the " +
    "lock file with `pulumi cancel`.\n" +
    `  postgres://fleet:s3cret@db:5432/state/.pulumi/locks/organization/fleet/dev-1/abc.json: created by root@${host} ` +
    `(pid ${pid}) at 2026-12-02T08:00:00Z`;

/** A shard stack whose runs answer from a script: each call takes the next result. */
class FakeShard implements ShardStack {
    cancelled = 0;
    removed = 0;
    runs = 0;
    constructor(
        readonly name: string,
        private readonly results: (RunResult | Error)[],
        private readonly events: EngineEvent[] = [],
        private readonly gate?: Promise<void>,
    ) {}
    private async next(o: { onEvent?: (e: EngineEvent) => void }): Promise<RunResult> {
        this.runs++;
        await this.gate;
        for (const e of this.events) o.onEvent?.(e);
        const r = this.results.shift() ?? { ok: true, changes: { same: 1 }, errors: [] };
        if (r instanceof Error) throw r;
        return r;
    }
    up = (_l: (l: string) => void, o: { onEvent?: (e: EngineEvent) => void }) => this.next(o);
    preview = (_l: (l: string) => void, o: { onEvent?: (e: EngineEvent) => void }) => this.next(o);
    refresh = (_l: (l: string) => void, o: { onEvent?: (e: EngineEvent) => void }) => this.next(o);
    destroy = (_l: (l: string) => void, o: { onEvent?: (e: EngineEvent) => void }) => this.next(o);
    async cancel() {
        this.cancelled++;
    }
    async remove() {
        this.removed++;
    }
    async resources() {
        return [{ urn: "urn:pulumi:dev-1::fleet::pulumi:pulumi:Stack::fleet-dev-1" }];
    }
}

const job = (shard: number, aliases: string[]): ShardJob => ({
    shard,
    stack: shard ? `dev-${shard}` : "dev",
    aliases,
});

function deps(stacks: Record<string, ShardStack>, lines: string[] = []) {
    return {
        open: async (j: ShardJob) => stacks[j.stack],
        log: (j: ShardJob, l: string) => lines.push(`[${j.stack}] ${l}`),
        cancelHint: (s: string) => `pulumi cancel --yes --stack ${s}`,
    };
}

describe("fleet ops: orchestrator over shards (stand-in stacks)", () => {
    it("bounds the pool: never more than `limit` shards at once, every shard run, results in order", async () => {
        let running = 0;
        let peak = 0;
        const out = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 5 * (8 - n)));
            running--;
            return n * 10;
        });
        expect(out).to.deep.equal([10, 20, 30, 40, 50, 60, 70]);
        expect(peak).to.equal(3);
        expect(defaultParallel(10, 2, 24)).to.equal(2);
        expect(defaultParallel(2, 8, 64)).to.equal(2);
        expect(defaultParallel(10, 8, 64)).to.equal(8);
        expect(defaultParallel(10, 8, 3)).to.equal(3);
        expect(defaultParallel(0, 2, 0.5)).to.equal(1);
        expect([pulumiParallel(1), pulumiParallel(50)]).to.deep.equal([16, 300]);
    });

    it("maps engine events to customers by URN name, the longest alias first, offboarded ones by their names", () => {
        const aliases = ["acme", "acme-eu", "globex"];
        expect(customerOfUrn(urn("dev", "x", "acme-eu-tenant"), aliases)).to.equal("acme-eu");
        expect(customerOfUrn(urn("dev", "x", "acme-publish-forecast"), aliases)).to.equal("acme");
        expect(customerOfUrn(urn("dev", "x", "globex"), aliases)).to.equal("globex");
        expect(customerOfUrn(urn("dev", "x", "fleet-guard"), aliases)).to.equal(undefined);
        // Not in the master database any more (offboarding): its children's names still say whose they are.
        expect(customerOfUrn(urn("dev", "x", "initech-licenses"), aliases)).to.equal("initech");
        expect(customerOfUrn(urn("dev", "x", "initech"), aliases, "qlik-tenant-fleet:index:CustomerTenant")).to.equal(
            "initech",
        );

        const plan = new EventTally(aliases, true);
        for (const e of [
            step("pre", "same", "acme-tenant"),
            step("pre", "update", "acme-eu-groups"),
            step("pre", "update", "acme-eu-licenses"),
            step("pre", "update", "acme-eu-licenses"),
            step("pre", "refresh", "globex-app", undefined, []),
            step("pre", "refresh", "globex-jwt", undefined, ["keyId"]),
            step("pre", "create", "fleet-guard", `${TYPE}:FleetGuard`),
            step("out", "update", "globex-tenant"),
        ])
            plan.onEvent(e);
        plan.onEvent({
            diagnosticEvent: {
                urn: urn("dev", "x", "globex-app"),
                severity: "error",
                message: "\nreload failed: x\nmore",
            },
        } as EngineEvent);
        expect(plan.customers.get("acme-eu")!.changes).to.deep.equal({
            update: ["acme-eu-groups", "acme-eu-licenses"],
        });
        expect(plan.customers.get("globex")).to.deep.equal({
            changes: { refresh: ["globex-jwt"] },
            errors: ["reload failed: x"],
        });
        expect(plan.customers.has("acme")).to.equal(false);
        expect(plan.changed().sort()).to.deep.equal(["acme-eu", "globex"]);
        expect(plan.customers.get(FLEET)!.changes).to.deep.equal({ create: ["fleet-guard"] });

        // A run that applies counts completed steps only.
        const applied = new EventTally(aliases, false);
        applied.onEvent(step("pre", "update", "acme-tenant"));
        applied.onEvent(step("out", "create", "acme-app"));
        expect(applied.customers.get("acme")!.changes).to.deep.equal({ create: ["acme-app"] });
        expect([...applied.touched]).to.deep.equal(["acme"]);
    });

    it("parses lock messages: holders, stale only on this host with a dead pid, passwords redacted", () => {
        const here = os.hostname();
        const text = lockText(here, 4242);
        expect(isLockedMessage(text)).to.equal(true);
        expect(lockHolders(text)).to.deep.equal([{ user: "root", host: here, pid: 4242, at: "2026-12-02T08:00:00Z" }]);
        expect(staleLocalLock(text, here, () => false)?.pid).to.equal(4242);
        expect(staleLocalLock(text, here, () => true)).to.equal(undefined);
        expect(staleLocalLock(lockText("runner-7", 4242), here, () => false)).to.equal(undefined);
        expect(staleLocalLock("error: the stack is currently locked by 1 lock(s).", here, () => false)).to.equal(
            undefined,
        );
        expect(redactUrls(text)).to.contain("postgres://fleet:***@db:5432").and.not.to.contain("s3cret");
        expect(lockedMessage("dev-1", lockText("runner-7", 9), "pulumi cancel --yes --stack dev-1")).to.equal(
            "stack dev-1 is currently locked by root@runner-7 (pid 9) since 2026-12-02T08:00:00Z. If that run is " +
                "over (a killed runner leaves its lock behind), remove the lock with `pulumi cancel --yes --stack " +
                "dev-1` and run the command again; otherwise wait for it to finish.",
        );
    });

    it("clears a stale local lock once and runs again; a live lock fails its shard alone, the others go on", async () => {
        const here = os.hostname();
        // A pid that cannot run: above Linux's pid_max (4194304).
        const stale = new FakeShard("dev-1", [
            { ok: false, changes: {}, errors: [], failure: lockText(here, 99_999_999) },
            { ok: true, changes: { same: 3 }, errors: [] },
        ]);
        const live = new FakeShard("dev-2", [
            { ok: false, changes: {}, errors: [], failure: lockText(here, process.pid) },
        ]);
        const fine = new FakeShard("dev", [], [step("pre", "update", "acme-tenant")]);
        const lines: string[] = [];
        const out = await runShards(
            [job(0, ["acme"]), job(1, ["globex"]), job(2, ["initech"])],
            "preview",
            2,
            deps({ dev: fine, "dev-1": stale, "dev-2": live }, lines),
        );
        expect(out.map((o) => [o.stack, o.ok])).to.deep.equal([
            ["dev", true],
            ["dev-1", true],
            ["dev-2", false],
        ]);
        expect([stale.cancelled, stale.runs, live.cancelled, live.runs]).to.deep.equal([1, 2, 0, 1]);
        expect(lines.filter((l) => /pulumi cancel/.test(l))).to.deep.equal([
            "[dev-1] stack dev-1 was left locked by pid 99999999 on this host, which no longer runs: removed the lock " +
                "(pulumi cancel) and running again",
        ]);
        expect(out[2].failure).to.match(/^stack dev-2 is currently locked by root@.* \(pid \d+\)/);
        expect(out[2].failure).to.contain("`pulumi cancel --yes --stack dev-2`").and.not.to.contain("s3cret");
        expect(out[0].customers.acme.changes).to.deep.equal({ update: ["acme-tenant"] });
    });

    it("a shard whose stack cannot open or whose run throws is a failed shard, not a failed command", async () => {
        const out = await runShards([job(0, ["acme"]), job(1, ["globex"])], "up", 4, {
            ...deps({ dev: new FakeShard("dev", [new Error("engine crashed")]) }),
            open: async (j) => {
                if (j.shard === 1) throw new Error("no stack named dev-1");
                return new FakeShard("dev", [new Error("engine crashed")]);
            },
        });
        expect(out.map((o) => [o.shard, o.ok, o.failure])).to.deep.equal([
            [0, false, "engine crashed"],
            [1, false, "no stack named dev-1"],
        ]);
    });

    it("destroy removes an emptied shard stack k >= 1, never the base stack", async () => {
        const base = new FakeShard("dev", []);
        const one = new FakeShard("dev-1", []);
        await runShards([job(0, []), job(1, [])], "destroy", 2, deps({ dev: base, "dev-1": one }));
        expect([base.removed, one.removed]).to.deep.equal([0, 1]);
    });

    const outcome = (shard: number, o: Partial<ShardOutcome>): ShardOutcome => ({
        shard,
        stack: shard ? `dev-${shard}` : "dev",
        ok: true,
        changes: { same: 10 },
        customers: {},
        errors: [],
        seconds: 1.5,
        ...o,
    });

    it("exit codes: 1 when any shard failed, 2 for changes under drift or --expect-no-changes, else 0", () => {
        const clean = [outcome(0, {}), outcome(1, {})];
        const changed = [
            outcome(0, {}),
            outcome(1, {
                changes: { same: 9, update: 1 },
                customers: { globex: { changes: { update: ["x"] }, errors: [] } },
            }),
        ];
        const failed = [...changed, outcome(2, { ok: false, failure: "boom" })];
        expect(exitCodeOf("drift", clean, false)).to.equal(0);
        expect(exitCodeOf("drift", changed, false)).to.equal(2);
        expect(exitCodeOf("preview", changed, false)).to.equal(0);
        expect(exitCodeOf("preview", changed, true)).to.equal(2);
        expect(exitCodeOf("up", changed, true)).to.equal(2);
        expect(exitCodeOf("drift", failed, false)).to.equal(1);
        expect(exitCodeOf("up", failed, false)).to.equal(1);
    });

    it("reports: one line per changed customer, failures with their first line, Markdown and JSON", () => {
        const r = fleetReport(
            "preview",
            [
                outcome(1, {
                    changes: { same: 8, update: 2 },
                    customers: {
                        hooli: { changes: { update: ["hooli-tenant", "hooli-licenses"] }, errors: [] },
                        umbrella: { changes: {}, errors: ["umbrella-app: reload failed | x"] },
                    },
                }),
                outcome(0, { customers: { acme: { changes: { create: ["acme", "acme-tenant"] }, errors: [] } } }),
                outcome(2, { ok: false, changes: {}, failure: "stack dev-2 is currently locked by ...\nmore" }),
            ],
            false,
        );
        expect(JSON.parse(JSON.stringify(r))).to.deep.equal({
            command: "preview",
            shards: [
                {
                    shard: 0,
                    stack: "dev",
                    ok: true,
                    changes: { same: 10 },
                    customers: { acme: { changes: { create: ["acme", "acme-tenant"] }, errors: [] } },
                    seconds: 1.5,
                },
                {
                    shard: 1,
                    stack: "dev-1",
                    ok: true,
                    changes: { same: 8, update: 2 },
                    customers: {
                        hooli: { changes: { update: ["hooli-tenant", "hooli-licenses"] }, errors: [] },
                        umbrella: { changes: {}, errors: ["umbrella-app: reload failed | x"] },
                    },
                    seconds: 1.5,
                },
                {
                    shard: 2,
                    stack: "dev-2",
                    ok: false,
                    changes: {},
                    customers: {},
                    failure: "stack dev-2 is currently locked by ...\nmore",
                    seconds: 1.5,
                },
            ],
            changedCustomers: ["acme", "hooli"],
            exitCode: 1,
        });
        expect(summaryLines(r)).to.deep.equal([
            "acme (shard 0): 2 to create: acme, acme-tenant",
            "hooli (shard 1): 2 to update: hooli-tenant, hooli-licenses",
            "FAILED umbrella (shard 1): umbrella-app: reload failed | x",
            "FAILED shard 2 (dev-2): stack dev-2 is currently locked by ...",
        ]);
        expect(verdictLine(r)).to.equal("preview: 3 shard(s), 2 customer(s) with changes, 1 shard(s) failed");
        const md = fleetMarkdown(r).split("\n");
        expect(md[0]).to.equal("## fleet preview ❌");
        expect(md).to.include("| 1 | dev-1 | ok | 1 | 2 update | 1.5s |");
        expect(md).to.include("| 2 | dev-2 | FAILED | 0 | no changes | 1.5s |");
        expect(md).to.include("- FAILED umbrella (shard 1): umbrella-app: reload failed \\| x");
        const up = fleetReport(
            "up",
            [outcome(0, { customers: { acme: { changes: { update: ["acme-jwt"] }, errors: [] } } })],
            false,
        );
        expect(summaryLines(up)).to.deep.equal(["acme (shard 0): 1 updated: acme-jwt"]);
        const drift = fleetReport("drift", [outcome(0, { changes: { update: 1, same: 3 } })], false);
        expect(verdictLine(drift)).to.equal("drift: 1 shard(s), 0 customer(s) with changes: drift: 1 to update");
    });

    it("the caller's PULUMI_HOME, PULUMI_BACKEND_URL and passphrase reach the engine (a runner brings its own)", () => {
        const record = { pulumi: "/opt/pulumi/bin/pulumi", pathDirs: [], node: process.execPath } as never;
        const saved = { ...process.env };
        try {
            process.env.PULUMI_BACKEND_URL = "postgres://runner@db/state";
            process.env.PULUMI_CONFIG_PASSPHRASE = "runner-passphrase";
            delete process.env.PULUMI_HOME_OVERRIDE;
            const env = fleetEnv(record, { PULUMI_HOME: "/runner/home" });
            expect([env.PULUMI_HOME, env.PULUMI_BACKEND_URL, env.PULUMI_CONFIG_PASSPHRASE]).to.deep.equal([
                "/runner/home",
                "postgres://runner@db/state",
                "runner-passphrase",
            ]);
            expect(fleetEnv(record, { PULUMI_HOME: "/a", PULUMI_HOME_OVERRIDE: "/b" }).PULUMI_HOME).to.equal("/b");
            expect(fleetEnv(record, {}).PULUMI_HOME).to.not.equal("/runner/home");
        } finally {
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
            Object.assign(process.env, saved);
        }
    });

    it("merges shard outcomes into one run result for rollouts: a lock anywhere stays recognisable", () => {
        const r = merged([
            outcome(0, {
                changes: { same: 3, update: 1 },
                errors: [{ urn: "urn::acme-app", message: "reload failed" }],
            }),
            outcome(1, { ok: false, changes: { same: 2 }, failure: "stack dev-1 is currently locked by a@b (pid 1)" }),
        ]);
        expect(r).to.deep.equal({
            ok: false,
            changes: { same: 5, update: 1 },
            errors: [{ urn: "urn::acme-app", message: "reload failed" }],
            failure: "stack dev-1: stack dev-1 is currently locked by a@b (pid 1)",
        });
        expect(isLockedMessage(r.failure!)).to.equal(true);
    });

    it("a rollout ring's up runs only the shards holding its customers; a plain up runs every shard", async () => {
        const layout: FleetLayout = {
            base: "dev",
            shardSize: 2,
            shards: [0, 1, 2],
            byShard: new Map([
                [0, ["acme", "globex"]],
                [1, ["hooli", "initech"]],
                [2, ["umbrella"]],
            ]),
            unrecorded: [],
        };
        const shards = [new FakeShard("dev", []), new FakeShard("dev-1", []), new FakeShard("dev-2", [])];
        class Fleet extends ShardedFleet {
            override layout = async () => layout;
            override shardStack = async (k: number) => shards[k] as never;
        }
        const project = { stackNames: async () => ["dev", "dev-1", "dev-2", "other"] } as never;
        const fleet = new Fleet(
            project,
            { name: "dev", cwd: "/x" } as never,
            async () => [],
            () => undefined,
        );
        const ring = await fleet.up(() => undefined, { customers: ["initech", "umbrella"] });
        expect(ring.ok).to.equal(true);
        expect(shards.map((x) => x.runs)).to.deep.equal([0, 1, 1]);
        expect((await fleet.up(() => undefined, { customers: ["nobody"] })).ok).to.equal(true);
        expect(shards.map((x) => x.runs)).to.deep.equal([0, 1, 1]);
        await fleet.up(() => undefined);
        expect(shards.map((x) => x.runs)).to.deep.equal([1, 2, 2]);
    });

    it("progress: a terminal gets its shard lines redrawn in place, a pipe gets prefixed engine lines", () => {
        const written: string[] = [];
        const stream = { columns: 80, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream;
        const jobs = [job(0, ["acme"]), job(1, ["globex", "hooli"])];
        const tty = ttyProgress(stream, jobs);
        tty.line(jobs[0], "engine chatter");
        const base = { command: "up" as const, touched: 0, changed: 0, failed: 0, startedAt: Date.now() };
        tty.update({ ...base, job: jobs[1], state: "running" });
        tty.update({ ...base, job: jobs[1], state: "done", touched: 2, changed: 1, endedAt: Date.now() });
        tty.close();
        expect(written.join("")).not.to.contain("engine chatter");
        const [first, second] = written;
        expect(first.split("\n").filter(Boolean)).to.have.length(2);
        expect(first).not.to.contain("\x1b[2A");
        expect(second.startsWith("\x1b[2A")).to.equal(true);
        expect(second).to.contain("shard 1 (dev-1): up done 2/2 customers, 1 changed, 0 failed");
        const plain: string[] = [];
        const p = plainProgress((l) => plain.push(l));
        p.line(jobs[1], "Updating (dev-1):\n\n    + acme-tenant created  \n");
        expect(plain).to.deep.equal(["[dev-1] Updating (dev-1):", "[dev-1]     + acme-tenant created"]);
    });

    it("draws one progress line per shard", () => {
        expect(
            progressLine(
                {
                    job: job(
                        3,
                        Array.from({ length: 50 }, (_, i) => `c${i}`),
                    ),
                    command: "up",
                    state: "running",
                    touched: 12,
                    changed: 2,
                    failed: 0,
                    startedAt: 1_000,
                },
                42_000,
            ),
        ).to.equal("shard 3 (dev-3): up 12/50 customers, 2 changed, 0 failed, 41s");
    });
});
