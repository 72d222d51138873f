// The master database in PostgreSQL through the one connection setting (fleet:masterDb = postgres://...),
// against a real PostgreSQL engine (PGlite) over the wire protocol with the `pg` driver.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { seed, seedPostgres } from "../../scripts/seed";
import { loadCustomers, masterDbLocation, type CustomerRecord } from "../../examples/fleet/masterDb";
import { describePostgresUrl, postgresClientConfig } from "../../examples/fleet/masterDbPostgres";
import { startTestPostgres, type TestPostgres } from "../fixtures/postgres";
import { SCHEMA_VERSION } from "../../examples/fleet/schema";

/** A record without what differs by design between two seeds: random passwords and file locations. */
// created_at is when each seed ran (ISO text to the second in both databases), so it is compared by its form only.
const comparable = (customers: CustomerRecord[]) =>
    customers.map(({ createdAt, ...c }) => ({
        ...c,
        createdAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(createdAt),
        connections: c.connections.map(({ password: _p, database: _d, ...rest }) => rest),
    }));

async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
        await c.query(text, params);
    } finally {
        await c.end();
    }
}

describe("master database in PostgreSQL (fleet:masterDb = postgres://...)", function () {
    this.timeout(60_000);
    let pg: TestPostgres;
    let dir: string;

    before(async () => {
        pg = await startTestPostgres();
    });
    after(async () => pg?.close());
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-pg-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a schema-less database fails with the seed command to run, and never prints the password", async () => {
        const err = await loadCustomers(pg.url).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.match(/customers.*does not exist/);
        expect(err?.message).to.contain("node dist/scripts/seed.js --master-db");
        expect(err?.message).to.contain(describePostgresUrl(pg.url));
        expect(err?.message).to.not.contain(pg.password);
    });

    it("the seed creates the schema and the same customers as the SQLite seed; the reader returns them", async () => {
        const r = await seedPostgres(pg.url, { dataDir: dir });
        expect(r.created).to.equal(true);
        expect(r.masterDb).to.not.contain(pg.password);
        const fromPg = await loadCustomers(pg.url);
        seed({ masterDb: path.join(dir, "sqlite", "master.sqlite") });
        const fromSqlite = await loadCustomers(path.join(dir, "sqlite", "master.sqlite"));
        expect(comparable(fromPg)).to.deep.equal(comparable(fromSqlite));
        const acme = fromPg.find((c) => c.alias === "acme")!;
        expect(acme.users.find((u) => u.subject === "acme\\maria")).to.deep.include({
            licenseType: "professional",
            groups: ["Acme Finance", "Acme Sales"],
        });
        // Business databases are SQLite files the rows point at with absolute paths.
        expect(acme.connections[0].database).to.equal(path.join(dir, "customers", "acme.sqlite"));
        expect(fs.existsSync(acme.connections[0].database!)).to.equal(true);
        expect(acme.connections[0].password).to.be.a("string").with.length.greaterThan(16);
    });

    it("a second seed changes nothing and keeps the ISV's own edits; the schema's rules hold", async () => {
        const again = await seedPostgres(pg.url, { dataDir: dir });
        expect(again.created).to.equal(false);
        await sql(pg.url, "DELETE FROM customers WHERE alias = 'initech'");
        await sql(pg.url, "INSERT INTO customers(id, name, alias) VALUES ('cust-009', 'Hooli', 'hooli')");
        await sql(
            pg.url,
            "INSERT INTO customer_connections(customer_id, name, datasource_id, host, port, username) VALUES ('cust-009', 'CustomerDB', 'postgres', 'db.hooli.example', 5432, 'reader')",
        );
        await seedPostgres(pg.url, { dataDir: dir });
        const customers = await loadCustomers(pg.url);
        expect(customers.map((c) => c.alias)).to.deep.equal(["acme", "globex", "hooli"]);
        const hooli = customers.find((c) => c.alias === "hooli")!;
        expect(hooli).to.deep.include({ licenseType: "analyzer", users: [], groups: [] });
        expect(hooli.connections[0]).to.deep.include({
            datasourceId: "postgres",
            host: "db.hooli.example",
            port: 5432,
            database: undefined,
        });
        // The cascade removed initech's users and groups too.
        const err = await sql(
            pg.url,
            "INSERT INTO customers(id, name, alias) VALUES ('cust-010', 'Bad', 'Not_A_Host')",
        ).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.match(/check constraint/);
    });

    it("QLIK_FLEET_MASTER_DB holding a URL selects PostgreSQL; anything else is a SQLite path", async () => {
        const saved = process.env.QLIK_FLEET_MASTER_DB;
        try {
            process.env.QLIK_FLEET_MASTER_DB = pg.url;
            expect(masterDbLocation(undefined, "/repo")).to.deep.equal({ kind: "postgres", url: pg.url });
            expect((await loadCustomers(undefined)).length).to.equal(3);
            expect(masterDbLocation("postgresql://h/db", "/repo")).to.deep.equal({
                kind: "postgres",
                url: "postgresql://h/db",
            });
            expect(masterDbLocation("db/m.sqlite", "/repo")).to.deep.equal({
                kind: "sqlite",
                file: "/repo/db/m.sqlite",
            });
        } finally {
            if (saved === undefined) delete process.env.QLIK_FLEET_MASTER_DB;
            else process.env.QLIK_FLEET_MASTER_DB = saved;
        }
    });

    it("an unreachable server fails within the timeout, naming the setting to fix, without the password", async () => {
        const closed = pg.url.replace(`:${pg.port}/`, ":1/");
        const started = Date.now();
        const err = await loadCustomers(closed).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(Date.now() - started).to.be.lessThan(20_000);
        expect(err?.message).to.match(/ECONNREFUSED/);
        expect(err?.message).to.contain("fleet:masterDb");
        expect(err?.message).to.not.contain(pg.password);
    });

    it("a password given apart from the URL (fleet:masterDbPassword) goes to the driver, and is never printed", async () => {
        const bare = pg.url.replace(`:${encodeURIComponent(pg.password)}@`, "@");
        expect(bare).to.not.contain(pg.password);
        expect(postgresClientConfig(bare, "another-S3cret")).to.include({
            password: "another-S3cret",
            connectionTimeoutMillis: 15_000,
            query_timeout: 15_000,
        });
        // The URL's own password wins; the separate one is not sent.
        expect(postgresClientConfig(pg.url, "another-S3cret")).to.not.have.property("password");
        // (PGlite trusts every login, so reading through it shows the setting is accepted, not checked.)
        const customers = await loadCustomers(bare, { password: "another-S3cret" });
        expect(customers.length).to.equal(3);
        const err = await loadCustomers(bare.replace(`:${pg.port}/`, ":1/"), { password: "another-S3cret" }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.not.contain("another-S3cret");
    });

    it("a schema-1 database is read as plan standard / ring general; the seed migrates it in place", async () => {
        const before = await loadCustomers(pg.url);
        // Back to schema 1: the tables and columns schema 2 added, gone (a database made by the previous version).
        await sql(
            pg.url,
            `DROP TABLE rollout_customers, rollouts, customer_health, template_releases, plan_apps;
             ALTER TABLE customers DROP COLUMN plan, DROP COLUMN ring, DROP COLUMN shard;
             DROP TABLE plans;
             UPDATE meta SET value = '1' WHERE key = 'schema_version'`,
        );
        const asV1 = await loadCustomers(pg.url);
        expect(asV1.map((c) => [c.alias, c.plan.name, c.ring])).to.deep.equal(
            before.map((c) => [c.alias, "standard", "general"]),
        );
        await seedPostgres(pg.url, { dataDir: dir });
        const migrated = await loadCustomers(pg.url);
        expect(migrated.map((c) => ({ ...c, plan: { ...c.plan, description: "" } }))).to.deep.equal(
            asV1.map((c) => ({ ...c, plan: { ...c.plan, description: "" } })),
        );
        const c = new Client({ connectionString: pg.url });
        await c.connect();
        try {
            expect((await c.query("SELECT value FROM meta WHERE key = 'schema_version'")).rows[0].value).to.equal(
                String(SCHEMA_VERSION),
            );
            expect((await c.query("SELECT name FROM plans")).rows).to.deep.equal([{ name: "standard" }]);
            const err = await c.query("UPDATE customers SET ring = 'beta'").then(
                () => undefined,
                (e: Error) => e,
            );
            expect(err?.message).to.match(/check constraint/);
            // Schema 3: customers.shard added NULL (not placed), read back as a number once recorded.
            const negative = await c.query("UPDATE customers SET shard = -1").then(
                () => undefined,
                (e: Error) => e,
            );
            expect(negative?.message).to.match(/check constraint/);
            await c.query("UPDATE customers SET shard = 4 WHERE alias = 'globex'");
        } finally {
            await c.end();
        }
        const shards = (await loadCustomers(pg.url)).map((x) => [x.alias, x.shard]);
        expect(shards).to.deep.include(["globex", 4]).and.deep.include(["acme", undefined]);
    });
});
