// What a fleet command over shards reports: one line per changed customer, each failure with its first error line,
// a Markdown report (a pull-request comment) and JSON for machines, and the exit code: 0 done, 1 failed or
// refused (any shard), 2 changes found where none were expected (`drift`, `--expect-no-changes`), as Terraform's
// `plan -detailed-exitcode` (docs/rollouts.md#exit-codes).
import { FLEET } from "./events";
import { markdownTable } from "./report";
import type { ShardCommand, ShardOutcome } from "./shardRunner";

export interface FleetReport {
    command: ShardCommand;
    shards: {
        shard: number;
        stack: string;
        ok: boolean;
        changes: Record<string, number>;
        customers: Record<string, { changes: Record<string, string[]>; errors: string[] }>;
        failure?: string;
        seconds: number;
    }[];
    /** Aliases with at least one change, by shard then alias. */
    changedCustomers: string[];
    exitCode: 0 | 1 | 2;
}

const NOT_CHANGES = new Set(["same", "read", "refresh"]);

/** Operations of an engine summary that change something. */
export function realChanges(changes: Record<string, number>): [string, number][] {
    return Object.entries(changes).filter(([op, n]) => !NOT_CHANGES.has(op) && n > 0);
}

/** Whether a shard found or made changes: its customers' steps, or the engine's own summary. */
export function shardChanged(o: ShardOutcome): boolean {
    return realChanges(o.changes).length > 0 || Object.values(o.customers).some((c) => Object.keys(c.changes).length);
}

export function exitCodeOf(
    command: ShardCommand,
    outcomes: readonly ShardOutcome[],
    expectNoChanges: boolean,
): 0 | 1 | 2 {
    if (outcomes.some((o) => !o.ok)) return 1;
    if ((command === "drift" || expectNoChanges) && outcomes.some(shardChanged)) return 2;
    return 0;
}

export function fleetReport(
    command: ShardCommand,
    outcomes: readonly ShardOutcome[],
    expectNoChanges: boolean,
): FleetReport {
    const sorted = [...outcomes].sort((a, b) => a.shard - b.shard);
    return {
        command,
        shards: sorted.map((o) => ({
            shard: o.shard,
            stack: o.stack,
            ok: o.ok,
            changes: o.changes,
            customers: o.customers,
            ...(o.failure === undefined ? {} : { failure: o.failure }),
            seconds: o.seconds,
        })),
        changedCustomers: sorted.flatMap((o) =>
            Object.entries(o.customers)
                .filter(([a, c]) => a !== FLEET && Object.keys(c.changes).length > 0)
                .map(([a]) => a)
                .sort(),
        ),
        exitCode: exitCodeOf(command, outcomes, expectNoChanges),
    };
}

const PAST: Record<string, string> = {
    create: "created",
    update: "updated",
    delete: "deleted",
    replace: "replaced",
    "create-replacement": "created as replacement",
    "delete-replaced": "deleted (replaced)",
    refresh: "refreshed with changes",
    import: "imported",
};

/** "2 to update: a, b" for a plan (preview, drift), "2 updated: a, b" for a run that applied. */
function opsText(command: ShardCommand, changes: Record<string, string[]>): string {
    const planned = command === "preview" || command === "drift";
    return Object.entries(changes)
        .map(([op, names]) => `${names.length} ${planned ? `to ${op}` : (PAST[op] ?? op)}: ${names.join(", ")}`)
        .join("; ");
}

const who = (alias: string) => (alias === FLEET ? "fleet resources" : alias);

/** One line per changed customer, then one per failed customer and failed shard. */
export function summaryLines(r: FleetReport): string[] {
    const lines: string[] = [];
    for (const s of r.shards)
        for (const [alias, c] of Object.entries(s.customers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            if (Object.keys(c.changes).length)
                lines.push(`${who(alias)} (shard ${s.shard}): ${opsText(r.command, c.changes)}`);
    for (const s of r.shards) {
        for (const [alias, c] of Object.entries(s.customers))
            if (c.errors.length) lines.push(`FAILED ${who(alias)} (shard ${s.shard}): ${c.errors[0]}`);
        if (s.failure) lines.push(`FAILED shard ${s.shard} (${s.stack}): ${s.failure.split("\n")[0]}`);
    }
    return lines;
}

/** The closing line: how many shards and customers, and what the exit code means. */
export function verdictLine(r: FleetReport): string {
    const failed = r.shards.filter((s) => !s.ok).length;
    const base = `${r.command}: ${r.shards.length} shard(s), ${r.changedCustomers.length} customer(s) with changes`;
    if (failed) return `${base}, ${failed} shard(s) failed`;
    if (r.command === "drift") return r.exitCode === 2 ? `${base}: drift: ${changeCounts(r)}` : `${base}: no drift`;
    if (r.exitCode === 2) return `${base}: changes found where none were expected: ${changeCounts(r)}`;
    return base;
}

/** "1 to update, 2 to create" over all shards (the engine's summaries). */
function changeCounts(r: FleetReport): string {
    const sum = new Map<string, number>();
    for (const s of r.shards) for (const [op, n] of realChanges(s.changes)) sum.set(op, (sum.get(op) ?? 0) + n);
    return sum.size ? [...sum].map(([op, n]) => `${n} to ${op}`).join(", ") : "changes";
}

/** The Markdown report (a pull-request comment): verdict, shards table, changed customers, failures. */
export function fleetMarkdown(r: FleetReport): string {
    const icon = r.exitCode === 0 ? "✅" : r.exitCode === 2 ? "⚠️" : "❌";
    const rows = r.shards.map((s) => [
        String(s.shard),
        s.stack,
        s.ok ? "ok" : "FAILED",
        String(
            Object.keys(s.customers).filter((a) => a !== FLEET && Object.keys(s.customers[a].changes).length).length,
        ),
        realChanges(s.changes)
            .map(([op, n]) => `${n} ${op}`)
            .join(", ") || "no changes",
        `${s.seconds}s`,
    ]);
    const lines = [
        `## fleet ${r.command} ${icon}`,
        "",
        verdictLine(r),
        "",
        markdownTable(["shard", "stack", "result", "customers changed", "resources", "time"], rows),
    ];
    const details = summaryLines(r);
    if (details.length) lines.push("", ...details.map((l) => `- ${l.replace(/\|/g, "\\|")}`));
    return lines.join("\n") + "\n";
}
