// Shards (docs/master-database.md#shards): stack names, the deterministic assignment, the schema-3 migration of a
// schema-2 file, and the stack program declaring only its own shard's customers (under Pulumi's mocks, in a child
// process: the mocks and the config are process-wide).
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import {
    DEFAULT_SHARD_SIZE,
    assignShards,
    shardOfStack,
    shardStackName,
    type ShardCandidate,
} from "../../examples/fleet/shards";
import { SCHEMA_VERSION } from "../../examples/fleet/schema";
import { readMasterDb } from "../../examples/fleet/masterDb";
import { seed, DEMO_CUSTOMERS } from "../../scripts/seed";

const ROOT = path.resolve(__dirname, "../../..");
const smallDemo = () => DEMO_CUSTOMERS.map((c) => ({ ...c, data: { seed: c.alias, orders: 5, accounts: 2 } }));

/** n customers created one second apart, aliases c000.. */
function fleet(n: number, recorded: Record<string, number> = {}): ShardCandidate[] {
    return Array.from({ length: n }, (_, i) => {
        const alias = `c${String(i).padStart(3, "0")}`;
        const createdAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
        return alias in recorded ? { alias, createdAt, shard: recorded[alias] } : { alias, createdAt };
    });
}

const counts = (m: Map<string, number>) => {
    const out: Record<number, number> = {};
    for (const k of m.values()) out[k] = (out[k] ?? 0) + 1;
    return out;
};

describe("shards: names and the deterministic assignment", () => {
    it("stack names: shard 0 is the base itself, k >= 1 is <base>-<k>, and back", () => {
        expect(shardStackName("dev", 0)).to.equal("dev");
        expect(shardStackName("dev", 3)).to.equal("dev-3");
        expect(shardOfStack("dev", "dev")).to.equal(0);
        expect(shardOfStack("dev", "dev-12")).to.equal(12);
        for (const other of ["dev-01", "dev-", "dev-x", "devs-1", "prod-1", "dev-0"])
            expect(shardOfStack("dev", other), other).to.equal(undefined);
        // A base that itself ends in -<n>: its shards are still told apart from it.
        expect(shardOfStack("eu-2", "eu-2-4")).to.equal(4);
        expect(() => shardStackName("dev", -1)).to.throw(/integer >= 0/);
        expect(DEFAULT_SHARD_SIZE).to.equal(50);
    });

    it("a fleet of at most shardSize unplaced customers is one shard, shard 0 (today's one-stack fleet)", () => {
        const m = assignShards(fleet(50), 50);
        expect(counts(m)).to.deep.equal({ 0: 50 });
    });

    it("unplaced customers fill the lowest shard with room, in (createdAt, alias) order, opening max+1 when full", () => {
        const m = assignShards(fleet(7), 3);
        expect([...m.entries()].sort()).to.deep.equal([
            ["c000", 0],
            ["c001", 0],
            ["c002", 0],
            ["c003", 1],
            ["c004", 1],
            ["c005", 1],
            ["c006", 2],
        ]);
        // Ties of createdAt (SQLite's second resolution) are broken by alias, whatever the input order.
        const tied = ["b", "a", "c"].map((alias) => ({ alias, createdAt: "2026-01-01T00:00:00Z" }));
        expect(assignShards(tied, 2)).to.deep.equal(
            new Map([
                ["a", 0],
                ["b", 0],
                ["c", 1],
            ]),
        );
    });

    it("recorded shards are kept, even over size; a gap below the highest shard is filled first", () => {
        // shard 0 holds 4 (over a size of 3), shard 2 holds 1, shard 1 is empty.
        const recorded = { c000: 0, c001: 0, c002: 0, c003: 0, c004: 2 };
        const m = assignShards(fleet(9), 3);
        const r = assignShards(fleet(9, recorded), 3);
        for (const [alias, k] of Object.entries(recorded)) expect(r.get(alias), alias).to.equal(k);
        expect(counts(r)).to.deep.equal({ 0: 4, 1: 3, 2: 2 });
        expect(m).to.not.deep.equal(r);
    });

    it("adding a customer moves nobody, and the answer does not depend on the input order", () => {
        const before = assignShards(fleet(120), 50);
        const recorded = Object.fromEntries(before);
        const grown = assignShards(fleet(121, recorded), 50);
        for (const [alias, k] of before) expect(grown.get(alias), alias).to.equal(k);
        expect(grown.get("c120")).to.equal(2);
        // Even without records, one more (newer) customer moves nobody: placement only appends.
        const unrecorded = assignShards(fleet(121), 50);
        for (const [alias, k] of before) expect(unrecorded.get(alias), alias).to.equal(k);
        const shuffled = [...fleet(121)].reverse();
        expect(assignShards(shuffled, 50)).to.deep.equal(unrecorded);
        expect(() => assignShards([], 0)).to.throw(/shardSize must be an integer >= 1/);
    });
});

