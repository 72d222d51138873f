// The value rules that BOTH the master database's CHECK constraints and the provider's check() apply,
// kept in one place so they can never disagree again (an alias "trail-" used to pass the database and
// fail the tenant's check() in the middle of an up). examples/fleet/schema.ts renders the SQL from here;
// tests/unit/naming.test.ts runs every rule against SQLite with a corpus of edge cases.

/**
 * A tenant alias is the first label of `<alias>.<region>.<domain>`: a DNS host label (RFC 1123 §2.1:
 * letters, digits, hyphen, 1-63 characters, no hyphen at either end), lower case because Qlik's
 * hostnames are, and not "register", which is the registration host of every region
 * (https://qlik.dev/manage/platform-operations/create-tenant/).
 */
export const ALIAS_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const RESERVED_ALIASES: readonly string[] = ["register"];

export function isValidAlias(v: unknown): v is string {
    return typeof v === "string" && ALIAS_RE.test(v) && !RESERVED_ALIASES.includes(v);
}

export const ALIAS_RULE_TEXT =
    "a host label: 1-63 lowercase letters, digits and '-', not starting or ending with '-', no dots (the tenant gets <alias>.<region>.<domain>), and not 'register'; e.g. \"acme\"";

/**
 * Qlik Cloud region codes as they appear in hostnames (<tenant>.<region>.qlikcloud.com), from Qlik's
 * region table: https://help.qlik.com/talend/en-US/installation-guide-linux/Cloud/talend-cloud-application-url.md
 * ("Qlik Cloud URL region identifier" column). An unknown code would send OAuth calls to a register host
 * that does not exist, so check() refuses it without any call.
 */
export const KNOWN_REGIONS: readonly string[] = ["us", "eu", "de", "uk", "fr", "ap", "jp", "sg", "in", "il", "ae"];

export function isKnownRegion(v: unknown): v is string {
    return typeof v === "string" && KNOWN_REGIONS.includes(v);
}

/**
 * An email address as far as a login token and a master-database row need it: one '@', a non-empty
 * local part, a domain with a dot that has characters on both sides, and no whitespace. Deliberately
 * simpler than RFC 5322 so that SQL can express exactly the same rule.
 */
export const EMAIL_RE = /^[^ \t\r\n@]+@[^ \t\r\n@]+\.[^ \t\r\n@]+$/;

export function isValidEmail(v: unknown): v is string {
    return typeof v === "string" && EMAIL_RE.test(v);
}

/** Roles a group can have in a managed space (docs/reference/qlik-cloud-api.md §6, space assignments). */
export const SPACE_ROLES: readonly string[] = [
    "consumer",
    "contributor",
    "dataconsumer",
    "facilitator",
    "publisher",
    "basicconsumer",
];

export type SqlDialect = "sqlite" | "postgres";

const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(", ");

/**
 * The same rules as SQL CHECK expressions. SQLite has no regular expressions without an extension, so
 * its rules are GLOB patterns written to accept exactly what the JavaScript expressions accept
 * (tests/unit/naming.test.ts proves it on the edge cases); PostgreSQL uses the regular expression itself.
 */
export function aliasCheckSql(d: SqlDialect): string {
    const notReserved = `alias NOT IN (${sqlList(RESERVED_ALIASES)})`;
    if (d === "postgres") return `alias ~ '${ALIAS_RE.source}' AND ${notReserved}`;
    return (
        "length(alias) BETWEEN 1 AND 63 AND alias GLOB '[a-z0-9]*' AND alias GLOB '*[a-z0-9]' " +
        `AND alias NOT GLOB '*[^a-z0-9-]*' AND ${notReserved}`
    );
}

export function emailCheckSql(d: SqlDialect): string {
    if (d === "postgres") return `email ~ '^[^ \\t\\r\\n@]+@[^ \\t\\r\\n@]+\\.[^ \\t\\r\\n@]+$'`;
    // Exactly one '@', something before it, a dot after it with something on both sides, no whitespace.
    return (
        "length(email) - length(replace(email, '@', '')) = 1 AND email GLOB '?*@?*.?*' " +
        "AND email NOT GLOB '*[ \t\r\n]*'"
    );
}

export function regionCheckSql(): string {
    return `region IS NULL OR region IN (${sqlList(KNOWN_REGIONS)})`;
}

export function spaceRoleCheckSql(): string {
    return `space_role IN (${sqlList(SPACE_ROLES)})`;
}
