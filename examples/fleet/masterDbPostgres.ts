// The master database in PostgreSQL (fleet:masterDb = postgres://user@host:5432/db): the same
// reads as the SQLite reader, in one read-only snapshot, so a customer being edited by the broker
// while Pulumi reads is seen either before or after the edit, never half-way.
import { Client, type ClientConfig } from "pg";
import { assembleCustomers, queriesFor, type CustomerRecord, type MasterTables } from "./masterDb";

export interface PostgresReadOptions {
    /** Used when the URL carries no password (e.g. the secret fleet:masterDbPassword); PGPASSWORD also works. */
    password?: string;
    /** Folder that relative paths of `sqlite` business databases are resolved against. */
    sqliteBase: string;
    /** Connect and per-query timeout; default 15 s. */
    timeoutMs?: number;
    /** fleet:templateVersion: the version of customers whose template_version is NULL. */
    fleetTemplateVersion?: string;
}

/** The URL as it may be printed: the password replaced. */
export function describePostgresUrl(url: string): string {
    try {
        const u = new URL(url);
        if (u.password) u.password = "***";
        return u.toString();
    } catch {
        return "postgres://<unparsable URL>";
    }
}

function passwordOf(url: string): string | undefined {
    try {
        return decodeURIComponent(new URL(url).password) || undefined;
    } catch {
        return undefined;
    }
}

/** A pg error as a message that names the database and the fix, with no password in it. */
export function postgresError(url: string, e: unknown, password?: string): Error {
    const err = e as { message?: string; code?: string };
    let msg = String(err.message ?? e);
    for (const secret of [passwordOf(url), password]) if (secret) msg = msg.split(secret).join("***");
    const where = describePostgresUrl(url);
    const fix =
        err.code === "42P01"
            ? ` The schema is missing: create it with \`node dist/scripts/seed.js --master-db '${where}'\` (demo data) or from docs/master-database.md.`
            : err.code === "28P01" || err.code === "28000"
              ? " Check the user and its password (fleet:masterDbPassword as a secret, or PGPASSWORD)."
              : /ECONNREFUSED|ENOTFOUND|timeout/i.test(msg)
                ? " Check the host and port in fleet:masterDb and that the server accepts connections from here."
                : "";
    return new Error(`master database ${where}: ${msg}.${fix}`);
}

/** The driver's settings: timeouts on connect and on every query, and the password apart from the URL. */
export function postgresClientConfig(url: string, password?: string, timeoutMs = 15_000): ClientConfig {
    return {
        connectionString: url,
        // An explicit password only when the URL has none: pg lets the URL win anyway.
        ...(password && !passwordOf(url) ? { password } : {}),
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        application_name: "qlik-tenant-fleet",
    };
}

/** Opens a connection; the caller ends it. */
export async function connectPostgres(url: string, password?: string, timeoutMs = 15_000): Promise<Client> {
    const client = new Client(postgresClientConfig(url, password, timeoutMs));
    // A connection dropped while idle must not crash the process (pg emits 'error' on the client).
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (e) {
        await client.end().catch(() => undefined);
        throw postgresError(url, e, password);
    }
    return client;
}

/** Which schema a PostgreSQL master database has: 3 (customers.shard), 2 (plans) or 1; read-only probes. */
export async function postgresSchemaOf(client: Client): Promise<1 | 2 | 3> {
    // to_regclass is NULL for a missing table without failing the transaction (a schema-1 database).
    const probe = await client.query<{ plans: string | null; shard: number }>(
        `SELECT to_regclass('plans')::text AS plans,
                (SELECT count(*)::int FROM information_schema.columns
                  WHERE table_name = 'customers' AND column_name = 'shard' AND table_schema = current_schema()) AS shard`,
    );
    const row = probe.rows[0];
    return row?.shard ? 3 : row?.plans !== null && row?.plans !== undefined ? 2 : 1;
}

export async function readMasterDbPostgres(url: string, opts: PostgresReadOptions): Promise<CustomerRecord[]> {
    const client = await connectPostgres(url, opts.password, opts.timeoutMs);
    try {
        await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const q = queriesFor(await postgresSchemaOf(client));
        const all = async <T>(sql: string | undefined) => (sql ? ((await client.query(sql)).rows as T[]) : []);
        const tables: MasterTables = {
            customers: await all(q.customers),
            connections: await all(q.connections),
            groups: await all(q.groups),
            users: await all(q.users),
            memberships: await all(q.memberships),
            plans: await all(q.plans),
            planApps: await all(q.planApps),
            releases: await all(q.releases),
            health: await all(q.health),
        };
        await client.query("COMMIT");
        return assembleCustomers(tables, opts.sqliteBase, opts.fleetTemplateVersion);
    } catch (e) {
        throw e instanceof Error && e.message.startsWith("master database ") ? e : postgresError(url, e, opts.password);
    } finally {
        await client.end().catch(() => undefined);
    }
}