describe("master database schema 3: customers.shard", function () {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-shards-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a schema-2 file is read as unplaced and migrated in place by the seed; the CHECK refuses a negative shard", () => {
        const file = path.join(dir, "master.sqlite");
        seed({ masterDb: file, customers: smallDemo() });
        // Back to schema 2: customers without the shard column, as the previous version made it.
        const raw = new Database(file);
        raw.exec(`ALTER TABLE customers DROP COLUMN shard; UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
        raw.close();
        const asV2 = readMasterDb(file);
        expect(asV2.map((c) => c.shard)).to.deep.equal([undefined, undefined, undefined]);
        for (const c of asV2) expect(c.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

        seed({ masterDb: file, customers: [] });
        const db = new Database(file);
        try {
            expect(
                (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
            ).to.equal(String(SCHEMA_VERSION));
            expect(SCHEMA_VERSION).to.equal(3);
            expect(readMasterDb(file)).to.deep.equal(asV2);
            db.prepare("UPDATE customers SET shard = 2 WHERE alias = 'globex'").run();
            expect(() => db.prepare("UPDATE customers SET shard = -1 WHERE alias = 'acme'").run()).to.throw(/CHECK/);
        } finally {
            db.close();
        }
        expect(readMasterDb(file).map((c) => [c.alias, c.shard])).to.deep.equal([
            ["acme", undefined],
            ["globex", 2],
            ["initech", undefined],
        ]);
    });
});

interface ProgramRun {
    aliases: string[];
    guardCustomers: string[];
    shard: number;
    otherShards?: Record<string, number>;
}

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const tenants = [];
let guard;
Promise.resolve(pulumi.runtime.setMocks({
    newResource(a) {
        if (a.type === "qlik-tenant-fleet:index:CustomerTenant") tenants.push(a.name);
        if (a.name === "fleet-guard") guard = a.inputs;
        return { id: a.name + "-id", state: a.inputs };
    },
    call(a) { return a.inputs; },
}, "qlik-tenant-fleet", process.env.STACK, true, "organization")).then(async () => {
    const program = require(${JSON.stringify(path.join(ROOT, "dist/examples/fleet/index.js"))});
    try {
        const out = await program();
        const shard = await new Promise((r) => pulumi.output(out.shard).apply(r));
        await new Promise((r) => setTimeout(r, 200));
        const guardCustomers = Object.keys(guard.customers || {}).sort();
        const extra = guard.otherShards ? { otherShards: guard.otherShards } : {};
        process.stdout.write(JSON.stringify({ aliases: tenants.sort(), guardCustomers, shard, ...extra }));
    } catch (e) {
        process.stdout.write(JSON.stringify({ error: e.message }));
    }
});
`;

/** Runs the real stack program under Pulumi's mocks with this config; its CustomerTenants, guard entries and shard. */
function runProgram(stack: string, config: Record<string, string>): Promise<ProgramRun & { error?: string }> {
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["-e", PROGRAM],
            {
                cwd: ROOT,
                timeout: 120_000,
                env: {
                    ...process.env,
                    STACK: stack,
                    QLIK_SKIP_CONFIG_CHECK: "1",
                    PULUMI_CONFIG: JSON.stringify({ "qlik:region": "us", ...config }),
                },
            },
            (err, stdout, stderr) => {
                if (err) return reject(new Error(`${err.message}\n${stderr}`));
                try {
                    resolve(JSON.parse(stdout));
                } catch {
                    reject(new Error(`no result printed: ${stdout}\n${stderr}`));
                }
            },
        );
    });
}

