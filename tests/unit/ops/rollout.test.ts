// The ring logic of `npm run fleet -- rollout` on a real SQLite master database, with a stand-in for the stack: its
// `up` "deploys" each customer's customers.template_version unless that release is set to fail for the customer
// (then it keeps the old version, as AppCopy does), and the gate passes when the deployed version is the wanted one.
// The real stack, gates and CLI run in tests/e2e/fleet-rollout.test.ts; here: ordering, stop, crash, resume, rollback,
// a stack left locked by a killed run, a release whose app is missing, a customer added mid-rollout.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import { seed } from "../../../scripts/seed";
import { smallCustomer } from "../../e2e/fleet-fixture";
import type { OpsContext, StackOps } from "../../../examples/fleet/ops/context";
import { FleetStore, sqliteSql } from "../../../examples/fleet/ops/store";
import { resumeRollout, rollbackRollout, RolloutRefused, startRollout } from "../../../examples/fleet/ops/rollout";
import type { RunResult, StateResource } from "../../../examples/fleet/ops/stack";

const RINGS: Record<string, string> = { acme: "canary", globex: "early", initech: "general" };

class FakeStack implements StackOps {
    readonly name = "test";
    readonly cwd = "/nowhere";
    readonly deployed: Record<string, string> = { acme: "v1", globex: "v1", initech: "v1" };
    /** Releases whose deploy fails for a customer: "alias@version". */
    readonly failing = new Set<string>();
    /** The n-th up (1-based) dies like a killed process: it throws instead of returning. */
    crashAt = 0;
    /** The n-th up (1-based) finds the stack locked, as Pulumi's file backend answers after a killed `up`. */
    lockedAt = 0;
    /** Runs before the n-th up deploys (an operator acting during the rollout). */
    beforeUp?: (n: number) => void;
    ups = 0;

    constructor(
        private readonly db: Database.Database,
        private readonly fleetDefault: string,
    ) {}

    async up(): Promise<RunResult> {
        this.ups++;
        if (this.ups === this.crashAt) throw new Error("killed");
        if (this.ups === this.lockedAt)
            return {
                ok: false,
                changes: {},
                errors: [],
                failure:
                    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end " +
                    "or delete the lock file with `pulumi cancel`.",
            };
        this.beforeUp?.(this.ups);
        const rows = this.db.prepare("SELECT alias, template_version AS v FROM customers").all() as {
            alias: string;
            v: string | null;
        }[];
        const errors = [];
        for (const r of rows) {
            const want = r.v ?? this.fleetDefault;
            if (this.failing.has(`${r.alias}@${want}`))
                errors.push({ urn: `urn::${r.alias}-app`, message: `reload of ${want} failed` });
            else this.deployed[r.alias] = want;
        }
        return { ok: errors.length === 0, changes: {}, errors };
    }

    async preview(): Promise<RunResult> {
        return { ok: true, changes: {}, errors: [] };
    }

    async resources(): Promise<StateResource[]> {
        return Object.entries(this.deployed).map(([alias, v]) => ({
            urn: `urn:pulumi:test::fleet::x$pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy::${alias}-app`,
            type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy",
            outputs: { templateVersion: v, reloadStatus: "SUCCEEDED" },
        }));
    }

    async outputs(): Promise<Record<string, unknown>> {
        return {};
    }
}

