import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import { seed, addCustomer, DEMO_CUSTOMERS } from "../../scripts/seed";
import { readMasterDb, masterDbPath } from "../../examples/fleet/masterDb";
import { businessTotals, ensureBusinessDb } from "../../scripts/seed/businessDb";

describe("seed: master database and customers' business databases", function () {
    let dir: string;
    let master: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-seed-"));
        master = path.join(dir, "data", "master.sqlite");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("creates the three demo customers with users, groups and a secret-bearing connection", () => {
        const r = seed({ masterDb: master });
        expect(r.created).to.equal(true);
        const customers = readMasterDb(master);
        expect(customers.map((c) => c.alias)).to.deep.equal(["acme", "globex", "initech"]);
        const acme = customers[0];
        expect(acme.users.find((u) => u.subject === "acme\\john")).to.deep.include({
            name: "John Smith",
            licenseType: "analyzer",
            groups: ["Acme Sales"],
        });
        expect(acme.users.find((u) => u.subject === "acme\\maria")?.licenseType).to.equal("professional");
        expect(acme.groups.map((g) => g.name)).to.deep.equal(["Acme Finance", "Acme Sales"]);
        expect(acme.groups[0].spaceRole).to.equal("consumer");
        const conn = acme.connections[0];
        expect(conn).to.include({ name: "CustomerDB", datasourceId: "sqlite" });
        expect(path.isAbsolute(conn.database!)).to.equal(true);
        expect(conn.database).to.equal(path.join(dir, "data", "customers", "acme.sqlite"));
        expect(conn.password).to.be.a("string").with.length.greaterThan(16);
        expect(customers[1].users[0]).to.deep.include({ subject: "globex\\linda", name: "Linda Chen" });
    });

    it("gives every customer different, deterministic business data", () => {
        seed({ masterDb: master });
        const totals = ["acme", "globex", "initech"].map((a) =>
            businessTotals(path.join(dir, "data", "customers", `${a}.sqlite`)),
        );
        expect(totals.map((t) => t.orders)).to.deep.equal([3000, 2200, 1500]);
        expect(new Set(totals.map((t) => t.amount)).size).to.equal(3);
        // Same spec elsewhere -> same numbers (seeded PRNG, not Math.random).
        const other = path.join(dir, "again.sqlite");
        ensureBusinessDb(other, DEMO_CUSTOMERS[0].data);
        expect(businessTotals(other)).to.deep.equal(totals[0]);
    });

    it("is idempotent and leaves the ISV's later edits alone", () => {
        seed({ masterDb: master });
        const before = readMasterDb(master);
        const acmeDb = before[0].connections[0].database!;
        const mtime = fs.statSync(acmeDb).mtimeMs;
        const db = new Database(master);
        db.pragma("foreign_keys = ON");
        db.prepare("DELETE FROM customers WHERE alias = 'initech'").run();
        db.close();

        const again = seed({ masterDb: master });
        expect(again.created).to.equal(false);
        expect(again.generated).to.deep.equal([]);
        const after = readMasterDb(master);
        expect(after.map((c) => c.alias)).to.deep.equal(["acme", "globex"]);
        // Passwords are generated once, not on every run.
        expect(after[0].connections[0].password).to.equal(before[0].connections[0].password);
        expect(fs.statSync(acmeDb).mtimeMs).to.equal(mtime);
        // Cascade removed the offboarded customer's users, groups and connection.
        const raw = new Database(master, { readonly: true });
        expect(
            (raw.prepare("SELECT COUNT(*) AS n FROM users WHERE customer_id = 'cust-003'").get() as { n: number }).n,
        ).to.equal(0);
        raw.close();
    });

    it("regenerates a business database that was deleted", () => {
        seed({ masterDb: master });
        const globex = path.join(dir, "data", "customers", "globex.sqlite");
        fs.rmSync(globex);
        const r = seed({ masterDb: master });
        expect(r.generated).to.deep.equal([globex]);
        expect(businessTotals(globex).orders).to.equal(2200);
    });

    it("onboards one more customer with addCustomer, and refuses a duplicate alias", () => {
        seed({ masterDb: master });
        const db = new Database(master);
        db.pragma("foreign_keys = ON");
        const spec = {
            ...DEMO_CUSTOMERS[2],
            id: "cust-004",
            name: "Umbrella",
            alias: "umbrella",
            data: { seed: "umbrella", orders: 800 },
            groups: [{ name: "Umbrella Staff" }],
            users: [
                {
                    subject: "umbrella\\alice",
                    name: "Alice",
                    email: "alice@umbrella.example",
                    groups: ["Umbrella Staff"],
                },
            ],
        };
        addCustomer(db, master, spec);
        expect(() => addCustomer(db, master, { ...spec, id: "cust-005" })).to.throw(/UNIQUE/);
        db.close();
        const all = readMasterDb(master);
        expect(all.map((c) => c.alias)).to.include("umbrella");
        expect(businessTotals(all.find((c) => c.alias === "umbrella")!.connections[0].database!).orders).to.equal(800);
    });

    it("rejects an alias that cannot be a host label", () => {
        seed({ masterDb: master });
        const db = new Database(master);
        expect(() =>
            db.prepare("INSERT INTO customers(id, name, alias) VALUES ('x', 'X', 'Bad_Alias')").run(),
        ).to.throw(/CHECK/);
        db.close();
    });

    it("resolves the master database path from the argument, then QLIK_FLEET_MASTER_DB, then .data/", () => {
        const saved = process.env.QLIK_FLEET_MASTER_DB;
        try {
            delete process.env.QLIK_FLEET_MASTER_DB;
            expect(masterDbPath(undefined, "/repo")).to.equal("/repo/.data/master.sqlite");
            process.env.QLIK_FLEET_MASTER_DB = "/elsewhere/m.sqlite";
            expect(masterDbPath(undefined, "/repo")).to.equal("/elsewhere/m.sqlite");
            expect(masterDbPath("x.sqlite", "/repo")).to.equal("/repo/x.sqlite");
        } finally {
            if (saved === undefined) delete process.env.QLIK_FLEET_MASTER_DB;
            else process.env.QLIK_FLEET_MASTER_DB = saved;
        }
    });

    it("fails with a useful message when the master database is missing", () => {
        expect(() => readMasterDb(path.join(dir, "nope.sqlite"))).to.throw(/does not exist: run/);
    });
});
