// Reads the master database into plain objects: what the stack program (examples/fleet) declares
// one CustomerTenant from. Read-only, so `pulumi preview` can never change the ISV's records.
import * as fs from "fs";
import * as path from "path";
import Database = require("better-sqlite3");
import { RINGS, type Ring } from "./schema";
import type {
    ConnectionRow,
    CustomerRow,
    GroupRow,
    LicenseType,
    MasterTables,
    MembershipRow,
    UserRow,
} from "./masterTables";
import { queriesFor } from "./masterTables";

export * from "./masterTables";

/** What a plan means in Qlik (docs/plans.md): one row of plans with its plan_apps. */
export interface PlanRecord {
    name: string;
    description: string;
    /** Most users with a professional license; null = no cap. */
    professionalSeats: number | null;
    /** License auto-assignment settings; null = not managed (the tenant keeps what it has). */
    autoAssignProfessional: boolean | null;
    autoAssignAnalyzer: boolean | null;
    /** Professionals get the create-shared-spaces and private-analytics-content-creator roles automatically; null = not managed. */
    creatorRoles: boolean | null;
    /** null = no authors space; else the shared-space role every group of the customer gets there. */
    authorsSpaceRole: string | null;
    apps: { key: string; templateAppName: string; templateVersion: string }[];
}

export interface TemplateRelease {
    version: string;
    appName: string;
}

export interface GateResult {
    templateVersion: string;
    gate: "passed" | "failed";
    detail: string;
    checkedAt: string;
}

export interface CustomerConnection {
    name: string;
    datasourceId: string;
    /** For file databases (sqlite): absolute path, resolved against the master database's folder. */
    database?: string;
    host?: string;
    port?: number;
    username?: string;
    /** Plain text as stored; callers must wrap it in pulumi.secret(). */
    password?: string;
}

export interface CustomerUser {
    subject: string;
    name: string;
    email: string;
    licenseType: LicenseType;
    groups: string[];
}

export interface CustomerGroup {
    name: string;
    roles: string[];
    spaceRole: string;
}

export interface CustomerRecord {
    id: string;
    name: string;
    alias: string;
    region?: string;
    licenseType: LicenseType;
    templateVersion?: string;
    connections: CustomerConnection[];
    groups: CustomerGroup[];
    users: CustomerUser[];
    /** The customer's plan row, resolved. */
    plan: PlanRecord;
    ring: Ring;
    /** The recorded shard (customers.shard, schema 3); undefined = not placed yet (docs/master-database.md#shards). */
    shard?: number;
    /** customers.created_at as ISO 8601 text: the order in which unplaced customers are placed. */
    createdAt: string;
    /** When the customer's version (its own, else the fleet's default) names a template_releases row. */
    templateRelease?: TemplateRelease;
    /** The last health gate of a rollout (customer_health). */
    lastGate?: GateResult;
}

/** Where the master database lives: explicit value, then QLIK_FLEET_MASTER_DB, then .data/master.sqlite. */
export function masterDbPath(explicit?: string, cwd = process.cwd()): string {
    const p = explicit || process.env.QLIK_FLEET_MASTER_DB || path.join(".data", "master.sqlite");
    return path.resolve(cwd, p);
}

/** The one connection setting (fleet:masterDb / QLIK_FLEET_MASTER_DB): a SQLite file or a PostgreSQL URL. */
export type MasterDbLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export const isPostgresUrl = (s: string | undefined): s is string => !!s && /^postgres(ql)?:\/\//i.test(s);

export function masterDbLocation(explicit?: string, cwd = process.cwd()): MasterDbLocation {
    const setting = explicit || process.env.QLIK_FLEET_MASTER_DB;
    return isPostgresUrl(setting)
        ? { kind: "postgres", url: setting }
        : { kind: "sqlite", file: masterDbPath(setting, cwd) };
}

const csv = (s: string | null | undefined): string[] =>
    (s ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0);

const bool = (v: number | string | boolean): boolean => v === true || v === 1 || v === "1" || v === "t";
/** A plan setting: null = not managed. */
const setting = (v: number | string | boolean | null): boolean | null =>
    v === null || v === undefined ? null : bool(v);

function planRecords(t: MasterTables): Map<string, PlanRecord> {
    const apps = new Map<string, PlanRecord["apps"]>();
    for (const a of [...t.planApps].sort(byKey((r) => r.app_key))) {
        const list = apps.get(a.plan) ?? [];
        list.push({ key: a.app_key, templateAppName: a.template_app_name, templateVersion: a.template_version });
        apps.set(a.plan, list);
    }
    return new Map(
        t.plans.map((p) => [
            p.name,
            {
                name: p.name,
                description: p.description,
                professionalSeats:
                    p.professional_seats === null || p.professional_seats === undefined
                        ? null
                        : Number(p.professional_seats),
                autoAssignProfessional: setting(p.auto_assign_professional),
                autoAssignAnalyzer: setting(p.auto_assign_analyzer),
                creatorRoles: setting(p.creator_roles),
                authorsSpaceRole: p.authors_space_role ?? null,
                apps: apps.get(p.name) ?? [],
            },
        ]),
    );
}

