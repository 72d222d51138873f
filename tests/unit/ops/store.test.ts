// The rollout tables as `npm run fleet` writes them, in both kinds of master database: SQLite, and PostgreSQL
// (PGlite over the wire protocol with the `pg` driver), with the same statements.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { seed, seedPostgres } from "../../../scripts/seed";
import { smallCustomer } from "../../e2e/fleet-fixture";
import { FleetStore, openMasterSql, toPostgresParams, type Sql } from "../../../examples/fleet/ops/store";
import { startTestPostgres, type TestPostgres } from "../../fixtures/postgres";

const ALIASES = ["acme", "globex", "initech"];

/** A rollout's whole bookkeeping, step by step, against one store. */
async function exerciseStore(sql: Sql): Promise<void> {
    const store = new FleetStore(sql);
    await sql.run("UPDATE customers SET ring = 'canary', template_version = 'v1' WHERE alias = 'acme'");
    await sql.run("UPDATE customers SET ring = 'early', template_version = NULL WHERE alias = 'globex'");
    await sql.run("UPDATE customers SET ring = 'general' WHERE alias = 'initech'");
    await sql.run("INSERT INTO template_releases(version, app_name) VALUES ('v2', 'Sales v2')");

    expect(await store.release("v2")).to.deep.equal({ version: "v2", appName: "Sales v2" });
    expect(await store.release("v9")).to.equal(undefined);
    expect(await store.activeRollout()).to.equal(undefined);
    const all = await store.customers();
    const byAlias = Object.fromEntries(all.map((c) => [c.alias, [c.ring, c.templateVersion]]));
    expect(byAlias).to.deep.equal({ acme: ["canary", "v1"], globex: ["early", null], initech: ["general", null] });

    const r = await store.createRollout("v2");
    expect(r).to.include({ version: "v2", state: "running", currentRing: null });
    expect((await store.activeRollout())?.id).to.equal(r.id);

    const canary = all.filter((c) => c.ring === "canary");
    await store.updateRollout(r.id, { currentRing: "canary" });
    await store.applyRing(r.id, "canary", canary, "v2");
    // A rerun after a crash reads the customer already at v2: its remembered previous version must stay v1.
    await store.applyRing(
        r.id,
        "canary",
        await store.customers().then((cs) => cs.filter((c) => c.ring === "canary")),
        "v2",
    );
    const touched = await store.rolloutCustomers(r.id);
    expect(touched).to.deep.equal([
        {
            customerId: canary[0].id,
            alias: "acme",
            ring: "canary",
            previousVersion: "v1",
            state: "applied",
            detail: "",
        },
    ]);
    expect((await store.customers()).find((c) => c.alias === "acme")?.templateVersion).to.equal("v2");
    expect((await store.customers()).find((c) => c.alias === "globex")?.templateVersion).to.equal(null);

    await store.recordGate(r.id, canary[0].id, "v2", false, "reload r1 failed: no such table: regions");
    await store.recordGate(r.id, canary[0].id, "v2", false, "reload r2 failed: no such table: regions");
    const health = await store.health();
    expect(health.size).to.equal(1);
    expect(health.get(canary[0].id)).to.include({
        gate: "failed",
        templateVersion: "v2",
        detail: "reload r2 failed: no such table: regions",
    });
    expect(Date.parse(health.get(canary[0].id)!.checkedAt)).to.be.greaterThan(0);
    expect((await store.rolloutCustomers(r.id))[0]).to.include({ state: "failed" });

    await store.updateRollout(r.id, { state: "stopped", message: "stopped at ring canary" });
    expect(await store.activeRollout()).to.include({ id: r.id, state: "stopped", currentRing: "canary" });

    const restored = await store.restoreRing(r.id, "canary");
    expect(restored.map((m) => m.alias)).to.deep.equal(["acme"]);
    expect((await store.customers()).find((c) => c.alias === "acme")?.templateVersion).to.equal("v1");
    await store.recordGate(r.id, canary[0].id, "v1", true, "ok", "rolled_back");
    await store.updateRollout(r.id, { state: "rolled_back", message: "ring canary rolled back" });
    expect(await store.activeRollout()).to.equal(undefined);
    expect(await store.lastRollout()).to.include({ id: r.id, state: "rolled_back" });
    expect((await store.rolloutCustomers(r.id))[0]).to.include({ state: "rolled_back", previousVersion: "v1" });

    // A failure inside a transaction leaves nothing half-written.
    const before = await store.customers();
    let failed = false;
    try {
        await sql.tx(async () => {
            await sql.run("UPDATE customers SET template_version = 'half' WHERE alias = 'globex'");
            await sql.run(
                "INSERT INTO rollout_customers(rollout_id, customer_id, ring, state) VALUES (?, ?, 'early', 'bogus')",
                [r.id, before[1].id],
            );
        });
    } catch {
        failed = true;
    }
    expect(failed, "the CHECK on rollout_customers.state refuses 'bogus'").to.equal(true);
    expect(await store.customers()).to.deep.equal(before);

    // A rollout of a version with no release row is refused by the database too (REFERENCES template_releases).
    let orphan = false;
    try {
        await store.createRollout("v9");
    } catch {
        orphan = true;
    }
    expect(orphan).to.equal(true);
}

describe("fleet ops: the rollout tables (store)", function () {
    this.timeout(120_000);
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-ops-store-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("placeholders become $n for PostgreSQL", () => {
        expect(toPostgresParams("UPDATE t SET a = ?, b = ? WHERE c = ?")).to.equal(
            "UPDATE t SET a = $1, b = $2 WHERE c = $3",
        );
    });

    it("records, resumes and rolls back a rollout in a SQLite master database", async () => {
        const s = seed({
            masterDb: path.join(dir, "master.sqlite"),
            customers: ALIASES.map((a) => smallCustomer(a, 20)),
        });
        const sql = await openMasterSql(s.masterDb, dir);
        try {
            await exerciseStore(sql);
        } finally {
            await sql.close();
        }
    });

    describe("in PostgreSQL", () => {
        let pg: TestPostgres | undefined;
        before(async () => {
            pg = await startTestPostgres();
        });
        after(async () => pg?.close());

        it("records, resumes and rolls back a rollout in a PostgreSQL master database", async () => {
            await seedPostgres(pg!.url, { dataDir: dir, customers: ALIASES.map((a) => smallCustomer(a, 20)) });
            const sql = await openMasterSql(
                pg!.url.replace(`:${encodeURIComponent(pg!.password)}@`, "@"),
                dir,
                pg!.password,
            );
            try {
                await exerciseStore(sql);
            } finally {
                await sql.close();
            }
        });
    });
});
