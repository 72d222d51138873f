// The ISV's master database: one row per customer, plus how to reach the customer's business data,
// who the customer's users are and which groups they belong to. docs/master-database.md explains it.
import type Database = require("better-sqlite3");
import {
    aliasCheckSql,
    emailCheckSql,
    regionCheckSql,
    spaceRoleCheckSql,
    type SqlDialect,
} from "qlik-tenant-fleet/naming";

/**
 * Bumped when the DDL changes; stored in meta.schema_version. 2 = plans, rings, template releases, health, rollouts;
 * 3 = customers.shard (the recorded shard stack of each customer, docs/master-database.md#shards).
 */
export const SCHEMA_VERSION = 3;

/** Rollout rings, in the order a rollout moves through them (docs/plans.md). */
export const RINGS = ["canary", "early", "general"] as const;
export type Ring = (typeof RINGS)[number];

/**
 * Roles a plan may give the customer's groups in its authors space: the roles Qlik assigns in a SHARED space
 * (docs/reference/qlik-cloud-api.md §6; the SharedSpace resource's members[].roles accept exactly these,
 * tests/provider/schema/master-db.test.ts proves it).
 */
export const AUTHORS_SPACE_ROLES: readonly string[] = [
    "consumer",
    "dataconsumer",
    "facilitator",
    "producer",
    "codeveloper",
];

/** The plan every customer of a schema-1 database is on, and the one a migration creates. */
export const DEFAULT_PLAN = "standard";

const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(", ");

/** The two places where SQLite and PostgreSQL need different words for the same rule. */
// The value rules (alias, email, region, space role) come from provider/naming.ts, the module the
// provider's check() uses too: the database and the provider accept exactly the same values.
interface Dialect {
    name: SqlDialect;
    createdAt: string;
    /** An auto-numbered integer key. */
    serial: string;
}

/** 0/1 in both databases (the readers turn it into a JS boolean), so the DDL is the same text. */
// NULL = the plan does not manage the setting (the tenant keeps what it has); 0 = off; 1 = on. A plan that wants a
// setting off says 0, so a downgrade from a plan that turned it on turns it off (docs/plans.md).
const flag = (col: string) => `${col} INTEGER CHECK (${col} IS NULL OR ${col} IN (0, 1))`;

/** The two columns schema 2 added to customers: also what the migration of a schema-1 database adds. */
const PLAN_COLUMN = `plan TEXT NOT NULL DEFAULT '${DEFAULT_PLAN}' REFERENCES plans(name)`;
const RING_COLUMN = `ring TEXT NOT NULL DEFAULT 'general' CHECK (ring IN (${sqlList(RINGS)}))`;
/** Schema 3: NULL = not placed yet (the orchestrator records it before it runs shards); also what a migration adds. */
const SHARD_COLUMN = "shard INTEGER NULL CHECK (shard IS NULL OR shard >= 0)";

function masterDdl(d: Dialect): string {
    return `
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    name                     TEXT PRIMARY KEY,
    description              TEXT NOT NULL DEFAULT '',
    professional_seats       INTEGER CHECK (professional_seats IS NULL OR professional_seats >= 0),
    ${flag("auto_assign_professional")},
    ${flag("auto_assign_analyzer")},
    ${flag("creator_roles")},
    authors_space_role       TEXT CHECK (authors_space_role IS NULL OR authors_space_role IN (${sqlList(AUTHORS_SPACE_ROLES)}))
);
CREATE TABLE IF NOT EXISTS plan_apps (
    plan              TEXT NOT NULL REFERENCES plans(name) ON DELETE CASCADE,
    app_key           TEXT NOT NULL,
    template_app_name TEXT NOT NULL,
    template_version  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan, app_key)
);
CREATE TABLE IF NOT EXISTS customers (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    alias            TEXT NOT NULL UNIQUE CHECK (${aliasCheckSql(d.name)}),
    region           TEXT CHECK (${regionCheckSql()}),
    license_type     TEXT NOT NULL DEFAULT 'analyzer' CHECK (license_type IN ('professional', 'analyzer')),
    template_version TEXT,
    created_at       ${d.createdAt},
    ${PLAN_COLUMN},
    ${RING_COLUMN},
    ${SHARD_COLUMN}
);
CREATE TABLE IF NOT EXISTS customer_connections (
    customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    datasource_id TEXT NOT NULL,
    database      TEXT,
    host          TEXT,
    port          INTEGER,
    username      TEXT,
    password      TEXT,
    PRIMARY KEY (customer_id, name)
);
CREATE TABLE IF NOT EXISTS groups (
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '',
    space_role  TEXT NOT NULL DEFAULT 'consumer' CHECK (${spaceRoleCheckSql()}),
    PRIMARY KEY (customer_id, name)
);
CREATE TABLE IF NOT EXISTS users (
    customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL CHECK (${emailCheckSql(d.name)}),
    license_type TEXT CHECK (license_type IS NULL OR license_type IN ('professional', 'analyzer')),
    PRIMARY KEY (customer_id, subject)
);
CREATE TABLE IF NOT EXISTS user_groups (
    customer_id TEXT NOT NULL,
    subject     TEXT NOT NULL,
    group_name  TEXT NOT NULL,
    PRIMARY KEY (customer_id, subject, group_name),
    FOREIGN KEY (customer_id, subject) REFERENCES users(customer_id, subject) ON DELETE CASCADE,
    FOREIGN KEY (customer_id, group_name) REFERENCES groups(customer_id, name) ON DELETE CASCADE
);
${releaseDdl(d)}`;
}

