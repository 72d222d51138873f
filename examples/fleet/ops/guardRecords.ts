// Edits of an exported stack state (`pulumi stack export` format, version 3) that a rebalance needs: the FleetGuard's
// record of one customer (its stored inputs AND outputs: check() reads the inputs as olds, refresh keeps the outputs),
// and the URNs of one customer's CustomerTenant with everything under it. Pure functions over the JSON.
// Why edit the guard's record at all: provider/resources/fleetGuard.ts rule 4 and docs/master-database.md#rebalancing.

export interface StateResource {
    urn: string;
    type: string;
    parent?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [k: string]: unknown;
}

export interface ExportedState {
    version: number;
    deployment: { resources?: StateResource[]; [k: string]: unknown };
}

export interface GuardEntry {
    region?: string;
    allowDeactivation?: boolean;
    plan?: string;
    planPieces?: string[];
    moving?: { from: string; to: string; shard: number };
}

const CUSTOMER_TENANT = "qlik-tenant-fleet:index:CustomerTenant";
const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The stack's FleetGuard (type token pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard, sdk/fleetGuard.ts). */
export function guardOf(state: ExportedState): StateResource | undefined {
    return (state.deployment.resources ?? []).find((r) => r.type.endsWith(":FleetGuard") && !r.urn.includes("$"));
}

function recordOf(r: StateResource, key: "inputs" | "outputs"): Record<string, GuardEntry> | undefined {
    const c = r[key]?.customers;
    if (c === undefined) return undefined;
    if (!c || typeof c !== "object" || Array.isArray(c) || "4dabf18193072939515e22adb298388d" in c)
        throw new Error(
            `the FleetGuard ${r.urn} stores its ${key}.customers in a form this rebalance cannot edit (secret or not a map)`,
        );
    return c as Record<string, GuardEntry>;
}

export function guardEntry(state: ExportedState, alias: string): GuardEntry | undefined {
    const g = guardOf(state);
    return g ? recordOf(g, "inputs")?.[alias] : undefined;
}

/** Sets (or, with undefined, removes) the customer's entry in the guard's inputs and outputs; true when it changed. */
export function setGuardEntry(state: ExportedState, alias: string, entry: GuardEntry | undefined): boolean {
    const g = guardOf(state);
    if (!g) throw new Error("the stack has no FleetGuard in its state: run `up` on it once first");
    let changed = false;
    for (const key of ["inputs", "outputs"] as const) {
        const rec = recordOf(g, key) ?? {};
        const before = JSON.stringify(rec[alias]);
        if (entry === undefined) delete rec[alias];
        else rec[alias] = entry;
        if (JSON.stringify(rec[alias]) !== before) changed = true;
        g[key] = { ...(g[key] ?? {}), customers: rec };
    }
    return changed;
}

/** The customer's CustomerTenant and every resource under it (children, grandchildren, ...), in state order. */
export function customerUrns(state: ExportedState, alias: string): string[] {
    const resources = state.deployment.resources ?? [];
    const root = resources.find((r) => r.type === CUSTOMER_TENANT && nameOf(r.urn) === alias);
    if (!root) return [];
    const inside = new Set([root.urn]);
    // State order puts a parent before its children (Pulumi's snapshot invariant), so one pass finds them all.
    for (const r of resources) if (r.parent && inside.has(r.parent)) inside.add(r.urn);
    return resources.filter((r) => inside.has(r.urn)).map((r) => r.urn);
}

/** Removes these resources from the state (not from Qlik): the half of an interrupted move left in the source. */
export function dropResources(state: ExportedState, urns: string[]): void {
    const gone = new Set(urns);
    state.deployment.resources = (state.deployment.resources ?? []).filter((r) => !gone.has(r.urn));
}
