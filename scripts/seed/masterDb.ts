// Reads the master database into plain objects: what the stack program (examples/fleet) declares
// one CustomerTenant from. Read-only, so `pulumi preview` can never change the ISV's records.
import * as fs from "fs";
import * as path from "path";
import Database = require("better-sqlite3");

export type LicenseType = "professional" | "analyzer";

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
}

/** Where the master database lives: explicit value, then QLIK_FLEET_MASTER_DB, then .data/master.sqlite. */
export function masterDbPath(explicit?: string, cwd = process.cwd()): string {
    const p = explicit || process.env.QLIK_FLEET_MASTER_DB || path.join(".data", "master.sqlite");
    return path.resolve(cwd, p);
}

const csv = (s: string | null | undefined): string[] =>
    (s ?? "").split(",").map((x) => x.trim()).filter((x) => x.length > 0);

interface CustomerRow { id: string; name: string; alias: string; region: string | null; license_type: LicenseType; template_version: string | null }
interface ConnectionRow { name: string; datasource_id: string; database: string | null; host: string | null; port: number | null; username: string | null; password: string | null }
interface GroupRow { name: string; roles: string; space_role: string }
interface UserRow { subject: string; name: string; email: string; license_type: LicenseType | null }

export function readMasterDb(file: string): CustomerRecord[] {
    if (!fs.existsSync(file)) {
        throw new Error(`master database ${file} does not exist: run \`node dist/scripts/seed.js\` (or \`npm start\`) to create the demo one, or set fleet:masterDb`);
    }
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
        const baseDir = path.dirname(file);
        const customers = db.prepare("SELECT id, name, alias, region, license_type, template_version FROM customers ORDER BY id").all() as CustomerRow[];
        const conns = db.prepare("SELECT name, datasource_id, database, host, port, username, password FROM customer_connections WHERE customer_id = ? ORDER BY name");
        const groups = db.prepare("SELECT name, roles, space_role FROM groups WHERE customer_id = ? ORDER BY name");
        const users = db.prepare("SELECT subject, name, email, license_type FROM users WHERE customer_id = ? ORDER BY subject");
        const memberships = db.prepare("SELECT group_name FROM user_groups WHERE customer_id = ? AND subject = ? ORDER BY group_name");
        return customers.map((c) => ({
            id: c.id,
            name: c.name,
            alias: c.alias,
            region: c.region ?? undefined,
            licenseType: c.license_type,
            templateVersion: c.template_version ?? undefined,
            connections: (conns.all(c.id) as ConnectionRow[]).map((r) => ({
                name: r.name,
                datasourceId: r.datasource_id,
                database: r.database ? (r.datasource_id === "sqlite" ? path.resolve(baseDir, r.database) : r.database) : undefined,
                host: r.host ?? undefined,
                port: r.port ?? undefined,
                username: r.username ?? undefined,
                password: r.password ?? undefined,
            })),
            groups: (groups.all(c.id) as GroupRow[]).map((g) => ({ name: g.name, roles: csv(g.roles), spaceRole: g.space_role })),
            users: (users.all(c.id) as UserRow[]).map((u) => ({
                subject: u.subject,
                name: u.name,
                email: u.email,
                licenseType: u.license_type ?? c.license_type,
                groups: (memberships.all(c.id, u.subject) as { group_name: string }[]).map((m) => m.group_name),
            })),
        }));
    } finally {
        db.close();
    }
}
