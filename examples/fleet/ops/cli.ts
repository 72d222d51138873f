#!/usr/bin/env node
// `npm run fleet -- <command>` (bin `qlik-fleet`): fleet operations over the fleet's shard stacks (docs/rollouts.md;
// USAGE below lists the commands). --stack <name> is the base stack (default: the selected stack; shard k >= 1 is
// <base>-<k>), --cwd the project folder (default: the repository root).
// Exit codes: 0 done, 1 failed or refused (any shard, a failed gate), 2 changes found (drift, --expect-no-changes).
import * as fs from "fs";
import * as os from "os";
import * as readline from "readline";
import { openContext, type OpsContext } from "./context";
import { planOf, resumeRollout, rollbackRollout, RolloutRefused, startRollout, type RolloutOutcome } from "./rollout";
import { failureLines, rolloutMarkdown, rolloutRows, textTable } from "./report";
import { fleetStatus, statusTable } from "./status";
import { pulumiErrorText } from "./stack";
import type { ShardCommand } from "./shardRunner";
import { plainProgress, ttyProgress } from "./progress";
import { fleetMarkdown, fleetReport, summaryLines, verdictLine } from "./summary";
import { rebalanceCommand } from "./rebalance";

export interface Args {
    command: string[];
    flags: Record<string, string | true>;
    /** Flags that may repeat (`--shard 1 --shard 2`, `--move a --to 1`), in order. */
    lists: Record<string, string[]>;
}

const VALUE_FLAGS = new Set(["--version", "--stack", "--cwd", "--parallel", "--markdown", "--max-per-shard"]);
const LIST_FLAGS = new Set(["--shard", "--move", "--to"]);
const BOOL_FLAGS = new Set(["--yes", "--json", "--diff", "--help", "--expect-no-changes", "--refresh"]);

