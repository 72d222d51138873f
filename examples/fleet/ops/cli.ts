#!/usr/bin/env node
// `npm run fleet -- <command>`: fleet operations on the fleet stack (docs/rollouts.md).
//   status [--json]                           plan, ring, template deployed, last reload, last gate per customer
//   rollout --version <v> [--yes] [--json]    a staged rollout of a template release, ring by ring, with health gates
//   rollout resume [--version <v>] [--yes]    the stopped ring again (after a fix), then the rings after it
//   rollout rollback [--yes]                  the stopped ring back to its previous version
//   preview [--diff] | up [--yes] | drift     the stack itself (drift: preview with refresh; exit 2 when it drifted)
// Everywhere: --stack <name> (default: the selected stack), --cwd <project folder> (default: the repository root).
// Exit codes: 0 done, 1 failed or refused (a failed gate, a refused command), 2 drift found (drift only).
import * as readline from "readline";
import { openContext, type OpsContext } from "./context";
import { planOf, resumeRollout, rollbackRollout, RolloutRefused, startRollout, type RolloutOutcome } from "./rollout";
import { failureLines, rolloutMarkdown, rolloutRows } from "./report";
import { fleetStatus, statusTable } from "./status";
import { failureText, pulumiErrorText, type RunResult } from "./stack";

export interface Args {
    command: string[];
    flags: Record<string, string | true>;
}

const VALUE_FLAGS = new Set(["--version", "--stack", "--cwd"]);
const BOOL_FLAGS = new Set(["--yes", "--json", "--diff", "--help"]);

export function parseArgs(argv: string[]): Args {
    const command: string[] = [];
    const flags: Record<string, string | true> = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [name, inline] = a.startsWith("--") ? a.split(/=(.*)/s, 2) : [a, undefined];
        if (VALUE_FLAGS.has(name)) {
            const v = inline ?? argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`);
            flags[name.slice(2)] = v;
        } else if (BOOL_FLAGS.has(name)) flags[name.slice(2)] = true;
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
        else command.push(a);
    }
    return { command, flags };
}

export class UsageError extends Error {}

/** `drift`'s verdict from the preview's change summary: anything but unchanged (or read) resources is drift. */
export function driftOf(changes: Record<string, number>): { code: 0 | 2; message: string } {
    const changed = Object.entries(changes).filter(([op, n]) => !["same", "read", "refresh"].includes(op) && n > 0);
    return changed.length
        ? { code: 2, message: `drift: ${changed.map(([op, n]) => `${n} to ${op}`).join(", ")}` }
        : { code: 0, message: "no drift" };
}

const USAGE = `usage: npm run fleet -- <command> [--stack <name>] [--cwd <project folder>]
  status [--json]
  rollout --version <release> [--yes] [--json]
  rollout resume [--version <newer release>] [--yes] [--json]
  rollout rollback [--yes] [--json]
  preview [--diff]
  up [--yes]
  drift                  (exit 0: no drift, 2: drift, 1: error)
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

/** A failed engine run says why on stderr: its progress output holds no diagnostics (they go to the engine's stderr). */
function failed(r: RunResult): boolean {
    if (r.ok) return false;
    process.stderr.write(`${failureText(r)}\n`);
    return true;
}

async function run(a: Args): Promise<number> {
    const cmd = a.command[0];
    if (!cmd || a.flags.help) {
        process.stdout.write(`${USAGE}\n`);
        return cmd || a.flags.help ? 0 : 1;
    }
    const json = a.flags.json === true;
    // With --json, stdout carries the JSON alone: the engine's progress goes to stderr.
    const log = (line: string) =>
        (json ? process.stderr : process.stdout).write(line.endsWith("\n") ? line : `${line}\n`);
    const target = {
        cwd: typeof a.flags.cwd === "string" ? a.flags.cwd : undefined,
        stack: typeof a.flags.stack === "string" ? a.flags.stack : undefined,
    };
    const ctx = await openContext(target, log);
    try {
        switch (cmd) {
            case "status": {
                const s = await fleetStatus(ctx);
                process.stdout.write(json ? JSON.stringify(s, null, 2) + "\n" : statusTable(s) + "\n");
                return 0;
            }
            case "rollout":
                return await rollout(ctx, a);
            case "preview":
                return failed(await ctx.stack.preview(log, { diff: a.flags.diff === true })) ? 1 : 0;
            case "up": {
                if (!(await confirm(`Update stack ${ctx.stack.name}?`, a.flags.yes === true))) return 1;
                return failed(await ctx.stack.up(log)) ? 1 : 0;
            }
            case "drift": {
                const r = await ctx.stack.preview(log, { refresh: true, diff: true });
                if (failed(r)) return 1;
                const d = driftOf(r.changes);
                log(d.message);
                return d.code;
            }
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