describe("the stack program declares only its shard's customers", function () {
    this.timeout(300_000);
    let dir: string;
    let file: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-shard-program-"));
        file = path.join(dir, "master.sqlite");
        seed({ masterDb: file, customers: smallDemo() });
        // globex recorded in shard 1 (e.g. moved there by a rebalance); a bad row in shard 1 (initech's email).
        const db = new Database(file);
        db.prepare("UPDATE customers SET shard = 1 WHERE alias IN ('globex', 'initech')").run();
        db.pragma("ignore_check_constraints = ON");
        db.prepare(
            "UPDATE users SET email = 'not an email' WHERE customer_id = (SELECT id FROM customers WHERE alias = 'initech')",
        ).run();
        db.close();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("no shard config: shard 0 with its customers, shard output 0, guard over the same customers", async () => {
        const r = await runProgram("dev", { "fleet:masterDb": file });
        expect(r.error).to.equal(undefined);
        expect(r).to.deep.equal({
            aliases: ["acme"],
            guardCustomers: ["acme"],
            shard: 0,
            otherShards: { globex: 1, initech: 1 },
        });
    });

    it("shard 1: its customers only, and the bad row of shard 1 is reported (not shard 0's business)", async () => {
        const r = await runProgram("dev-1", {
            "fleet:masterDb": file,
            "fleet:shard": "1",
            "qlik:owner": "organization/qlik-tenant-fleet/dev",
        });
        expect(r.error)
            .to.match(/initech/)
            .and.match(/email/);
    });

    it("a shard k >= 1 without qlik:owner is refused with the command that fixes it; bad settings name the key", async () => {
        const r = await runProgram("dev-1", { "fleet:masterDb": file, "fleet:shard": "1" });
        expect(r.error)
            .to.match(/qlik:owner is not set/)
            .and.match(/config set qlik:owner .*\/dev --stack dev-1/);
        const bad = await runProgram("dev", { "fleet:masterDb": file, "fleet:shardSize": "0" });
        expect(bad.error).to.match(/fleet:shardSize must be an integer >= 1, got "0"/);
    });

    it("shardSize 1 and no recorded shards would spread the rest: unrecorded customers fill shards in order", async () => {
        const db = new Database(file);
        db.prepare("UPDATE customers SET shard = NULL WHERE alias = 'initech'").run();
        db.prepare(
            "UPDATE users SET email = 'ok@initech.example' WHERE customer_id = (SELECT id FROM customers WHERE alias = 'initech')",
        ).run();
        db.close();
        // acme unrecorded, globex recorded in 1, initech unrecorded; size 1: acme -> 0 (oldest), initech -> 2.
        const owner = { "qlik:owner": "organization/qlik-tenant-fleet/dev" };
        const s1 = await runProgram("dev-1", {
            "fleet:masterDb": file,
            "fleet:shard": "1",
            "fleet:shardSize": "1",
            ...owner,
        });
        expect(s1).to.deep.equal({
            aliases: ["globex"],
            guardCustomers: ["globex"],
            shard: 1,
            otherShards: { acme: 0, initech: 2 },
        });
        const s2 = await runProgram("dev-2", {
            "fleet:masterDb": file,
            "fleet:shard": "2",
            "fleet:shardSize": "1",
            ...owner,
        });
        expect(s2).to.deep.equal({
            aliases: ["initech"],
            guardCustomers: ["initech"],
            shard: 2,
            otherShards: { acme: 0, globex: 1 },
        });
        // One shard (size 50, nothing recorded elsewhere): exactly today's guard inputs, no otherShards.
        const db2 = new Database(file);
        db2.prepare("UPDATE customers SET shard = NULL").run();
        db2.close();
        const one = await runProgram("dev", { "fleet:masterDb": file });
        expect(one).to.deep.equal({
            aliases: ["acme", "globex", "initech"],
            guardCustomers: ["acme", "globex", "initech"],
            shard: 0,
        });
    });
});
