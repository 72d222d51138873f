// One source of truth for values: the master database's CHECK constraints (generated from
// provider/naming.ts) accept exactly what the provider's check() and the row validator accept.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import { applySchema } from "../../examples/fleet/schema";
import { seed, DEMO_CUSTOMERS } from "../../scripts/seed";
import { readMasterDb, MasterDbError } from "../../examples/fleet/masterDb";
import { customerRowProblems, assertValidCustomers } from "../../examples/fleet/validate";
import { isValidAlias, isValidEmail, KNOWN_REGIONS } from "../../provider/naming";
import { handlers as tenant } from "../../provider/resources/qlikTenant";

const ALIASES = [
    "acme",
    "a",
    "a1",
    "1a",
    "trail-",
    "-lead",
    "mid-dle",
    "a--b",
    "UPPER",
    "dot.ted",
    "under_score",
    "register",
    "registers",
    "",
    "x".repeat(63),
    "x".repeat(64),
    "ümlaut",
    "sp ace",
    "a-1-b",
    "9",
    "-",
];
const EMAILS = [
    "john@acme.example",
    "a@b.c",
    "no-at.example",
    "two@@x.com",
    "a@b@c.com",
    "@acme.example",
    "john@",
    "john@acme",
    "john@.com",
    "john@acme.",
    "jo hn@acme.example",
    "john@acme.example ",
    "john\t@x.y",
    "first.last+tag@sub.acme.example",
    "a@b..c",
    "",
];

describe("naming rules: the database and check() accept the same values", function () {
    let dir: string;
    let db: Database.Database;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-naming-"));
        db = new Database(path.join(dir, "m.sqlite"));
        applySchema(db);
    });
    afterEach(() => {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const dbAccepts = (sql: string, params: unknown[]): boolean => {
        try {
            db.prepare(sql).run(...params);
            return true;
        } catch (e) {
            if (/CHECK constraint failed/.test((e as Error).message)) return false;
            throw e;
        }
    };

    it("alias: SQLite CHECK, the row validator and QlikTenant.check() agree on every edge case", async () => {
        for (const [i, alias] of ALIASES.entries()) {
            const inDb = dbAccepts("INSERT INTO customers(id, name, alias) VALUES (?, ?, ?)", [`c${i}`, "Name", alias]);
            const checked = await tenant.check({}, { alias, displayName: "Name" });
            const inCheck = !(checked.failures ?? []).some((f) => f.property === "alias");
            expect(inDb, `database on ${JSON.stringify(alias)}`).to.equal(isValidAlias(alias));
            expect(inCheck, `check() on ${JSON.stringify(alias)}`).to.equal(isValidAlias(alias));
        }
        expect(isValidAlias("trail-")).to.equal(false);
    });

    it("email: SQLite CHECK and the row validator agree", () => {
        db.prepare("INSERT INTO customers(id, name, alias) VALUES ('c1', 'C', 'cone')").run();
        for (const [i, email] of EMAILS.entries()) {
            const inDb = dbAccepts("INSERT INTO users(customer_id, subject, name, email) VALUES ('c1', ?, 'U', ?)", [
                `s${i}`,
                email,
            ]);
            expect(inDb, `database on ${JSON.stringify(email)}`).to.equal(isValidEmail(email));
        }
        expect(isValidEmail("john@acme.example")).to.equal(true);
        expect(isValidEmail("no-at.example")).to.equal(false);
    });

    it("region: the database, check() and the provider config know the same regions", async () => {
        for (const region of [...KNOWN_REGIONS, "zz", "Europe", "US"]) {
            const ok = KNOWN_REGIONS.includes(region);
            expect(
                dbAccepts("INSERT INTO customers(id, name, alias, region) VALUES (?, 'N', ?, ?)", [
                    `r-${region}`,
                    `r-${region.toLowerCase()}x`,
                    region,
                ]),
                region,
            ).to.equal(ok);
            const checked = await tenant.check({}, { alias: "acme", displayName: "Acme", region });
            expect(!(checked.failures ?? []).some((f) => f.property === "region"), `check() on ${region}`).to.equal(ok);
        }
    });

    it("reports every invalid row at once, with the row and the field", () => {
        const good = seed({
            masterDb: path.join(dir, "good", "master.sqlite"),
            customers: DEMO_CUSTOMERS.map((c) => ({ ...c, data: { seed: c.alias, orders: 5, accounts: 2 } })),
        });
        const customers = readMasterDb(good.masterDb);
        expect(customerRowProblems(customers)).to.deep.equal([]);
        // Rows a database made under older, looser rules can still hold.
        customers[0].alias = "trail-";
        customers[1].users[0].email = "linda at globex";
        customers[2].groups[0].spaceRole = "owner";
        customers[2].connections = [];
        const problems = customerRowProblems(customers);
        expect(problems.map((p) => `${p.row.split(" ")[0]}.${p.field}`)).to.deep.equal([
            "customers.alias",
            "users.email",
            "customers.customer_connections",
            "groups.space_role",
        ]);
        expect(() => assertValidCustomers(customers, "/x/master.sqlite")).to.throw(
            /4 invalid value\(s\); nothing was changed[\s\S]*trail-[\s\S]*linda at globex/,
        );
    });
});

describe("master database: empty, unreadable or schema-less is an error naming the file and the fix", function () {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-masterdb-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a 0-byte file is refused, never read as zero customers, and the seed does not re-seed it", () => {
        const file = path.join(dir, "master.sqlite");
        fs.writeFileSync(file, "");
        expect(() => readMasterDb(file)).to.throw(
            MasterDbError,
            new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is empty \\(0 bytes\\).*Fix: restore it`),
        );
        expect(() => seed({ masterDb: file })).to.throw(/is empty \(0 bytes\)/);
        expect(fs.statSync(file).size, "the seed wrote nothing into the user's file").to.equal(0);
    });

    it("a file that is not a database, and a database without the schema, are refused", () => {
        const junk = path.join(dir, "junk.sqlite");
        fs.writeFileSync(junk, "this is not a database, just text that is long enough to look like a file header");
        expect(() => readMasterDb(junk)).to.throw(MasterDbError, /junk\.sqlite cannot be read .*Fix:/);
        const bare = path.join(dir, "bare.sqlite");
        new Database(bare).exec("CREATE TABLE other(x)").close();
        expect(() => readMasterDb(bare)).to.throw(
            MasterDbError,
            /bare\.sqlite has no master-database schema \(missing table\(s\) customers, customer_connections/,
        );
    });
});