export function parseArgs(argv: string[]): Args {
    const command: string[] = [];
    const flags: Record<string, string | true> = {};
    const lists: Record<string, string[]> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [name, inline] = a.startsWith("--") ? a.split(/=(.*)/s, 2) : [a, undefined];
        if (VALUE_FLAGS.has(name) || LIST_FLAGS.has(name)) {
            const v = inline ?? argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`);
            if (LIST_FLAGS.has(name)) (lists[name.slice(2)] ??= []).push(v);
            else flags[name.slice(2)] = v;
        } else if (BOOL_FLAGS.has(name)) flags[name.slice(2)] = true;
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
        else command.push(a);
    }
    return { command, flags, lists };
}

export class UsageError extends Error {}

/** A flag that must be an integer >= min, or one message naming it. */
export function intFlag(name: string, raw: string, min: number): number {
    if (!/^\d+$/.test(raw) || Number(raw) < min)
        throw new UsageError(`--${name} must be an integer >= ${min}, got ${raw}`);
    return Number(raw);
}

/** `drift`'s verdict from the preview's change summary: anything but unchanged (or read) resources is drift. */
export function driftOf(changes: Record<string, number>): { code: 0 | 2; message: string } {
    const changed = Object.entries(changes).filter(([op, n]) => !["same", "read", "refresh"].includes(op) && n > 0);
    return changed.length
        ? { code: 2, message: `drift: ${changed.map(([op, n]) => `${n} to ${op}`).join(", ")}` }
        : { code: 0, message: "no drift" };
}

const cores = os.cpus().length;
const memGiB = Math.floor(os.totalmem() / 2 ** 30);

export const USAGE = `usage: npm run fleet -- <command> [--stack <base stack>] [--cwd <project folder>]
  status [--json]                 every customer: shard, plan, ring, template, last reload, last gate
  shards [--json]                 the layout: shard, stack, customers
  preview [--diff] | up [--yes] [--refresh] | drift | refresh [--yes] | destroy [--yes]
      over the shard stacks, each with:
      [--shard k]...              only these shards (a CI matrix: one runner per shard)
      [--parallel p]              shards at once; default max(1, min(shards, cores, GiB of memory)),
                                  here min(shards, ${Math.max(1, Math.min(cores, memGiB))}) (${cores} cores, ${memGiB} GiB)
      [--json]                    stdout carries only the JSON report
      [--markdown <file>]         the report as Markdown (a pull-request comment)
      [--expect-no-changes]       exit 2 when a shard has changes
      drift: preview --refresh per shard, never writes state (exit 2: drift); up --refresh repairs it
  rollout --version <release> [--yes] [--json]
  rollout resume [--version <newer release>] [--yes] [--json]
  rollout rollback [--yes] [--json]
  rebalance [--move <alias> --to <k>]... [--max-per-shard n] [--yes]
Pulumi's own --parallel in a shard: max(16, 6 x its customers). Shard k >= 1 is stack <base>-<k>.
Exit codes: 0 done, 1 failed or refused (any shard), 2 changes found (drift, --expect-no-changes).
docs/rollouts.md explains each.`;

async function confirm(question: string, yes: boolean): Promise<boolean> {
    if (yes) return true;
    if (!process.stdin.isTTY) throw new RolloutRefused(`${question}\nNot a terminal: pass --yes to go ahead.`);
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await new Promise<string>((resolve) => rl.question(`${question}\nGo ahead? [y/N] `, resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
}

async function printRollout(ctx: OpsContext, o: RolloutOutcome, json: boolean): Promise<number> {
    const rows = rolloutRows(await ctx.store.rolloutCustomers(o.rollout.id), await ctx.store.customers());
    const failures = failureLines(rows);
    if (json)
        process.stdout.write(
            JSON.stringify({ rollout: o.rollout, customers: rows, finalUp: o.finalUp }, null, 2) + "\n",
        );
    else {
        for (const f of failures) process.stdout.write(`${f}\n`);
        process.stdout.write(`\n${rolloutMarkdown(o, rows)}`);
    }
    for (const f of failures) if (json) process.stderr.write(`${f}\n`);
    const ok = o.rollout.state === "done" || o.rollout.state === "rolled_back";
    return ok && o.finalUp !== "failed" ? 0 : 1;
}

async function rollout(ctx: OpsContext, a: Args): Promise<number> {
    const sub = a.command[1];
    const json = a.flags.json === true;
    const yes = a.flags.yes === true;
    const version = typeof a.flags.version === "string" ? a.flags.version : undefined;
    if (sub === "resume") {
        if (!(await confirm(`Resume the stopped rollout${version ? ` with release ${version}` : ""}?`, yes))) return 1;
        return printRollout(ctx, await resumeRollout(ctx, version), json);
    }
    if (sub === "rollback") {
        if (!(await confirm("Put the stopped ring back on its previous template version?", yes))) return 1;
        return printRollout(ctx, await rollbackRollout(ctx), json);
    }
    if (sub !== undefined) throw new UsageError(`unknown rollout command ${sub}`);
    if (!version) throw new UsageError("rollout needs --version <release> (or resume / rollback)");
    const plan = planOf(await ctx.store.customers(), version);
    if (!(await confirm(`Roll template release ${version} out ring by ring:\n${plan}`, yes))) return 1;
    return printRollout(ctx, await startRollout(ctx, version), json);
}

const SHARD_COMMANDS = new Set<ShardCommand>(["preview", "up", "drift", "refresh", "destroy"]);

const QUESTION: Partial<Record<ShardCommand, string>> = {
    up: "Update",
    refresh: "Refresh the state (from what Qlik holds now) of",
    destroy: "Destroy every customer tenant (through pulumi destroy and its guards) of",
};

/** preview/up/drift/refresh/destroy over the shards: progress, then the per-customer summary, reports, exit code. */
async function shardCommand(ctx: OpsContext, command: ShardCommand, a: Args, out: Output): Promise<number> {
    const fleet = ctx.fleet!;
    const only = (a.lists.shard ?? []).map((k) => intFlag("shard", k, 0));
    const layout = await fleet.placeAndRecord();
    const jobs = await fleet.jobs(layout, only, command === "destroy");
    const parallel = typeof a.flags.parallel === "string" ? intFlag("parallel", a.flags.parallel, 1) : undefined;
    const question = QUESTION[command];
    if (question) {
        const list = jobs.map((j) => `${j.stack} (${j.aliases.length} customers)`).join(", ");
        if (
            !(await confirm(
                `${question} ${jobs.length} shard stack(s) of fleet ${fleet.name}: ${list}?`,
                a.flags.yes === true,
            ))
        )
            return 1;
    }
    const tty = !out.json && process.stdout.isTTY === true;
    const progress = tty ? ttyProgress(process.stdout, jobs) : plainProgress(out.log);
    const outcomes = await fleet.run(command, jobs, {
        parallel,
        progress,
        diff: a.flags.diff === true,
        refresh: command === "up" && a.flags.refresh === true,
    });
    const report = fleetReport(command, outcomes, a.flags["expect-no-changes"] === true);
    for (const line of summaryLines(report))
        (line.startsWith("FAILED") ? process.stderr : out.stream).write(`${line}\n`);
    out.log(verdictLine(report));
    if (typeof a.flags.markdown === "string") fs.writeFileSync(a.flags.markdown, fleetMarkdown(report));
    if (out.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return report.exitCode;
}

/** `shards`: which stack holds which customers (what a CI plan job turns into its matrix). */
async function shardsCommand(ctx: OpsContext, out: Output): Promise<number> {
    const fleet = ctx.fleet!;
    const layout = await fleet.layout();
    const jobs = await fleet.jobs(layout);
    if (out.json) {
        const shards = jobs.map((j) => ({ shard: j.shard, stack: j.stack, customers: j.aliases }));
        process.stdout.write(
            JSON.stringify(
                { base: layout.base, shardSize: layout.shardSize, shards, unrecorded: layout.unrecorded },
                null,
                2,
            ) + "\n",
        );
        return 0;
    }
    const abbreviated = (aliases: string[]) =>
        aliases.length > 6 ? `${aliases.slice(0, 5).join(", ")}, ... (${aliases.length - 5} more)` : aliases.join(", ");
    process.stdout.write(
        `fleet ${layout.base}: shard size ${layout.shardSize}, ${jobs.length} shard(s)\n` +
            textTable(
                ["shard", "stack", "customers", "aliases"],
                jobs.map((j) => [String(j.shard), j.stack, String(j.aliases.length), abbreviated(j.aliases)]),
            ) +
            "\n",
    );
    return 0;
}

/** `rebalance`: the moves as --move/--to pairs, in order (rebalance.ts plans, prints, applies, proves). */
function rebalance(a: Args, target: { cwd?: string; stack?: string }, log: (line: string) => void): Promise<number> {
    const aliases = a.lists.move ?? [];
    const to = a.lists.to ?? [];
    if (aliases.length !== to.length)
        throw new UsageError(
            `each --move <alias> needs its --to <shard> (got ${aliases.length} --move, ${to.length} --to)`,
        );
    return rebalanceCommand({
        cwd: target.cwd,
        base: target.stack,
        moves: aliases.map((alias, i) => ({ alias, to: intFlag("to", to[i], 0) })),
        maxPerShard:
            typeof a.flags["max-per-shard"] === "string"
                ? intFlag("max-per-shard", a.flags["max-per-shard"], 1)
                : undefined,
        yes: a.flags.yes === true,
        log,
    });
}

interface Output {
    json: boolean;
    /** Where progress and summary lines go: stderr with --json (stdout carries the JSON alone), else stdout. */
    stream: NodeJS.WritableStream;
    log: (line: string) => void;
}

async function run(a: Args): Promise<number> {
    const cmd = a.command[0];
    if (!cmd || a.flags.help) {
        process.stdout.write(`${USAGE}\n`);
        return cmd || a.flags.help ? 0 : 1;
    }
    const json = a.flags.json === true;
    const stream = json ? process.stderr : process.stdout;
    const log = (line: string) => stream.write(line.endsWith("\n") ? line : `${line}\n`);
    const out: Output = { json, stream, log };
    const target = {
        cwd: typeof a.flags.cwd === "string" ? a.flags.cwd : undefined,
        stack: typeof a.flags.stack === "string" ? a.flags.stack : undefined,
    };
    if (cmd === "rebalance") return rebalance(a, target, log);
    const ctx = await openContext(target, log);
    try {
        if (SHARD_COMMANDS.has(cmd as ShardCommand)) return await shardCommand(ctx, cmd as ShardCommand, a, out);
        switch (cmd) {
            case "status": {
                const s = await fleetStatus(ctx);
                process.stdout.write(json ? JSON.stringify(s, null, 2) + "\n" : statusTable(s) + "\n");
                return 0;
            }
            case "shards":
                return await shardsCommand(ctx, out);
            case "rollout":
                return await rollout(ctx, a);
            default:
                throw new UsageError(`unknown command ${cmd}`);
        }
    } finally {
        await ctx.close();
    }
}

/** Runs one command and ends the process with its exit code. */
export function main(argv: string[]): void {
    let args: Args;
    try {
        args = parseArgs(argv);
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        process.exit(1);
    }
    run(args).then(
        (code) => process.exit(code),
        (e: Error) => {
            const expected = e instanceof RolloutRefused || e instanceof UsageError;
            process.stderr.write(`${expected || !process.env.QLIK_DEBUG ? pulumiErrorText(e.message) : e.stack}\n`);
            if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
            process.exit(1);
        },
    );
}

if (require.main === module) main(process.argv.slice(2));
