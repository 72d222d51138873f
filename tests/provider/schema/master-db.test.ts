// The master database's CHECK constraints (examples/fleet/schema.ts) and the resource schemas accept the same values:
// a customer row the database takes never fails a resource's check() in the middle of an up, and the other way round.
// Each value is tried against a real SQLite database and against the schema field that receives it.
import { expect } from "chai";
import Database = require("better-sqlite3");
import { applySchema } from "../../../examples/fleet/schema";
import { qlikTenantInputs } from "../../../provider/schema/qlikTenant";
import { LICENSE_TYPES, licenseAssignmentInputs } from "../../../provider/schema/licenseAssignment";
import { managedSpacePublishInputs } from "../../../provider/schema/managedSpacePublish";
import { sharedSpaceInputs } from "../../../provider/schema/sharedSpace";
import { KNOWN_REGIONS } from "../../../provider/naming";

const ALIASES = ["acme", "a", "1a", "a--b", "x".repeat(63), "x".repeat(64), "trail-", "-lead", "UPPER", "dot.ted"];
const MORE_ALIASES = ["under_score", "register", "registers", "", "ümlaut", "sp ace", "-", "a-1-b"];
const REGIONS = [...KNOWN_REGIONS, "Europe", "US", "eu-west-1", "", "xx"];
const LICENSES = [...LICENSE_TYPES, "Professional", "premium", "full", ""];
const ROLES = ["consumer", "contributor", "dataconsumer", "facilitator", "publisher", "basicconsumer"];
const MORE_ROLES = ["producer", "Consumer", "codeveloper", "facilitator ", ""];
const SHARED = ["consumer", "dataconsumer", "facilitator", "producer", "codeveloper"];
const MORE_SHARED = ["contributor", "publisher", "basicconsumer", "Producer", "owner", "producer ", ""];

function db(): Database.Database {
    const d = new Database(":memory:");
    applySchema(d);
    return d;
}

function accepts(d: Database.Database, sql: string, ...args: unknown[]): boolean {
    try {
        d.prepare(sql).run(...args);
        return true;
    } catch (e) {
        if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_CHECK") return false;
        throw e;
    }
}

