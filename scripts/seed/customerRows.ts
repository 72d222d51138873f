// One customer as the rows it takes in the master database, independent of the database engine, so
// the SQLite seed and the PostgreSQL seed insert exactly the same data.
import * as crypto from "crypto";
import { CONNECTION_NAME, type DemoCustomer } from "./demoCustomers";

export interface InsertRow {
    table:
        | "customers"
        | "customer_connections"
        | "groups"
        | "users"
        | "user_groups"
        | "plans"
        | "plan_apps"
        | "template_releases";
    values: Record<string, string | number | null>;
}

/**
 * `database` is what the connection row stores for the customer's business database (a path relative to
 * the master database's folder for SQLite, absolute for PostgreSQL). The reader's password is random per
 * customer: it is a secret the stack must never show, whatever the demo database engine.
 */
export function customerRows(c: DemoCustomer, database: string): InsertRow[] {
    const rows: InsertRow[] = [
        {
            table: "customers",
            values: {
                id: c.id,
                name: c.name,
                alias: c.alias,
                region: null,
                license_type: c.licenseType,
                template_version: null,
                plan: c.plan ?? "standard",
                ring: c.ring ?? "general",
            },
        },
        {
            table: "customer_connections",
            values: {
                customer_id: c.id,
                name: CONNECTION_NAME,
                datasource_id: "sqlite",
                database,
                username: `${c.alias}_reader`,
                password: crypto.randomBytes(18).toString("base64url"),
            },
        },
    ];
    for (const g of c.groups) {
        rows.push({
            table: "groups",
            values: {
                customer_id: c.id,
                name: g.name,
                roles: (g.roles ?? []).join(","),
                space_role: g.spaceRole ?? "consumer",
            },
        });
    }
    for (const u of c.users) {
        rows.push({
            table: "users",
            values: {
                customer_id: c.id,
                subject: u.subject,
                name: u.name,
                email: u.email,
                license_type: u.licenseType ?? null,
            },
        });
        for (const g of u.groups)
            rows.push({ table: "user_groups", values: { customer_id: c.id, subject: u.subject, group_name: g } });
    }
    return rows;
}

/**
 * `INSERT INTO t(a, b) VALUES (?, ?)` or, with numbered placeholders, `($1, $2)` for PostgreSQL. `keep`: a row
 * whose key exists already is left as it is (catalogue rows: the ISV's own edits of a plan win).
 */
export function insertSql(
    row: InsertRow,
    numbered: boolean,
    keep = false,
): { sql: string; params: (string | number | null)[] } {
    const cols = Object.keys(row.values);
    const marks = cols.map((_, i) => (numbered ? `$${i + 1}` : "?"));
    return {
        sql: `INSERT INTO ${row.table}(${cols.join(", ")}) VALUES (${marks.join(", ")})${keep ? " ON CONFLICT DO NOTHING" : ""}`,
        params: cols.map((k) => row.values[k]),
    };
}
