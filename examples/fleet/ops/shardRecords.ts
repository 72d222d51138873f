// Where each customer is (docs/master-database.md#shards): the layout of the fleet over its shard stacks, computed from
// the master database's recorded shards, and the recording of the customers placed for the first time. The
// orchestrator records before every command that runs shards (preview too): that is bookkeeping of where customers
// are or will be, not a change in Qlik, and it is what keeps a customer in one shard for good.
import { assignShards, shardOfStack, type ShardCandidate } from "../shards";
import type { Sql } from "./store";

export interface FleetLayout {
    base: string;
    shardSize: number;
    /** Shards in use, sorted. */
    shards: number[];
    /** Aliases per shard, in alias order. */
    byShard: Map<number, string[]>;
    /** Customers whose shard is not recorded in the master database yet (recordLayout writes them). */
    unrecorded: string[];
}

/** The CustomerTenant type token (sdk/customerTenant.ts): its name is the customer's alias. */
export const CUSTOMER_TENANT_TYPE = "qlik-tenant-fleet:index:CustomerTenant";

export interface PlaceOptions {
    /** The base stack (shard 0). */
    base: string;
    shardSize: number;
    /** Every customer of the master database (CustomerRecord fits). */
    customers: readonly ShardCandidate[];
    /**
     * The aliases of the CustomerTenants in each existing shard stack's state, by shard. Asked only when some customer
     * is unrecorded: a customer already deployed in some shard stack is recorded there, so upgrading an existing big
     * one-stack fleet (every customer in `<base>`, none recorded) moves nobody.
     */
    deployed?: () => Promise<Map<number, string[]>>;
}

/** Which shard holds which customer; `unrecorded` lists those whose shard recordLayout must still write. */
export async function placeFleet(opts: PlaceOptions): Promise<FleetLayout> {
    const unrecorded = opts.customers.filter((c) => c.shard === undefined).map((c) => c.alias);
    let candidates = opts.customers;
    if (unrecorded.length && opts.deployed) {
        const where = deployedShard(await opts.deployed());
        candidates = opts.customers.map((c) =>
            c.shard === undefined && where.has(c.alias) ? { ...c, shard: where.get(c.alias) } : c,
        );
    }
    const placed = assignShards(candidates, opts.shardSize);
    const groups = new Map<number, string[]>();
    for (const [alias, k] of placed) groups.set(k, [...(groups.get(k) ?? []), alias]);
    const shards = [...groups.keys()].sort((a, b) => a - b);
    return {
        base: opts.base,
        shardSize: opts.shardSize,
        shards,
        // In shard order, aliases sorted: the same layout prints the same way everywhere.
        byShard: new Map(shards.map((k) => [k, groups.get(k)!.sort(cmp)])),
        unrecorded: unrecorded.sort(cmp),
    };
}

/**
 * alias -> the shard whose state holds it. A customer in two states (only an interrupted hand-made move can do that:
 * rebalance records every move) counts in the lowest one; rebalance --move settles it explicitly.
 */
function deployedShard(deployed: Map<number, string[]>): Map<string, number> {
    const out = new Map<string, number>();
    for (const k of [...deployed.keys()].sort((a, b) => b - a)) for (const alias of deployed.get(k)!) out.set(alias, k);
    return out;
}

/**
 * Writes the shard of every unrecorded customer in one transaction; returns how many rows it wrote. `shard IS NULL`
 * in the WHERE: a shard recorded meanwhile (another runner, a rebalance) is never overwritten, so two runners
 * recording at once agree (they compute the same layout from the same rows).
 */
export async function recordLayout(sql: Sql, layout: FleetLayout): Promise<number> {
    if (layout.unrecorded.length === 0) return 0;
    const shardOf = new Map<string, number>();
    for (const [k, aliases] of layout.byShard) for (const a of aliases) shardOf.set(a, k);
    let written = 0;
    await sql.tx(async () => {
        for (const alias of layout.unrecorded) {
            const k = shardOf.get(alias);
            if (k === undefined) continue;
            const before = await sql.all<{ n: number | string }>(
                "SELECT count(*) AS n FROM customers WHERE alias = ? AND shard IS NULL",
                [alias],
            );
            await sql.run("UPDATE customers SET shard = ? WHERE alias = ? AND shard IS NULL", [k, alias]);
            written += Number(before[0]?.n ?? 0);
        }
    });
    return written;
}

/** The CustomerTenant aliases of an exported deployment (`pulumi stack export` / Automation API exportStack). */
export function customersInState(deployment: unknown): string[] {
    const resources = (deployment as { resources?: { urn: string; type: string }[] } | undefined)?.resources ?? [];
    return resources
        .filter((r) => r.type === CUSTOMER_TENANT_TYPE)
        .map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2))
        .sort(cmp);
}

/**
 * `deployed` for placeFleet from a project's stacks: every existing `<base>` / `<base>-<k>` stack exported once.
 * `exportStack(name)` returns the deployment (its `deployment` field in the export format), `stackNames` the stacks.
 */
export function deployedFromStacks(
    base: string,
    stackNames: () => Promise<string[]>,
    exportStack: (stack: string) => Promise<unknown>,
): () => Promise<Map<number, string[]>> {
    return async () => {
        const out = new Map<number, string[]>();
        for (const name of await stackNames()) {
            const k = shardOfStack(base, name);
            if (k === undefined) continue;
            out.set(k, customersInState(await exportStack(name)));
        }
        return out;
    };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