/** The tables schema 2 added that no schema-1 table refers to: created as they are by the migration too. */
function releaseDdl(d: Dialect): string {
    return `CREATE TABLE IF NOT EXISTS template_releases (
    version     TEXT PRIMARY KEY,
    app_name    TEXT NOT NULL,
    released_at ${d.createdAt}
);
CREATE TABLE IF NOT EXISTS customer_health (
    customer_id      TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    template_version TEXT NOT NULL,
    gate             TEXT NOT NULL CHECK (gate IN ('passed', 'failed')),
    detail           TEXT NOT NULL DEFAULT '',
    checked_at       ${d.createdAt}
);
CREATE TABLE IF NOT EXISTS rollouts (
    id           ${d.serial},
    version      TEXT NOT NULL REFERENCES template_releases(version),
    state        TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'done', 'rolled_back')),
    current_ring TEXT,
    message      TEXT NOT NULL DEFAULT '',
    started_at   ${d.createdAt},
    updated_at   ${d.createdAt}
);
CREATE TABLE IF NOT EXISTS rollout_customers (
    rollout_id       INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
    customer_id      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    ring             TEXT NOT NULL,
    previous_version TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'passed', 'failed', 'rolled_back')),
    detail           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rollout_id, customer_id)
);
`;
}

const SQLITE: Dialect = {
    name: "sqlite",
    createdAt: "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    serial: "INTEGER PRIMARY KEY AUTOINCREMENT",
};

export const MASTER_DDL = masterDdl(SQLITE);

const DEFAULT_PLAN_ROW = `INSERT INTO plans(name, description) VALUES ('${DEFAULT_PLAN}', 'the template app only') ON CONFLICT (name) DO NOTHING;`;

/**
 * Creates the schema, or brings a schema-1 or schema-2 database to schema 3 in place (one transaction): the new
 * tables, the 'standard' plan, customers.plan/ring with their defaults (every existing customer on plan standard in
 * ring general) and customers.shard NULL (not placed yet), so the fleet previews as before
 * (docs/master-database.md#migration-from-schema-1-and-2).
 */
export function applySchema(db: Database.Database): void {
    // SQLite refuses ADD COLUMN ... REFERENCES with a non-NULL default while foreign keys are enforced
    // (https://www.sqlite.org/lang_altertable.html#alter_table_add_column), and the pragma is a no-op inside a transaction.
    db.pragma("foreign_keys = OFF");
    try {
        db.transaction(() => {
            db.exec(MASTER_DDL);
            db.exec(DEFAULT_PLAN_ROW);
            const cols = new Set(
                (db.prepare("PRAGMA table_info(customers)").all() as { name: string }[]).map((c) => c.name),
            );
            if (!cols.has("plan")) db.exec(`ALTER TABLE customers ADD COLUMN ${PLAN_COLUMN}`);
            if (!cols.has("ring")) db.exec(`ALTER TABLE customers ADD COLUMN ${RING_COLUMN}`);
            if (!cols.has("shard")) db.exec(`ALTER TABLE customers ADD COLUMN ${SHARD_COLUMN}`);
            const broken = db.prepare("PRAGMA foreign_key_check").all();
            if (broken.length) throw new Error(`schema migration left ${broken.length} dangling reference(s)`);
            db.prepare(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ).run(String(SCHEMA_VERSION));
        })();
    } finally {
        db.pragma("foreign_keys = ON");
    }
}

const POSTGRES: Dialect = {
    name: "postgres",
    createdAt: "TIMESTAMPTZ NOT NULL DEFAULT now()",
    serial: "SERIAL PRIMARY KEY",
};

/**
 * The same schema for a PostgreSQL master database (fleet:masterDb = postgres://...): same tables,
 * columns and rules, in PostgreSQL's dialect. The stack only reads it; `seed.js --master-db <url>` creates it,
 * and migrates a schema-1 database the same way applySchema does (every statement is IF NOT EXISTS).
 */
export const MASTER_DDL_POSTGRES =
    masterDdl(POSTGRES) +
    `${DEFAULT_PLAN_ROW}
ALTER TABLE customers ADD COLUMN IF NOT EXISTS ${PLAN_COLUMN};
ALTER TABLE customers ADD COLUMN IF NOT EXISTS ${RING_COLUMN};
ALTER TABLE customers ADD COLUMN IF NOT EXISTS ${SHARD_COLUMN};
INSERT INTO meta(key, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value;
`;
