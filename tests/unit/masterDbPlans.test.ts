// Schema 2 of the master database (docs/master-database.md, docs/plans.md): the plan catalogue, rings, template
// releases and health read into CustomerRecord; a schema-1 file read as-is and migrated in place by the seed;
// the seat cap and plan app keys validated; the program's plan arguments and guard pieces.
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import { seed, registerRelease, DEMO_CUSTOMERS } from "../../scripts/seed";
import { readMasterDb } from "../../examples/fleet/masterDb";
import { SCHEMA_VERSION } from "../../examples/fleet/schema";
import { customerRowProblems } from "../../examples/fleet/validate";
import { planArgs, planPieces } from "../../examples/fleet/plans";

// The schema-1 tables as they were (commit 1cb103c, examples/fleet/schema.ts), with the value CHECKs left out.
const SCHEMA1_DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, alias TEXT NOT NULL UNIQUE, region TEXT,
    license_type TEXT NOT NULL DEFAULT 'analyzer', template_version TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));
CREATE TABLE customer_connections (customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name TEXT NOT NULL, datasource_id TEXT NOT NULL, database TEXT, host TEXT, port INTEGER, username TEXT,
    password TEXT, PRIMARY KEY (customer_id, name));
CREATE TABLE groups (customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE, name TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '', space_role TEXT NOT NULL DEFAULT 'consumer', PRIMARY KEY (customer_id, name));
CREATE TABLE users (customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE, subject TEXT NOT NULL,
    name TEXT NOT NULL, email TEXT NOT NULL, license_type TEXT, PRIMARY KEY (customer_id, subject));
CREATE TABLE user_groups (customer_id TEXT NOT NULL, subject TEXT NOT NULL, group_name TEXT NOT NULL,
    PRIMARY KEY (customer_id, subject, group_name),
    FOREIGN KEY (customer_id, subject) REFERENCES users(customer_id, subject) ON DELETE CASCADE,
    FOREIGN KEY (customer_id, group_name) REFERENCES groups(customer_id, name) ON DELETE CASCADE);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO customers(id, name, alias, template_version) VALUES ('c1', 'Hooli', 'hooli', 'v7');
