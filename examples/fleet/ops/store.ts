// The master database as the fleet command writes it: customers.template_version (the only customer column a
// rollout changes), template_releases (read), and the rollout tables (customer_health, rollouts,
// rollout_customers; docs/rollouts.md, docs/master-database.md). SQLite and PostgreSQL through one small
// interface, with the same SQL text: `?` placeholders become `$n` for PostgreSQL.
import Database = require("better-sqlite3");
import type { Client } from "pg";
import { masterDbLocation } from "../masterDb";
import { RINGS, type Ring } from "../schema";

export { RINGS, type Ring };

type Param = string | number | null;

/** The two statements the fleet command needs; rows come back as plain objects. */
export interface Sql {
    all<T>(sql: string, params?: Param[]): Promise<T[]>;
    run(sql: string, params?: Param[]): Promise<void>;
    /** Runs `fn` in one transaction: a crash in the middle leaves the database as it was before. */
    tx(fn: () => Promise<void>): Promise<void>;
    close(): Promise<void>;
    readonly where: string;
}

/** `?` -> `$1, $2, ...` outside quoted text (our statements quote only literals without `?`). */
export function toPostgresParams(sql: string): string {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
}

export function sqliteSql(file: string): Sql {
    let db: Database.Database;
    try {
        db = new Database(file, { fileMustExist: true });
    } catch (e) {
        // better-sqlite3 names neither the file nor the setting ("unable to open database file").
        throw new Error(
            `master database ${file} cannot be opened (${(e as Error).message}): check fleet:masterDb in the stack ` +
                "config (a SQLite file, relative to the project folder, or a postgres:// URL; docs/master-database.md)",
        );
    }
    db.pragma("foreign_keys = ON");
    // Another writer (the seed, a second fleet command) may hold the lock briefly.
    db.pragma("busy_timeout = 10000");
    return {
        where: file,
        all: async <T>(sql: string, params: Param[] = []) => db.prepare(sql).all(...params) as T[],
        run: async (sql: string, params: Param[] = []) => {
            db.prepare(sql).run(...params);
        },
        tx: async (fn) => {
            db.exec("BEGIN IMMEDIATE");
            try {
                await fn();
                db.exec("COMMIT");
            } catch (e) {
                db.exec("ROLLBACK");
                throw e;
            }
        },
        close: async () => {
            db.close();
        },
    };
}

export function postgresSql(client: Client, where: string): Sql {
    return {
        where,
        all: async <T>(sql: string, params: Param[] = []) =>
            (await client.query(toPostgresParams(sql), params)).rows as T[],
        run: async (sql: string, params: Param[] = []) => {
            await client.query(toPostgresParams(sql), params);
        },
        tx: async (fn) => {
            await client.query("BEGIN");
            try {
                await fn();
                await client.query("COMMIT");
            } catch (e) {
                await client.query("ROLLBACK");
                throw e;
            }
        },
        close: () => client.end(),
    };
}

/** Opens the master database the stack reads (fleet:masterDb, same resolution as the program), read-write. */
export async function openMasterSql(setting: string | undefined, cwd: string, password?: string): Promise<Sql> {
    const at = masterDbLocation(setting, cwd);
    if (at.kind === "sqlite") return sqliteSql(at.file);
    // Loaded only for PostgreSQL, like the program's reader (masterDb.ts loadCustomers).
    const pg = require("../masterDbPostgres") as typeof import("../masterDbPostgres");
    const client = await pg.connectPostgres(at.url, password);
    return postgresSql(client, pg.describePostgresUrl(at.url));
}

export interface CustomerRing {
    id: string;
    alias: string;
    ring: Ring;
    plan: string;
    templateVersion: string | null;
}

export interface Release {
    version: string;
    appName: string;
}

export type RolloutState = "running" | "stopped" | "done" | "rolled_back";
export type CustomerState = "pending" | "applied" | "passed" | "failed" | "rolled_back";

export interface Rollout {
    id: number;
    version: string;
    state: RolloutState;
    currentRing: Ring | null;
    message: string;
}

export interface RolloutCustomer {
    customerId: string;
    alias: string;
    ring: Ring;
    previousVersion: string | null;
    state: CustomerState;
    detail: string;
}