const isoTime = (v: string | Date): string => (v instanceof Date ? v.toISOString().replace(/\.\d{3}Z$/, "Z") : v);

/**
 * Code-point order, whatever the database's collation (a PostgreSQL server's locale may sort "a-b" and "ab"
 * differently from SQLite): the order of groups and users reaches resource inputs, and must not flip.
 */
const byKey =
    <T>(key: (r: T) => string) =>
    (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

function byCustomer<T extends { customer_id: string }>(rows: T[]): Map<string, T[]> {
    const m = new Map<string, T[]>();
    for (const r of rows) {
        const list = m.get(r.customer_id);
        if (list) list.push(r);
        else m.set(r.customer_id, [r]);
    }
    return m;
}

/**
 * Rows of both kinds of master database into records. `sqliteBase` resolves relative paths of `sqlite`
 * business databases (the master file's folder for SQLite, the project folder for PostgreSQL);
 * `fleetTemplateVersion` (fleet:templateVersion) is the version of customers whose template_version is NULL.
 */
export function assembleCustomers(
    t: MasterTables,
    sqliteBase: string,
    fleetTemplateVersion?: string,
): CustomerRecord[] {
    const conns = byCustomer(t.connections);
    const groups = byCustomer(t.groups);
    const users = byCustomer(t.users);
    const memberships = byCustomer(t.memberships);
    const plans = planRecords(t);
    const releases = new Map(t.releases.map((r) => [r.version, { version: r.version, appName: r.app_name }]));
    const health = new Map(t.health.map((h) => [h.customer_id, h]));
    return [...t.customers].sort(byKey((c) => c.id)).map((c) => {
        // The plans foreign key makes a missing plan impossible in a real database; a hand-made MasterTables is told so.
        const plan = plans.get(c.plan);
        if (!plan)
            throw new MasterDbError(`customer ${c.id} is on plan ${JSON.stringify(c.plan)}, which has no row in plans`);
        const release = releases.get(c.template_version ?? fleetTemplateVersion ?? "");
        const gate = health.get(c.id);
        return {
            ...customerRecord(c, conns, groups, users, memberships, sqliteBase),
            plan,
            ring: (RINGS as readonly string[]).includes(c.ring) ? (c.ring as Ring) : "general",
            ...(c.shard === null || c.shard === undefined ? {} : { shard: Number(c.shard) }),
            createdAt: isoTime(c.created_at),
            ...(release ? { templateRelease: release } : {}),
            ...(gate
                ? {
                      lastGate: {
                          templateVersion: gate.template_version,
                          gate: gate.gate,
                          detail: gate.detail,
                          checkedAt: isoTime(gate.checked_at),
                      },
                  }
                : {}),
        };
    });
}

function customerRecord(
    c: CustomerRow,
    conns: Map<string, ConnectionRow[]>,
    groups: Map<string, GroupRow[]>,
    users: Map<string, UserRow[]>,
    memberships: Map<string, MembershipRow[]>,
    sqliteBase: string,
): Omit<CustomerRecord, "plan" | "ring" | "createdAt"> {
    return {
        id: c.id,
        name: c.name,
        alias: c.alias,
        region: c.region ?? undefined,
        licenseType: c.license_type,
        templateVersion: c.template_version ?? undefined,
        connections: (conns.get(c.id) ?? []).sort(byKey((r) => r.name)).map((r) => ({
            name: r.name,
            datasourceId: r.datasource_id,
            database: r.database
                ? r.datasource_id === "sqlite"
                    ? path.resolve(sqliteBase, r.database)
                    : r.database
                : undefined,
            host: r.host ?? undefined,
            port: r.port === null || r.port === undefined ? undefined : Number(r.port),
            username: r.username ?? undefined,
            password: r.password ?? undefined,
        })),
        groups: (groups.get(c.id) ?? [])
            .sort(byKey((g) => g.name))
            .map((g) => ({ name: g.name, roles: csv(g.roles), spaceRole: g.space_role })),
        users: (users.get(c.id) ?? []).sort(byKey((u) => u.subject)).map((u) => ({
            subject: u.subject,
            name: u.name,
            email: u.email,
            licenseType: u.license_type ?? c.license_type,
            groups: (memberships.get(c.id) ?? [])
                .filter((m) => m.subject === u.subject)
                .map((m) => m.group_name)
                .sort(byKey((g) => g)),
        })),
    };
}

/** A master database that cannot be used; the message names the file and the fix. */
export class MasterDbError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MasterDbError";
    }
}