describe("fleet ops: rollout rings (stand-in stack, real master database)", function () {
    this.timeout(60_000);
    let dir: string;
    let db: Database.Database;
    let stack: FakeStack;
    let ctx: OpsContext;
    let store: FleetStore;
    /** The apps of the source tenant by name: each release's app once, unless a test says otherwise. */
    let sourceApps: Map<string, number>;

    const versions = () =>
        Object.fromEntries(
            (
                db.prepare("SELECT alias, template_version AS v FROM customers").all() as {
                    alias: string;
                    v: string | null;
                }[]
            ).map((r) => [r.alias, r.v]),
        );

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-ops-rollout-"));
        const s = seed({
            masterDb: path.join(dir, "master.sqlite"),
            customers: Object.keys(RINGS).map((a) => smallCustomer(a, 20)),
        });
        db = new Database(s.masterDb);
        for (const [alias, ring] of Object.entries(RINGS))
            db.prepare("UPDATE customers SET ring = ?, template_version = NULL WHERE alias = ?").run(ring, alias);
        db.prepare("UPDATE customers SET template_version = 'v1' WHERE alias = 'acme'").run();
        for (const v of ["v1", "v2", "v3"])
            db.prepare("INSERT OR IGNORE INTO template_releases(version, app_name) VALUES (?, ?)").run(v, `Sales ${v}`);
        sourceApps = new Map(["v1", "v2", "v3"].map((v) => [`Sales ${v}`, 1]));
        stack = new FakeStack(db, "v1");
        store = new FleetStore(sqliteSql(s.masterDb));
        ctx = {
            stack,
            store,
            log: () => undefined,
            fleetDefaultVersion: "v1",
            customers: async () => [],
            api: () => {
                throw new Error("no API in this test");
            },
            origin: (h) => `https://${h}`,
            templateApps: async (name) => ({ count: sourceApps.get(name) ?? 0, where: "source.example" }),
            gate: async (input) => {
                const app = input.resources.find((r) => r.urn.endsWith(`::${input.alias}-app`));
                const v = String(app?.outputs?.templateVersion);
                return v === input.version
                    ? { passed: true, detail: `runs ${v}` }
                    : {
                          passed: false,
                          detail:
                              input.errors.find((e) => e.urn.endsWith(`::${input.alias}-app`))?.message ?? `runs ${v}`,
                      };
            },
            close: () => store.sql.close(),
        };
    });
    afterEach(async () => {
        await ctx.close();
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("moves ring by ring, then one last up for the outputs", async () => {
        const o = await startRollout(ctx, "v2");
        expect(o.rollout).to.include({ state: "done", currentRing: "general" });
        expect(o.finalUp).to.equal("done");
        expect(stack.ups).to.equal(4);
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2" });
        expect(Object.fromEntries(Object.entries(o.gates).map(([a, g]) => [a, g.passed]))).to.deep.equal({
            acme: true,
            globex: true,
            initech: true,
        });
        const rows = await store.rolloutCustomers(o.rollout.id);
        expect(rows.map((r) => [r.alias, r.previousVersion, r.state])).to.deep.equal([
            ["acme", "v1", "passed"],
            ["globex", null, "passed"],
            ["initech", null, "passed"],
        ]);
    });

    it("refuses an unregistered release and a second rollout while one is stopped", async () => {
        await startRollout(ctx, "v9").then(
            () => expect.fail("accepted v9"),
            (e: Error) => {
                expect(e).to.be.instanceOf(RolloutRefused);
                expect(e.message).to.contain("template_releases").and.to.contain("INSERT INTO template_releases");
            },
        );
        stack.failing.add("acme@v3");
        await startRollout(ctx, "v3");
        await startRollout(ctx, "v2").then(
            () => expect.fail("accepted a second rollout"),
            (e: Error) => expect(e.message).to.match(/is stopped at ring canary.*rollout resume.*rollout rollback/s),
        );
    });

    it("stops at the failing ring with later rings untouched; rollback restores it", async () => {
        stack.failing.add("acme@v3");
        const o = await startRollout(ctx, "v3");
        expect(o.rollout).to.include({ state: "stopped", currentRing: "canary" });
        expect(o.finalUp).to.equal("skipped");
        expect(o.gates.acme).to.deep.equal({ passed: false, detail: "reload of v3 failed" });
        expect(stack.ups).to.equal(1);
        expect(versions()).to.deep.equal({ acme: "v3", globex: null, initech: null });
        expect((await store.health()).size).to.equal(1);

        const r = await rollbackRollout(ctx);
        expect(r.rollout).to.include({ state: "rolled_back", currentRing: "canary" });
        expect(r.gates.acme).to.deep.equal({ passed: true, detail: "runs v1" });
        expect(versions()).to.deep.equal({ acme: "v1", globex: null, initech: null });
        expect((await store.rolloutCustomers(r.rollout.id))[0]).to.include({
            state: "rolled_back",
            previousVersion: "v1",
        });
        await rollbackRollout(ctx).then(
            () => expect.fail("a second rollback found something to do"),
            (e: Error) => expect(e.message).to.contain("is rolled_back"),
        );
    });

    it("resumes the stopped ring after a fix, or with a newer release", async () => {
        stack.failing.add("acme@v2");
        stack.failing.add("globex@v2");
        expect((await startRollout(ctx, "v2")).rollout.state).to.equal("stopped");
        stack.failing.delete("acme@v2"); // the canary's data fixed
        const r1 = await resumeRollout(ctx);
        expect(r1.rollout).to.include({ state: "stopped", currentRing: "early" });
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: null });
        const ups = stack.ups;
        const r2 = await resumeRollout(ctx, "v3"); // a fixed release: it starts over at the canary ring
        expect(r2.rollout).to.include({ state: "done", version: "v3" });
        expect(stack.ups - ups, "canary, early, general, outputs").to.equal(4);
        expect(versions()).to.deep.equal({ acme: "v3", globex: "v3", initech: "v3" });
        // globex's version before the rollout is remembered once: the fleet default, not v2.
        const rows = await store.rolloutCustomers(r2.rollout.id);
        expect(rows.find((x) => x.alias === "globex")).to.include({ previousVersion: null, state: "passed" });
        expect(rows.find((x) => x.alias === "acme")).to.include({ previousVersion: "v1", state: "passed" });
    });

    it("a crash mid-rollout and a rerun of the same command converge", async () => {
        stack.crashAt = 2; // the early ring's up dies
        await startRollout(ctx, "v2").then(
            () => expect.fail("the crash did not surface"),
            (e: Error) => expect(e.message).to.equal("killed"),
        );
        expect(await store.activeRollout()).to.include({ state: "running", currentRing: "early" });
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: null });
        const o = await startRollout(ctx, "v2");
        expect(o.rollout).to.include({ state: "done" });
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2" });
        const rows = await store.rolloutCustomers(o.rollout.id);
        expect(rows.map((r) => [r.alias, r.previousVersion, r.state])).to.deep.equal([
            ["acme", "v1", "passed"],
            ["globex", null, "passed"],
            ["initech", null, "passed"],
        ]);
        expect((await store.lastRollout())?.id).to.equal(o.rollout.id);
    });

    it("a stack left locked by a killed run: refused with the way out, no gate recorded; the rerun converges", async () => {
        stack.lockedAt = 2; // the early ring's up finds the lock of the killed run
        await startRollout(ctx, "v2").then(
            () => expect.fail("a locked stack was taken for a result"),
            (e: Error) => {
                expect(e).to.be.instanceOf(RolloutRefused);
                expect(e.message)
                    .to.contain("`npm run pulumi -- cancel --yes --stack test --cwd /nowhere`")
                    .and.to.contain("run the same command again: it continues rollout 1 at ring early");
            },
        );
        expect(await store.activeRollout()).to.include({ state: "running", currentRing: "early" });
        expect([...(await store.health()).keys()], "only the canary's gate").to.have.length(1);
        const rows = await store.rolloutCustomers(1);
        expect(rows.find((r) => r.alias === "globex")).to.include({ state: "applied", detail: "" });
        const o = await startRollout(ctx, "v2");
        expect(o.rollout).to.include({ id: 1, state: "done" });
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2" });
    });

    it("refuses a release whose app the source tenant does not hold, before any ring moves", async () => {
        db.prepare("INSERT INTO template_releases(version, app_name) VALUES ('v4', 'Sales v4 (typo)')").run();
        await startRollout(ctx, "v4").then(
            () => expect.fail("accepted a release with no app"),
            (e: Error) => {
                expect(e).to.be.instanceOf(RolloutRefused);
                expect(e.message).to.match(
                    /"Sales v4 \(typo\)".*source tenant source\.example holds no app.*Nothing was changed/s,
                );
            },
        );
        sourceApps.set("Sales v4 (typo)", 2);
        await startRollout(ctx, "v4").then(
            () => expect.fail("accepted a release with two apps of its name"),
            (e: Error) => expect(e.message).to.contain("holds 2 apps of that name"),
        );
        expect(await store.lastRollout()).to.equal(undefined);
        expect(stack.ups).to.equal(0);
        expect(versions()).to.deep.equal({ acme: "v1", globex: null, initech: null });
    });

    it("a customer added to the master database during the rollout moves with its ring", async () => {
        const cols = (db.prepare("PRAGMA table_info(customers)").all() as { name: string }[]).map((c) => c.name);
        const copy = cols.map((c) =>
            c === "id" ? "'c-late'" : c === "alias" ? "'hooli'" : c === "name" ? "'Hooli'" : c,
        );
        stack.beforeUp = (n) => {
            // While the canary ring deploys, the ISV onboards Hooli into the general ring.
            if (n === 1)
                db.prepare(
                    `INSERT INTO customers(${cols.join(", ")}) SELECT ${copy.join(", ")} FROM customers WHERE alias = 'initech'`,
                ).run();
        };
        const o = await startRollout(ctx, "v2");
        expect(o.rollout.state).to.equal("done");
        expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2", hooli: "v2" });
        expect(o.gates.hooli).to.deep.equal({ passed: true, detail: "runs v2" });
        const rows = await store.rolloutCustomers(o.rollout.id);
        expect(rows.find((r) => r.alias === "hooli")).to.include({
            ring: "general",
            previousVersion: null,
            state: "passed",
        });
    });
});