export interface Health {
    customerId: string;
    templateVersion: string;
    gate: "passed" | "failed";
    detail: string;
    checkedAt: string;
}

const now = () => new Date().toISOString();

/** The reads and writes of a rollout; every write is one statement or one transaction, so a rerun converges. */
export class FleetStore {
    constructor(readonly sql: Sql) {}

    /** A schema-1 database has no rings: the error names the fix (docs/master-database.md, schema version 2). */
    async customers(): Promise<CustomerRing[]> {
        try {
            const rows = await this.sql.all<{
                id: string;
                alias: string;
                ring: Ring;
                plan: string;
                template_version: string | null;
            }>("SELECT id, alias, ring, plan, template_version FROM customers ORDER BY id");
            return rows.map((r) => ({
                id: r.id,
                alias: r.alias,
                ring: r.ring,
                plan: r.plan,
                templateVersion: r.template_version,
            }));
        } catch (e) {
            throw new Error(
                `master database ${this.sql.where} cannot give customers' rings (${(e as Error).message}): it predates ` +
                    "schema version 2. Migrate it in place with `node dist/scripts/seed.js --master-db <that database>` " +
                    "(docs/master-database.md), then run the command again",
            );
        }
    }

    /** The rollout commands need schema version 2; a schema-1 database gets one message with the fix. */
    async assertRolloutTables(): Promise<void> {
        for (const table of ["template_releases", "rollouts", "rollout_customers", "customer_health"]) {
            try {
                await this.sql.all(`SELECT 1 FROM ${table} LIMIT 1`);
            } catch (e) {
                throw new Error(
                    `master database ${this.sql.where} has no ${table} table (${(e as Error).message}): it predates schema ` +
                        "version 2. Migrate it in place with `node dist/scripts/seed.js --master-db <that database>` " +
                        "(docs/master-database.md), then run the command again",
                );
            }
        }
    }

    async release(version: string): Promise<Release | undefined> {
        const rows = await this.sql.all<{ version: string; app_name: string }>(
            "SELECT version, app_name FROM template_releases WHERE version = ?",
            [version],
        );
        return rows[0] ? { version: rows[0].version, appName: rows[0].app_name } : undefined;
    }

    /** The newest rollout that is not finished (running after a crash, or stopped by a failed gate). */
    async activeRollout(): Promise<Rollout | undefined> {
        const rows = await this.sql.all<RolloutRow>(
            "SELECT id, version, state, current_ring, message FROM rollouts WHERE state IN ('running', 'stopped') ORDER BY id DESC LIMIT 1",
        );
        return rows[0] ? rolloutOf(rows[0]) : undefined;
    }

    async lastRollout(): Promise<Rollout | undefined> {
        const rows = await this.sql.all<RolloutRow>(
            "SELECT id, version, state, current_ring, message FROM rollouts ORDER BY id DESC LIMIT 1",
        );
        return rows[0] ? rolloutOf(rows[0]) : undefined;
    }

    async createRollout(version: string): Promise<Rollout> {
        const t = now();
        await this.sql.run(
            "INSERT INTO rollouts(version, state, current_ring, message, started_at, updated_at) VALUES (?, 'running', NULL, '', ?, ?)",
            [version, t, t],
        );
        const r = await this.lastRollout();
        if (!r || r.version !== version) throw new Error("the new rollout row cannot be read back");
        return r;
    }

    async updateRollout(id: number, set: Partial<Pick<Rollout, "state" | "currentRing" | "message" | "version">>) {
        const cur = (
            await this.sql.all<RolloutRow>(
                "SELECT id, version, state, current_ring, message FROM rollouts WHERE id = ?",
                [id],
            )
        )[0];
        if (!cur) throw new Error(`rollout ${id} is not in the rollouts table`);
        const next = { ...rolloutOf(cur), ...set };
        await this.sql.run(
            "UPDATE rollouts SET version = ?, state = ?, current_ring = ?, message = ?, updated_at = ? WHERE id = ?",
            [next.version, next.state, next.currentRing, next.message, now(), id],
        );
    }