INSERT INTO customer_connections(customer_id, name, datasource_id, database) VALUES ('c1', 'CustomerDB', 'sqlite', 'h.sqlite');
INSERT INTO groups(customer_id, name) VALUES ('c1', 'Hooli Staff');
INSERT INTO users(customer_id, subject, name, email, license_type) VALUES ('c1', 'hooli\\gavin', 'Gavin', 'g@hooli.example', 'professional');
INSERT INTO user_groups VALUES ('c1', 'hooli\\gavin', 'Hooli Staff');
`;

const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const small = DEMO_CUSTOMERS.map((c) => ({ ...c, data: { seed: c.alias, orders: 5, accounts: 2 } }));

describe("master database schema 2: plans, rings, releases, health", function () {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-plans-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the demo seed: customers on two plans and three rings, each plan resolved with its apps", () => {
        const s = seed({ masterDb: path.join(dir, "master.sqlite"), customers: small });
        const byAlias = Object.fromEntries(readMasterDb(s.masterDb).map((c) => [c.alias, c]));
        expect(Object.values(byAlias).map((c) => [c.alias, c.plan.name, c.ring])).to.deep.equal([
            ["acme", "premium", "canary"],
            ["globex", "standard", "general"],
            ["initech", "standard", "early"],
        ]);
        expect(byAlias.acme.plan).to.deep.equal({
            name: "premium",
            description: byAlias.acme.plan.description,
            professionalSeats: 5,
            autoAssignProfessional: false,
            autoAssignAnalyzer: true,
            creatorRoles: true,
            authorsSpaceRole: "producer",
            apps: [{ key: "forecast", templateAppName: "Sales Forecast", templateVersion: "" }],
        });
        expect(byAlias.globex.plan).to.deep.include({
            name: "standard",
            professionalSeats: null,
            autoAssignAnalyzer: false,
            creatorRoles: false,
            authorsSpaceRole: null,
            apps: [],
        });
        const raw = new Database(s.masterDb, { readonly: true });
        const plans = raw.prepare("SELECT name FROM plans ORDER BY name").all() as { name: string }[];
        expect(plans.map((p) => p.name)).to.deep.equal(["enterprise", "premium", "standard"]);
        expect(
            (raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
        ).to.equal(String(SCHEMA_VERSION));
        raw.close();
        expect(customerRowProblems(Object.values(byAlias))).to.deep.equal([]);
    });

    it("template releases and the last gate: templateRelease by the customer's own or the fleet's version, lastGate", async () => {
        const s = seed({ masterDb: path.join(dir, "master.sqlite"), customers: small });
        await registerRelease(s.masterDb, { version: "2026.11", appName: "Customer Sales Analytics" });
        await registerRelease(s.masterDb, { version: "2026.12", appName: "Customer Sales Analytics 2026.12" });
        // A label names one app for good: registering it again with another app changes nothing.
        await registerRelease(s.masterDb, { version: "2026.12", appName: "something else" });
        const db = new Database(s.masterDb);
        db.prepare("UPDATE customers SET template_version = '2026.12' WHERE alias = 'acme'").run();
        db.prepare(
            "INSERT INTO customer_health(customer_id, template_version, gate, detail, checked_at) VALUES ('cust-001', '2026.12', 'failed', 'Field not found: <Amount>', '2026-12-02T05:00:00Z')",
        ).run();
        db.close();
        const byAlias = Object.fromEntries(
            readMasterDb(s.masterDb, { fleetTemplateVersion: "2026.11" }).map((c) => [c.alias, c]),
        );
        expect(byAlias.acme.templateRelease).to.deep.equal({
            version: "2026.12",
            appName: "Customer Sales Analytics 2026.12",
        });
        expect(byAlias.globex.templateRelease).to.deep.equal({
            version: "2026.11",
            appName: "Customer Sales Analytics",
        });
        expect(byAlias.acme.lastGate).to.deep.equal({
            templateVersion: "2026.12",
            gate: "failed",
            detail: "Field not found: <Amount>",
            checkedAt: "2026-12-02T05:00:00Z",
        });
        expect(byAlias.globex.lastGate).to.equal(undefined);
        // Without the fleet's version, only a pinned customer names a release.
        expect(readMasterDb(s.masterDb).find((c) => c.alias === "globex")!.templateRelease).to.equal(undefined);
    });

    it("a schema-1 file: read as plan standard / ring general without writing it; the seed migrates it in place", () => {
        const file = path.join(dir, "v1.sqlite");
        new Database(file).exec(SCHEMA1_DDL).close();
        const before = sha(file);
        const asV1 = readMasterDb(file);
        expect(sha(file), "reading never writes").to.equal(before);
        expect(asV1).to.have.length(1);
        expect(asV1[0]).to.deep.include({ alias: "hooli", ring: "general", templateVersion: "v7" });
        expect(asV1[0].plan).to.deep.include({
            name: "standard",
            apps: [],
            professionalSeats: null,
            // Not managed: a migrated fleet declares exactly what it did before plans existed.
            creatorRoles: null,
            autoAssignAnalyzer: null,
            autoAssignProfessional: null,
        });

        const r = seed({ masterDb: file, customers: [] });
        expect(r.created).to.equal(false);
        const raw = new Database(file, { readonly: true });
        expect(
            (raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value,
        ).to.equal(String(SCHEMA_VERSION));
        expect(raw.prepare("SELECT plan, ring, shard FROM customers").all()).to.deep.equal([
            { plan: "standard", ring: "general", shard: null },
        ]);
        expect(raw.prepare("SELECT name FROM plans").all()).to.deep.equal([{ name: "standard" }]);
        raw.close();
        // The same records after the migration (the description is the migration's standard row).
        const migrated = readMasterDb(file);
        expect(migrated.map((c) => ({ ...c, plan: { ...c.plan, description: "" } }))).to.deep.equal(asV1);
        // A second seed has nothing left to migrate.
        const again = sha(file);
        seed({ masterDb: file, customers: [] });
        expect(sha(file)).to.equal(again);
        // The migrated database enforces schema 2's rules.
        const rw = new Database(file);
        rw.pragma("foreign_keys = ON");
        expect(() => rw.prepare("UPDATE customers SET plan = 'gold'").run()).to.throw(/FOREIGN KEY/);
        expect(() => rw.prepare("UPDATE customers SET ring = 'beta'").run()).to.throw(/CHECK/);
        rw.close();
    });

    it("validation: more professional users than the plan's seats, and a plan app key that is not a host label", () => {
        const s = seed({ masterDb: path.join(dir, "master.sqlite"), customers: small });
        const db = new Database(s.masterDb);
        db.prepare("UPDATE plans SET professional_seats = 0 WHERE name = 'premium'").run();
        db.prepare(
            "INSERT INTO plan_apps(plan, app_key, template_app_name) VALUES ('premium', 'Big_Board', 'Board')",
        ).run();
        db.close();
        const problems = customerRowProblems(readMasterDb(s.masterDb));
        expect(problems.map((p) => `${p.row} ${p.field}`)).to.deep.equal([
            'plan_apps plan="premium" app_key="Big_Board" app_key',
            'customers id=cust-001 (alias "acme") plan',
        ]);
        // acme has one professional user (maria) on premium, now capped at 0.
        expect(problems[1].problem).to.match(
            /plan "premium" allows 0 professional seat\(s\) but the customer has 1 professional user/,
        );
        expect(problems[0].problem).to.match(/host label/);
    });

    it("the program's plan arguments: standard turns the settings off; premium adds its pieces; NULL is not managed", () => {
        const s = seed({ masterDb: path.join(dir, "master.sqlite"), customers: small });
        const byAlias = Object.fromEntries(readMasterDb(s.masterDb).map((c) => [c.alias, c]));
        expect(planArgs(byAlias.globex)).to.deep.equal({
            tenantSettings: {
                autoAssignCreateSharedSpacesRoleToProfessionals: false,
                autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: false,
            },
            licenseSettings: { autoAssignProfessional: false, autoAssignAnalyzer: false },
        });
        expect(planPieces(byAlias.globex)).to.deep.equal([]);
        expect(planArgs(byAlias.acme)).to.deep.equal({
            extraApps: [
                {
                    key: "forecast",
                    template: { appName: "Sales Forecast", version: "" },
                    name: "Sales Forecast",
                    managedSpaceName: "Acme Corporation Forecast",
                },
            ],
            authorsSpace: { name: "Acme Corporation Authors", role: "producer" },
            tenantSettings: {
                autoAssignCreateSharedSpacesRoleToProfessionals: true,
                autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
            },
            licenseSettings: { autoAssignProfessional: false, autoAssignAnalyzer: true },
        });
        expect(planPieces(byAlias.acme)).to.deep.equal([
            'app forecast: "Sales Forecast" published in "Acme Corporation Forecast" (sheets its users made in it are deleted with it)',
            'authors space: shared space "Acme Corporation Authors"',
        ]);
        // A plan that manages nothing (the standard row a schema-1 migration inserts) declares nothing.
        const unmanaged = {
            ...byAlias.globex,
            plan: {
                ...byAlias.globex.plan,
                autoAssignProfessional: null,
                autoAssignAnalyzer: null,
                creatorRoles: null,
            },
        };
        expect(planArgs(unmanaged)).to.deep.equal({});
    });
});
