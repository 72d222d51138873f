// Engine events of one shard's run mapped to the customers they belong to: every resource of a customer is named
// `<alias>` (its CustomerTenant) or `<alias>-...` (sdk/customerTenant.ts names its children so), and the URN ends
// with `::<name>` (https://www.pulumi.com/docs/iac/concepts/resources/names/#urns). Resources of no customer (the
// FleetGuard, the stack, providers) count under FLEET.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { nameOfUrn } from "./stack";

export const FLEET = "(fleet)";

export interface CustomerTally {
    /** Operation -> names of the resources it applies to (only real changes: not same/read/refresh). */
    changes: Record<string, string[]>;
    /** First line of each error of the customer's resources. */
    errors: string[];
}

/** The children CustomerTenant names `<alias>-<part>` (sdk/customerTenant.ts). */
const CHILD = /^(.+?)-(tenant|jwt|licenses|groups|app|publish|authors)(-.+)?$/;

/**
 * The alias a resource belongs to: the longest known alias that its name equals or starts with followed by "-";
 * a customer no longer in the master database (being offboarded) is known by its CustomerTenant's type or by the
 * names CustomerTenant gives its children.
 */
export function customerOfUrn(urn: string, aliases: readonly string[], type?: string): string | undefined {
    const name = nameOfUrn(urn);
    let best: string | undefined;
    for (const a of aliases)
        if ((name === a || name.startsWith(`${a}-`)) && (best === undefined || a.length > best.length)) best = a;
    if (best !== undefined) return best;
    if (type?.endsWith(":CustomerTenant")) return name;
    return CHILD.exec(name)?.[1];
}

const NO_CHANGE = new Set(["same", "read", "refresh", "discard", "discard-replaced"]);

/** Whether a step changes something (a refresh step counts when it found a difference: that is drift). */
export function isChange(op: string, diffs?: string[]): boolean {
    if (op === "refresh") return (diffs?.length ?? 0) > 0;
    return !NO_CHANGE.has(op);
}

const firstLine = (message: string) =>
    message
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l) ?? "";

/**
 * Collects one run's events by customer. `planning` runs (preview, drift) count the steps as announced
 * (resourcePreEvent); runs that apply count the steps that completed (resOutputsEvent), so a failed step is an error,
 * not a change.
 */
export class EventTally {
    readonly customers = new Map<string, CustomerTally>();
    /** Distinct customers with at least one completed step so far (progress). */
    readonly touched = new Set<string>();

    constructor(
        private readonly aliases: readonly string[],
        private readonly planning: boolean,
    ) {}

    private of(alias: string): CustomerTally {
        let t = this.customers.get(alias);
        if (!t) this.customers.set(alias, (t = { changes: {}, errors: [] }));
        return t;
    }

    private who(urn: string, type?: string): string {
        return customerOfUrn(urn, this.aliases, type) ?? FLEET;
    }

    readonly onEvent = (e: EngineEvent): void => {
        const step = this.planning ? e.resourcePreEvent?.metadata : e.resOutputsEvent?.metadata;
        if (step && step.type !== "pulumi:pulumi:Stack" && isChange(step.op, step.diffs)) {
            const t = this.of(this.who(step.urn, step.type));
            const names = (t.changes[step.op] ??= []);
            const name = nameOfUrn(step.urn);
            if (!names.includes(name)) names.push(name);
        }
        const done = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (done) this.touched.add(this.who(done.urn, done.type));
        const d = e.diagnosticEvent;
        if (d && d.severity === "error" && d.urn) {
            const line = firstLine(d.message);
            const t = this.of(this.who(d.urn));
            if (line && !t.errors.includes(line)) t.errors.push(line);
        }
    };

    /** Customers with a change or an error. */
    changed(): string[] {
        return [...this.customers.entries()]
            .filter(([a, t]) => a !== FLEET && Object.keys(t.changes).length > 0)
            .map(([a]) => a);
    }

    failed(): string[] {
        return [...this.customers.entries()].filter(([, t]) => t.errors.length > 0).map(([a]) => a);
    }
}
