// Shards of a fleet (docs/master-database.md#shards): which stack holds which customers. Pure functions, shared by
// the stack program (examples/fleet/index.ts) and the orchestrator (examples/fleet/ops): both must agree exactly.

/** Customers per shard stack when fleet:shardSize is not set (issue 11: a fleet this small stays one stack). */
export const DEFAULT_SHARD_SIZE = 50;

/** Shard 0 is the base stack itself, so an existing one-stack fleet never moves; shard k >= 1 is `<base>-<k>`. */
export function shardStackName(base: string, k: number): string {
    if (!Number.isInteger(k) || k < 0) throw new Error(`shard must be an integer >= 0, got ${k}`);
    return k === 0 ? base : `${base}-${k}`;
}

/** The shard a stack name stands for in the fleet of `base`, or undefined when it is not one of its shards. */
export function shardOfStack(base: string, stack: string): number | undefined {
    if (stack === base) return 0;
    if (!stack.startsWith(`${base}-`)) return undefined;
    const rest = stack.slice(base.length + 1);
    // "dev-01" is not shard 1: shardStackName never writes leading zeros, so it names some other stack.
    return /^[1-9]\d*$/.test(rest) ? Number(rest) : undefined;
}

export interface ShardCandidate {
    alias: string;
    /** The recorded shard (customers.shard); undefined = not recorded yet. */
    shard?: number;
    /** customers.created_at: the order in which unrecorded customers are placed. */
    createdAt: string;
}

/**
 * Every customer's shard. Recorded shards are kept as they are, even when a shard is over size (only rebalancing
 * moves anybody); unrecorded customers, in (createdAt, alias) order, go to the lowest shard whose count (recorded +
 * placed so far) is below shardSize, opening shard max+1 when all are full. So a new customer lands in one shard
 * and moves nobody, and the same rows give the same answer on every machine.
 */
export function assignShards(customers: readonly ShardCandidate[], shardSize: number): Map<string, number> {
    if (!Number.isInteger(shardSize) || shardSize < 1)
        throw new Error(`shardSize must be an integer >= 1, got ${shardSize}`);
    const out = new Map<string, number>();
    const count = new Map<number, number>();
    for (const c of customers) {
        if (c.shard === undefined) continue;
        out.set(c.alias, c.shard);
        count.set(c.shard, (count.get(c.shard) ?? 0) + 1);
    }
    const pending = customers
        .filter((c) => c.shard === undefined)
        .sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.alias, b.alias));
    let lowest = 0; // no shard below this one has room: placing only ever fills shards
    for (const c of pending) {
        while ((count.get(lowest) ?? 0) >= shardSize) lowest++;
        // Past every shard in use, `lowest` is max+1: a new shard opens.
        out.set(c.alias, lowest);
        count.set(lowest, (count.get(lowest) ?? 0) + 1);
    }
    return out;
}

/** Code-point order (not the locale's), so that every machine sorts the same way. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A config value that must be an integer >= min: the value, or one message naming the key and the fix. */
export function parseShardSetting(key: string, raw: string | undefined, fallback: number, min: number): number {
    if (raw === undefined || raw.trim() === "") return fallback;
    const s = raw.trim();
    if (!/^\d+$/.test(s) || Number(s) < min)
        throw new Error(
            `${key} must be an integer >= ${min}, got ${JSON.stringify(raw)}: \`pulumi config set ${key} ${fallback}\``,
        );
    return Number(s);
}
