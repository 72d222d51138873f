import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";

export interface FleetGuardCustomer {
    /** Region of the customer's tenant; default `qlik:region`. A change replaces the tenant, so it counts as a deletion. */
    region?: pulumi.Input<string>;
    /** The customer's own deactivation opt-in (CustomerTenant `allowDeactivation`). */
    allowDeactivation?: pulumi.Input<boolean>;
    /** The customer's plan (e.g. "premium"): named in a refused downgrade's message. */
    plan?: pulumi.Input<string>;
    /**
     * What the customer's plan adds that a downgrade would DELETE, one human-readable line each, e.g.
     * `app forecast: "Sales Forecast" published in "Globex Forecast" (sheets its users made in it are deleted with it)`.
     * A line that starts with a key and ": " (here `app forecast`) is matched by that key, so renames do not count;
     * other lines by their whole text. A run whose new list lacks a recorded piece is refused unless the customer is
     * in confirmDowngrades.
     */
    planPieces?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface FleetGuardArgs {
    /** Every customer the program declares, by alias (the same alias as its CustomerTenant). */
    customers: Record<string, FleetGuardCustomer> | string[];
    /**
     * Most customers one plan may offboard or replace: a count ("2") or a share of the fleet at the last
     * up ("10%"). Default: `fleet:maxDeletions`, else 1.
     */
    maxDeletions?: pulumi.Input<string | number>;
    /**
     * Customers the operator confirms may go in THIS run, beyond maxDeletions. Default: the environment
     * variable QLIK_FLEET_CONFIRM_DELETIONS, else `fleet:confirmDeletions` (comma-separated aliases).
     * Never stored in the state.
     */
    confirmDeletions?: pulumi.Input<string[]>;
    /**
     * Customers whose plan downgrade (pieces deleted) the operator confirms for THIS run. Default: the environment
     * variable QLIK_FLEET_CONFIRM_DOWNGRADES, else `fleet:confirmDowngrades` (comma-separated aliases). Never stored.
     */
    confirmDowngrades?: pulumi.Input<string[]>;
    /**
     * In a sharded fleet (docs/master-database.md#shards): the customers the OTHER shard stacks declare, alias -> shard.
     * A customer that leaves this stack's program but is in this map had only its shard edited, so the guard refuses it
     * (its resources are still here); rebalancing moves it. Never stored in the state.
     */
    otherShards?: Record<string, number>;
}

/**
 * The fleet-level safety net (type token `pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard`). Declare
 * it once per stack with the whole list of customers and make every CustomerTenant depend on it:
 *
 * ```ts
 * const guard = new FleetGuard("fleet", { customers: rows.map((r) => r.alias) });
 * for (const r of rows) new CustomerTenant(r.alias, { ... }, { dependsOn: [guard] });
 * ```
 *
 * Its check() compares the fleet with the one recorded by the last up, so `pulumi preview` already fails
 * (one message per customer, nothing deleted or replaced) when a customer would be offboarded without the
 * deactivation opt-in, when the plan offboards more customers than `maxDeletions` without a
 * confirmation for this run, or when a customer's `planPieces` lose an entry (a plan downgrade deleting an
 * extra app or space) without `confirmDowngrades` for that customer. It never previews as a change itself (an onboarding shows only the new customer's
 * resources): the record lives in its stored inputs. See docs/recovery.md#guards.
 */
export class FleetGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: FleetGuardArgs, opts?: pulumi.CustomResourceOptions) {
        const fleet = new pulumi.Config("fleet");
        const qlikRegion = new pulumi.Config("qlik").get("region");
        const entries: [string, FleetGuardCustomer][] = Array.isArray(args.customers)
            ? args.customers.map((a) => [a, {}])
            : Object.entries(args.customers);
        // The effective region is recorded, so that a change of qlik:region (every tenant replaced) counts too.
        const customers = pulumi.output(
            Object.fromEntries(
                entries.map(([alias, c]) => [
                    alias,
                    {
                        region: c.region ?? qlikRegion,
                        allowDeactivation: c.allowDeactivation ?? false,
                        // Only when given: a program without plans records exactly what it recorded before.
                        ...(c.plan !== undefined ? { plan: c.plan } : {}),
                        ...(c.planPieces !== undefined ? { planPieces: c.planPieces } : {}),
                    },
                ]),
            ),
        );
        const confirmList = (arg: pulumi.Input<string[]> | undefined, env: string, key: string) => {
            const fromEnv = process.env[env];
            return arg ?? (fromEnv ? fromEnv : (fleet.get(key) ?? "")).split(/[,\s]+/).filter(Boolean);
        };
        super(
            providerShim("FleetGuard"),
            name,
            {
                customers,
                maxDeletions: pulumi
                    .output(args.maxDeletions ?? fleet.get("maxDeletions") ?? "1")
                    .apply((v) => String(v)),
                confirmDeletions: confirmList(
                    args.confirmDeletions,
                    "QLIK_FLEET_CONFIRM_DELETIONS",
                    "confirmDeletions",
                ),
                confirmDowngrades: confirmList(
                    args.confirmDowngrades,
                    "QLIK_FLEET_CONFIRM_DOWNGRADES",
                    "confirmDowngrades",
                ),
                // Only when given: a one-stack fleet sends exactly what it sent before shards.
                ...(args.otherShards && Object.keys(args.otherShards).length ? { otherShards: args.otherShards } : {}),
            },
            opts,
            "qlik-tenant-fleet",
            "FleetGuard",
        );
    }
}