const MASTER_TABLES = ["customers", "customer_connections", "groups", "users", "user_groups"];

/**
 * An empty, unreadable or schema-less file is an ERROR, never "zero customers": a stack reading zero
 * customers plans to offboard the whole fleet (a wiped .data/master.sqlite used to do exactly that).
 */
function openMasterDb(file: string): Database.Database {
    const fix =
        "restore it from your backup, point fleet:masterDb (or QLIK_FLEET_MASTER_DB) at the right database, " +
        "or, for the local demo only, delete the file and run `npm start` to create the demo one";
    if (!fs.existsSync(file)) {
        throw new MasterDbError(
            `master database ${file} does not exist: run \`node dist/scripts/seed.js\` (or \`npm start\`) to create the demo one, or set fleet:masterDb`,
        );
    }
    const st = fs.statSync(file);
    if (!st.isFile()) throw new MasterDbError(`master database ${file} is not a file; ${fix}`);
    if (st.size === 0)
        throw new MasterDbError(
            `master database ${file} is empty (0 bytes), so it has no customers table; refusing to read it as "no customers". Fix: ${fix}`,
        );
    let db: Database.Database | undefined;
    try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        const have = new Set(
            (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
                (r) => r.name,
            ),
        );
        const missing = MASTER_TABLES.filter((t) => !have.has(t));
        if (missing.length) {
            throw new MasterDbError(
                `master database ${file} has no master-database schema (missing table(s) ${missing.join(", ")}; docs/master-database.md). Fix: ${fix}`,
            );
        }
        return db;
    } catch (e) {
        db?.close();
        if (e instanceof MasterDbError) throw e;
        throw new MasterDbError(`master database ${file} cannot be read (${(e as Error).message}). Fix: ${fix}`);
    }
}

/** Which schema a SQLite master database has: 3 (customers.shard), 2 (plans) or 1. */
export function sqliteSchemaOf(db: Database.Database): 1 | 2 | 3 {
    const cols = (db.prepare("PRAGMA table_info(customers)").all() as { name: string }[]).map((c) => c.name);
    if (cols.includes("shard")) return 3;
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'plans'").get() ? 2 : 1;
}

export function readMasterDb(file: string, opts: { fleetTemplateVersion?: string } = {}): CustomerRecord[] {
    const db = openMasterDb(file);
    try {
        const q = queriesFor(sqliteSchemaOf(db));
        const all = <T>(sql: string | undefined) => (sql ? (db.prepare(sql).all() as T[]) : []);
        return assembleCustomers(
            {
                customers: all(q.customers),
                connections: all(q.connections),
                groups: all(q.groups),
                users: all(q.users),
                memberships: all(q.memberships),
                plans: all(q.plans),
                planApps: all(q.planApps),
                releases: all(q.releases),
                health: all(q.health),
            },
            path.dirname(file),
            opts.fleetTemplateVersion,
        );
    } catch (e) {
        if (e instanceof MasterDbError) throw e;
        throw new MasterDbError(
            `master database ${file} cannot be read (${(e as Error).message}); its tables do not match docs/master-database.md`,
        );
    } finally {
        db.close();
    }
}

export interface LoadOptions {
    /** Password for a PostgreSQL URL that carries none (fleet:masterDbPassword). */
    password?: string;
    /** The project folder: relative SQLite paths, and a PostgreSQL master's relative sqlite business paths. */
    cwd?: string;
    /** fleet:templateVersion: the version of customers whose template_version is NULL (for templateRelease). */
    fleetTemplateVersion?: string;
}

/** Reads the customers from wherever the one connection setting points (SQLite file or PostgreSQL URL). */
export async function loadCustomers(setting: string | undefined, opts: LoadOptions = {}): Promise<CustomerRecord[]> {
    const cwd = opts.cwd ?? process.cwd();
    const where = masterDbLocation(setting, cwd);
    if (where.kind === "sqlite") return readMasterDb(where.file, { fleetTemplateVersion: opts.fleetTemplateVersion });
    // Loaded only when used: SQLite users never load the driver. require, not import(): this is CommonJS,
    // and an import() would stay an ESM import under tsx.
    const { readMasterDbPostgres } = require("./masterDbPostgres") as typeof import("./masterDbPostgres");
    return readMasterDbPostgres(where.url, {
        password: opts.password,
        sqliteBase: cwd,
        fleetTemplateVersion: opts.fleetTemplateVersion,
    });
}
