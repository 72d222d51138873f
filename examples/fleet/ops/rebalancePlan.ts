// Which customers a rebalance moves (docs/master-database.md#rebalancing): explicit moves, or --max-per-shard n moving
// the newest customers of over-full shards to the lowest shards with room. Pure: the plan is printed before anything
// changes, and the same layout always gives the same plan.
import type { FleetLayout } from "./shardRecords";

export interface Move {
    alias: string;
    from: number;
    to: number;
}

export interface PlanRequest {
    /** Explicit moves (`--move <alias> --to <k>`), applied first. */
    moves?: { alias: string; to: number }[];
    /** Most customers a shard keeps (`--max-per-shard n`); the newest beyond it move. */
    maxPerShard?: number;
    /** customers.created_at by alias: "newest" means latest created_at (then highest alias). */
    createdAt: Map<string, string>;
}

/** The moves, or one error naming the bad argument and the fix. */
export function planMoves(layout: FleetLayout, req: PlanRequest): Move[] {
    const shardOf = new Map<string, number>();
    for (const [k, aliases] of layout.byShard) for (const a of aliases) shardOf.set(a, k);
    const members = new Map<number, string[]>([...layout.byShard].map(([k, a]) => [k, [...a]]));
    const out: Move[] = [];
    const move = (alias: string, to: number) => {
        const from = shardOf.get(alias)!;
        if (from === to) return;
        members.set(
            from,
            (members.get(from) ?? []).filter((a) => a !== alias),
        );
        members.set(to, [...(members.get(to) ?? []), alias]);
        shardOf.set(alias, to);
        const earlier = out.findIndex((m) => m.alias === alias);
        if (earlier >= 0) out.splice(earlier, 1);
        if (layout.byShard.get(to)?.includes(alias)) return; // moved back where it was: nothing to do
        out.push({ alias, from: origin(layout, alias), to });
    };
    for (const m of req.moves ?? []) {
        if (!shardOf.has(m.alias))
            throw new Error(`--move ${m.alias}: no customer with that alias in the master database (customers.alias)`);
        if (!Number.isInteger(m.to) || m.to < 0)
            throw new Error(`--move ${m.alias} --to ${m.to}: the shard must be an integer >= 0`);
        move(m.alias, m.to);
    }
    if (req.maxPerShard !== undefined) {
        const n = req.maxPerShard;
        if (!Number.isInteger(n) || n < 1) throw new Error(`--max-per-shard ${n}: must be an integer >= 1`);
        const newestFirst = (a: string, b: string) =>
            cmp(req.createdAt.get(b) ?? "", req.createdAt.get(a) ?? "") || cmp(b, a);
        for (const k of [...members.keys()].sort((a, b) => a - b)) {
            const extra = (members.get(k) ?? []).length - n;
            if (extra <= 0) continue;
            for (const alias of [...members.get(k)!].sort(newestFirst).slice(0, extra))
                move(alias, roomy(members, n, k));
        }
    }
    return out;
}

/** The shard a customer is in before the rebalance. */
function origin(layout: FleetLayout, alias: string): number {
    for (const [k, aliases] of layout.byShard) if (aliases.includes(alias)) return k;
    throw new Error(`no customer ${alias}`);
}

/** The lowest shard (other than `not`) holding fewer than n customers; max+1 when all are full. */
function roomy(members: Map<number, string[]>, n: number, not: number): number {
    for (let k = 0; ; k++) if (k !== not && (members.get(k) ?? []).length < n) return k;
}

/** The plan as the operator reads it before saying yes. */
export function describeMoves(base: string, moves: Move[], stackOf: (k: number) => string): string[] {
    if (moves.length === 0) return [`rebalance of ${base}: nothing to move`];
    return [
        `rebalance of ${base}: ${moves.length} customer(s) to move (state only: no tenant, app or user is re-created)`,
        ...moves.map((m) => `  ${m.alias}: shard ${m.from} (${stackOf(m.from)}) -> shard ${m.to} (${stackOf(m.to)})`),
    ];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