    /**
     * Moves a ring's customers to `version` in one transaction: each customer's version before the rollout is
     * remembered once (a rerun after a crash keeps the first remembered value, never the rollout's own).
     */
    async applyRing(rolloutId: number, ring: Ring, customers: CustomerRing[], version: string): Promise<void> {
        await this.sql.tx(async () => {
            for (const c of customers) {
                await this.sql.run(
                    "INSERT INTO rollout_customers(rollout_id, customer_id, ring, previous_version, state, detail) " +
                        "VALUES (?, ?, ?, ?, 'pending', '') ON CONFLICT (rollout_id, customer_id) DO NOTHING",
                    [rolloutId, c.id, ring, c.templateVersion],
                );
                await this.sql.run("UPDATE customers SET template_version = ? WHERE id = ?", [version, c.id]);
                await this.sql.run(
                    "UPDATE rollout_customers SET state = 'applied', detail = '' WHERE rollout_id = ? AND customer_id = ?",
                    [rolloutId, c.id],
                );
            }
        });
    }

    /** Puts a ring's customers back on the version they had before the rollout (NULL = the fleet default). */
    async restoreRing(rolloutId: number, ring: Ring): Promise<RolloutCustomer[]> {
        const members = (await this.rolloutCustomers(rolloutId)).filter((c) => c.ring === ring);
        await this.sql.tx(async () => {
            for (const c of members)
                await this.sql.run("UPDATE customers SET template_version = ? WHERE id = ?", [
                    c.previousVersion,
                    c.customerId,
                ]);
        });
        return members;
    }

    async rolloutCustomers(rolloutId: number): Promise<RolloutCustomer[]> {
        const rows = await this.sql.all<{
            customer_id: string;
            alias: string;
            ring: Ring;
            previous_version: string | null;
            state: CustomerState;
            detail: string;
        }>(
            "SELECT rc.customer_id, c.alias, rc.ring, rc.previous_version, rc.state, rc.detail FROM rollout_customers rc " +
                "JOIN customers c ON c.id = rc.customer_id WHERE rc.rollout_id = ? ORDER BY rc.customer_id",
            [rolloutId],
        );
        return rows.map((r) => ({
            customerId: r.customer_id,
            alias: r.alias,
            ring: r.ring,
            previousVersion: r.previous_version,
            state: r.state,
            detail: r.detail,
        }));
    }

    /** One gate result: the customer's health row (what status and the stack outputs show) and its rollout row. */
    async recordGate(
        rolloutId: number,
        customerId: string,
        version: string,
        passed: boolean,
        detail: string,
        state: CustomerState = passed ? "passed" : "failed",
    ): Promise<void> {
        await this.sql.tx(async () => {
            await this.sql.run(
                "INSERT INTO customer_health(customer_id, template_version, gate, detail, checked_at) VALUES (?, ?, ?, ?, ?) " +
                    "ON CONFLICT (customer_id) DO UPDATE SET template_version = excluded.template_version, gate = excluded.gate, " +
                    "detail = excluded.detail, checked_at = excluded.checked_at",
                [customerId, version, passed ? "passed" : "failed", detail, now()],
            );
            await this.sql.run(
                "UPDATE rollout_customers SET state = ?, detail = ? WHERE rollout_id = ? AND customer_id = ?",
                [state, detail, rolloutId, customerId],
            );
        });
    }

    async health(): Promise<Map<string, Health>> {
        const rows = await this.sql.all<{
            customer_id: string;
            template_version: string;
            gate: "passed" | "failed";
            detail: string;
            checked_at: string | Date;
        }>("SELECT customer_id, template_version, gate, detail, checked_at FROM customer_health");
        return new Map(
            rows.map((r) => [
                r.customer_id,
                {
                    customerId: r.customer_id,
                    templateVersion: r.template_version,
                    gate: r.gate,
                    detail: r.detail,
                    checkedAt: r.checked_at instanceof Date ? r.checked_at.toISOString() : String(r.checked_at),
                },
            ]),
        );
    }
}

interface RolloutRow {
    id: number | string;
    version: string;
    state: RolloutState;
    current_ring: Ring | null;
    message: string;
}

const rolloutOf = (r: RolloutRow): Rollout => ({
    id: Number(r.id),
    version: r.version,
    state: r.state,
    currentRing: r.current_ring,
    message: r.message,
});