describe("master database constraints agree with the resource schemas", () => {
    it("customers.alias CHECK == QlikTenant.alias", () => {
        const d = db();
        for (const [i, alias] of [...ALIASES, ...MORE_ALIASES].entries()) {
            const inDb = accepts(d, "INSERT INTO customers (id, name, alias) VALUES (?, 'n', ?)", `c${i}`, alias);
            expect(inDb, JSON.stringify(alias)).to.equal(qlikTenantInputs.alias.safeParse(alias).success);
        }
        d.close();
    });

    it("customers.region CHECK == QlikTenant.region", () => {
        const d = db();
        for (const [i, region] of REGIONS.entries()) {
            const inDb = accepts(
                d,
                "INSERT INTO customers (id, name, alias, region) VALUES (?, 'n', ?, ?)",
                `c${i}`,
                `a${i}`,
                region,
            );
            expect(inDb, JSON.stringify(region)).to.equal(qlikTenantInputs.region.safeParse(region).success);
        }
        d.close();
    });

    it("customers.license_type and users.license_type CHECKs == LicenseAssignment.assignments' license types", () => {
        const d = db();
        d.prepare("INSERT INTO customers (id, name, alias) VALUES ('c', 'n', 'acme')").run();
        for (const [i, type] of LICENSES.entries()) {
            const schemaOk = licenseAssignmentInputs.assignments.safeParse({ [`u${i}`]: type }).success;
            const customer = accepts(
                d,
                "INSERT INTO customers (id, name, alias, license_type) VALUES (?, 'n', ?, ?)",
                `l${i}`,
                `l${i}`,
                type,
            );
            const user = accepts(
                d,
                "INSERT INTO users (customer_id, subject, name, email, license_type) VALUES ('c', ?, 'n', 'a@b.c', ?)",
                `u${i}`,
                type,
            );
            expect(customer, `customers ${JSON.stringify(type)}`).to.equal(schemaOk);
            expect(user, `users ${JSON.stringify(type)}`).to.equal(schemaOk);
        }
        d.close();
    });

    it("groups.space_role CHECK == ManagedSpacePublish.members[].roles", () => {
        const d = db();
        d.prepare("INSERT INTO customers (id, name, alias) VALUES ('c', 'n', 'acme')").run();
        for (const [i, role] of [...ROLES, ...MORE_ROLES].entries()) {
            const inDb = accepts(
                d,
                "INSERT INTO groups (customer_id, name, space_role) VALUES ('c', ?, ?)",
                `g${i}`,
                role,
            );
            const schemaOk = managedSpacePublishInputs.members.safeParse([{ groupName: "g", roles: [role] }]).success;
            expect(inDb, JSON.stringify(role)).to.equal(schemaOk);
        }
        d.close();
    });

    it("plans.authors_space_role CHECK == SharedSpace.members[].roles (NULL = no authors space)", () => {
        const d = db();
        for (const [i, role] of [...SHARED, ...MORE_SHARED].entries()) {
            const inDb = accepts(d, "INSERT INTO plans (name, authors_space_role) VALUES (?, ?)", `p${i}`, role);
            const schemaOk = sharedSpaceInputs.members.safeParse([{ groupName: "g", roles: [role] }]).success;
            expect(inDb, JSON.stringify(role)).to.equal(schemaOk);
        }
        expect(accepts(d, "INSERT INTO plans (name, authors_space_role) VALUES ('none', NULL)")).to.equal(true);
        d.close();
    });

    it("customers.ring, plans' 0/1 flags and professional_seats, customer_health.gate accept only their values", () => {
        const d = db();
        for (const [i, ring] of ["canary", "early", "general", "Canary", "beta", ""].entries()) {
            const ok = accepts(
                d,
                "INSERT INTO customers (id, name, alias, ring) VALUES (?, 'n', ?, ?)",
                `r${i}`,
                `r${i}`,
                ring,
            );
            expect(ok, JSON.stringify(ring)).to.equal(["canary", "early", "general"].includes(ring));
        }
        for (const [i, v] of [null, 0, 1, 2, -1].entries())
            expect(
                accepts(d, "INSERT INTO plans (name, creator_roles) VALUES (?, ?)", `f${i}`, v),
                `flag ${v}`,
            ).to.equal(v === null || v === 0 || v === 1);
        for (const [i, v] of [null, 0, 5, -1].entries())
            expect(
                accepts(d, "INSERT INTO plans (name, professional_seats) VALUES (?, ?)", `s${i}`, v),
                `seats ${v}`,
            ).to.equal(v === null || v >= 0);
        for (const gate of ["passed", "failed", "ok"])
            expect(
                accepts(
                    d,
                    "INSERT OR REPLACE INTO customer_health (customer_id, template_version, gate) VALUES ('r0', 'v', ?)",
                    gate,
                ),
                gate,
            ).to.equal(gate !== "ok");
        d.close();
    });

    it("a customer's plan must exist (foreign key); a plan in use cannot be deleted", () => {
        const d = db();
        expect(() =>
            d.prepare("INSERT INTO customers (id, name, alias, plan) VALUES ('c', 'n', 'acme', 'gold')").run(),
        ).to.throw(/FOREIGN KEY/);
        d.prepare("INSERT INTO plans (name) VALUES ('gold')").run();
        d.prepare("INSERT INTO customers (id, name, alias, plan) VALUES ('c', 'n', 'acme', 'gold')").run();
        expect(() => d.prepare("DELETE FROM plans WHERE name = 'gold'").run()).to.throw(/FOREIGN KEY/);
        d.close();
    });
});
