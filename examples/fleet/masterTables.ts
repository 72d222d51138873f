// The master database's rows as both readers get them, and the queries that read them: the same SQL for SQLite
// and PostgreSQL (docs/master-database.md), with the schema-1 stand-ins of a database the seed has not migrated yet.
import { DEFAULT_PLAN } from "./schema";

export type LicenseType = "professional" | "analyzer";

// Column names are the same in both databases (docs/master-database.md).
export interface CustomerRow {
    id: string;
    name: string;
    alias: string;
    region: string | null;
    license_type: LicenseType;
    template_version: string | null;
    plan: string;
    ring: string;
    /** NULL = not placed yet (schema 3); a schema-1/2 database reads NULL for everyone. */
    shard: number | string | null;
    created_at: string | Date;
}
/** 0/1 columns come back as numbers from SQLite and pg alike (INTEGER in both DDLs). */
export interface PlanRow {
    name: string;
    description: string;
    professional_seats: number | string | null;
    auto_assign_professional: number | string | boolean | null;
    auto_assign_analyzer: number | string | boolean | null;
    creator_roles: number | string | boolean | null;
    authors_space_role: string | null;
}
export interface PlanAppRow {
    plan: string;
    app_key: string;
    template_app_name: string;
    template_version: string;
}
export interface ReleaseRow {
    version: string;
    app_name: string;
}
export interface HealthRow {
    customer_id: string;
    template_version: string;
    gate: "passed" | "failed";
    detail: string;
    checked_at: string | Date;
}
export interface ConnectionRow {
    customer_id: string;
    name: string;
    datasource_id: string;
    database: string | null;
    host: string | null;
    port: number | string | null;
    username: string | null;
    password: string | null;
}
export interface GroupRow {
    customer_id: string;
    name: string;
    roles: string;
    space_role: string;
}
export interface UserRow {
    customer_id: string;
    subject: string;
    name: string;
    email: string;
    license_type: LicenseType | null;
}
export interface MembershipRow {
    customer_id: string;
    subject: string;
    group_name: string;
}

export interface MasterTables {
    customers: CustomerRow[];
    connections: ConnectionRow[];
    groups: GroupRow[];
    users: UserRow[];
    memberships: MembershipRow[];
    plans: PlanRow[];
    planApps: PlanAppRow[];
    releases: ReleaseRow[];
    health: HealthRow[];
}

/** The reads; both readers run exactly these (on a schema-1 database, SCHEMA1_QUERIES in their place). */
export const MASTER_QUERIES = {
    customers:
        "SELECT id, name, alias, region, license_type, template_version, plan, ring, shard, created_at FROM customers ORDER BY id",
    connections:
        "SELECT customer_id, name, datasource_id, database, host, port, username, password FROM customer_connections ORDER BY customer_id, name",
    groups: "SELECT customer_id, name, roles, space_role FROM groups ORDER BY customer_id, name",
    users: "SELECT customer_id, subject, name, email, license_type FROM users ORDER BY customer_id, subject",
    memberships: "SELECT customer_id, subject, group_name FROM user_groups ORDER BY customer_id, subject, group_name",
    plans: "SELECT name, description, professional_seats, auto_assign_professional, auto_assign_analyzer, creator_roles, authors_space_role FROM plans ORDER BY name",
    planApps: "SELECT plan, app_key, template_app_name, template_version FROM plan_apps ORDER BY plan, app_key",
    releases: "SELECT version, app_name FROM template_releases ORDER BY version",
    health: "SELECT customer_id, template_version, gate, detail, checked_at FROM customer_health ORDER BY customer_id",
} as const;

/**
 * A schema-1 database (no plans table yet, not migrated by the seed) reads as "every customer on plan standard,
 * ring general", which is exactly what the stack declared from it before: reading never writes, so the
 * migration is the seed's job (docs/master-database.md#migration-from-schema-1-and-2).
 */
export const SCHEMA1_QUERIES: Partial<Record<keyof typeof MASTER_QUERIES, string>> = {
    customers: `SELECT id, name, alias, region, license_type, template_version, '${DEFAULT_PLAN}' AS plan, 'general' AS ring, NULL AS shard, created_at FROM customers ORDER BY id`,
    plans: `SELECT '${DEFAULT_PLAN}' AS name, '' AS description, NULL AS professional_seats, NULL AS auto_assign_professional, NULL AS auto_assign_analyzer, NULL AS creator_roles, NULL AS authors_space_role`,
};

/** A schema-2 database (no customers.shard yet): nobody is placed, which is how a one-stack fleet reads. */
const SCHEMA2_CUSTOMERS =
    "SELECT id, name, alias, region, license_type, template_version, plan, ring, NULL AS shard, created_at FROM customers ORDER BY id";

/** The query for each read: schema 3, or its schema-2/schema-1 stand-ins (none = no rows). */
export function queriesFor(schema: 1 | 2 | 3): Record<keyof typeof MASTER_QUERIES, string | undefined> {
    if (schema === 3) return MASTER_QUERIES;
    if (schema === 2) return { ...MASTER_QUERIES, customers: SCHEMA2_CUSTOMERS };
    const q: Record<string, string | undefined> = {};
    for (const k of Object.keys(MASTER_QUERIES) as (keyof typeof MASTER_QUERIES)[])
        q[k] =
            k in SCHEMA1_QUERIES
                ? SCHEMA1_QUERIES[k]
                : k === "planApps" || k === "releases" || k === "health"
                  ? undefined
                  : MASTER_QUERIES[k];
    return q as Record<keyof typeof MASTER_QUERIES, string | undefined>;
}
