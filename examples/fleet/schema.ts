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

/** Bumped when the DDL changes incompatibly; stored in meta.schema_version. */
export const SCHEMA_VERSION = 1;

/** The two places where SQLite and PostgreSQL need different words for the same rule. */
// The value rules (alias, email, region, space role) come from provider/naming.ts, the module the
// provider's check() uses too: the database and the provider accept exactly the same values.
interface Dialect {
    name: SqlDialect;
    createdAt: string;
}

function masterDdl(d: Dialect): string {
    return `
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    alias            TEXT NOT NULL UNIQUE CHECK (${aliasCheckSql(d.name)}),
    region           TEXT CHECK (${regionCheckSql()}),
    license_type     TEXT NOT NULL DEFAULT 'analyzer' CHECK (license_type IN ('professional', 'analyzer')),
    template_version TEXT,
    created_at       ${d.createdAt}
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
`;
}

export const MASTER_DDL = masterDdl({
    name: "sqlite",
    createdAt: "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
});

export function applySchema(db: Database.Database): void {
    db.pragma("foreign_keys = ON");
    db.exec(MASTER_DDL);
    db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
}

/**
 * The same schema for a PostgreSQL master database (fleet:masterDb = postgres://...): same tables,
 * columns and rules, in PostgreSQL's dialect. The stack only reads it; `seed.js --master-db <url>` creates it.
 */
export const MASTER_DDL_POSTGRES =
    masterDdl({
        name: "postgres",
        createdAt: "TIMESTAMPTZ NOT NULL DEFAULT now()",
    }) + `INSERT INTO meta(key, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (key) DO NOTHING;\n`;
