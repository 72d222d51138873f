// Every row of the master database checked before the stack declares anything: ALL invalid rows are
// reported in one error (row and field), so one bad customer can no longer stop a fleet's `up` half way
// (it used to fail after 7 of 23 resources). The rules are provider/naming.ts's, the same ones the
// database's CHECK constraints and the provider's check() use.
import {
    ALIAS_RE,
    ALIAS_RULE_TEXT,
    KNOWN_REGIONS,
    SPACE_ROLES,
    isKnownRegion,
    isValidAlias,
    isValidEmail,
} from "qlik-tenant-fleet/naming";
import type { CustomerRecord } from "./masterDb";

export interface RowProblem {
    /** e.g. `customers id=cust-004 (alias "trail-")` or `users customer=cust-002 subject="globex\\linda"`. */
    row: string;
    field: string;
    problem: string;
}

const LICENSE_TYPES = ["professional", "analyzer"];

/** A plan app's key names Pulumi resources (`<alias>-app-<key>`): a host label, like an alias. */
const isHostLabel = (k: string) => ALIAS_RE.test(k);

/** Problems of the plans the customers are on (each plan reported once, whatever number of customers is on it). */
function planProblems(customers: CustomerRecord[]): RowProblem[] {
    const out: RowProblem[] = [];
    const seen = new Set<string>();
    for (const { plan } of customers) {
        if (seen.has(plan.name)) continue;
        seen.add(plan.name);
        for (const a of plan.apps) {
            const row = `plan_apps plan=${JSON.stringify(plan.name)} app_key=${JSON.stringify(a.key)}`;
            if (!isHostLabel(a.key))
                out.push({
                    row,
                    field: "app_key",
                    problem:
                        "must be a host label: 1-63 lowercase letters, digits and '-', not starting or ending with '-' (it names the Pulumi resources <alias>-app-<key>), e.g. forecast",
                });
            if (a.templateAppName.trim() === "")
                out.push({
                    row,
                    field: "template_app_name",
                    problem: "must name the template app in the source tenant",
                });
        }
    }
    return out;
}

/** A customer with more professional users than the plan's cap: the count and the cap, and the two ways out. */
function seatProblem(c: CustomerRecord, row: string): RowProblem | undefined {
    const cap = c.plan.professionalSeats;
    if (cap === null) return undefined;
    const pros = c.users.filter((u) => u.licenseType === "professional").length;
    if (pros <= cap) return undefined;
    return {
        row,
        field: "plan",
        problem: `plan ${JSON.stringify(c.plan.name)} allows ${cap} professional seat(s) but the customer has ${pros} professional user(s) (users.license_type, else customers.license_type): give ${pros - cap} of them an analyzer license or move the customer to a plan with more seats`,
    };
}

export function customerRowProblems(customers: CustomerRecord[]): RowProblem[] {
    const out: RowProblem[] = planProblems(customers);
    for (const c of customers) {
        const row = `customers id=${c.id} (alias ${JSON.stringify(c.alias)})`;
        const add = (field: string, problem: string, r = row) => out.push({ row: r, field, problem });
        if (!isValidAlias(c.alias)) add("alias", `must be ${ALIAS_RULE_TEXT}`);
        if (typeof c.name !== "string" || c.name.trim() === "" || c.name.length > 256)
            add("name", "must be 1-256 characters (it becomes the tenant's name)");
        if (c.region !== undefined && !isKnownRegion(c.region))
            add("region", `must be empty (qlik:region) or one of ${KNOWN_REGIONS.join(", ")}`);
        if (!LICENSE_TYPES.includes(c.licenseType)) add("license_type", "must be professional or analyzer");
        const seats = seatProblem(c, row);
        if (seats) out.push(seats);
        if (c.connections.length === 0)
            add(
                "customer_connections",
                "the customer has no row in customer_connections: its app needs one data connection",
            );
        for (const conn of c.connections) {
            const r = `customer_connections customer=${c.id} name=${JSON.stringify(conn.name)}`;
            if (!conn.datasourceId || conn.datasourceId.trim() === "")
                add("datasource_id", "must name the data source, e.g. postgres or sqlite", r);
        }
        for (const g of c.groups) {
            const r = `groups customer=${c.id} name=${JSON.stringify(g.name)}`;
            if (g.name.trim() === "") add("name", "must not be empty (it is the group name in the users' JWT)", r);
            if (!SPACE_ROLES.includes(g.spaceRole)) add("space_role", `must be one of ${SPACE_ROLES.join(", ")}`, r);
        }
        for (const u of c.users) {
            const r = `users customer=${c.id} subject=${JSON.stringify(u.subject)}`;
            if (u.subject.trim() === "") add("subject", "must not be empty (it is the JWT sub of the user)", r);
            if (!isValidEmail(u.email))
                add("email", `${JSON.stringify(u.email)} is not an email address (name@domain.tld, no spaces)`, r);
            if (!LICENSE_TYPES.includes(u.licenseType))
                add("license_type", "must be empty (the customer's) or professional or analyzer", r);
        }
    }
    return out;
}

export class InvalidCustomerRows extends Error {
    constructor(
        readonly where: string,
        readonly problems: RowProblem[],
    ) {
        super(
            `master database ${where}: ${problems.length} invalid value(s); nothing was changed in Qlik Cloud. Fix these rows and run again:\n` +
                problems.map((p) => `  - ${p.row}: ${p.field} ${p.problem}`).join("\n"),
        );
        this.name = "InvalidCustomerRows";
    }
}

/** Throws one error listing every invalid row; returns the customers unchanged otherwise. */
export function assertValidCustomers(customers: CustomerRecord[], where: string): CustomerRecord[] {
    const problems = customerRowProblems(customers);
    if (problems.length) throw new InvalidCustomerRows(where, problems);
    return customers;
}
