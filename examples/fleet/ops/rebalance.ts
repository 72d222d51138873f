// `npm run fleet -- rebalance [--move <alias> --to <k>]... [--max-per-shard n] [--yes]` (docs/master-database.md#rebalancing):
// moves customers between shard stacks without re-creating anything in Qlik. The plan is printed first; per move:
//   1. its CustomerTenant and everything under it copied into the target's state, with the customer marked `moving`
//      in the target's FleetGuard record: from then on until step 4 every run of that stack is refused at preview
//      (provider/resources/fleetGuard.ts), so no `up` can see it half-moved;
//   2. the same resources dropped from the source's state, and the source's record marked `moving` too. Steps 1-2 are
//      what `pulumi state move` does, on `pulumi stack export`/`import` (each locks its stack), because the CLI's move
//      refuses every pair of shard stacks (stateTransfer.ts says why); secrets travel in memory only;
//   3. record customers.shard = target in the master database;
//   4. the guard records agree: gone from the source's (a move is not an offboarding), the target's unmarked;
//   5. prove it: `pulumi preview --expect-no-changes` on both stacks; then an `up` of each moves the customer's stack
//      outputs along (no resource changes, checked again by its --expect-no-changes).
// Each step checks what is already done, so after a crash anywhere the same command converges.
import { spawn } from "child_process";
import * as readline from "readline";
import { loadCustomers } from "../masterDb";
import { DEFAULT_SHARD_SIZE, parseShardSetting, shardOfStack, shardStackName } from "../shards";
import { FleetProject, FleetStack } from "./stack";
import { openMasterSql, type Sql } from "./store";
import { deployedFromStacks, placeFleet, recordLayout } from "./shardRecords";
import { describeMoves, planMoves, type Move } from "./rebalancePlan";
import { addCustomerResources } from "./stateTransfer";
import {
    customerUrns,
    dropResources,
    guardEntry,
    guardOf,
    setGuardEntry,
    type ExportedState,
    type GuardEntry,
} from "./guardRecords";

export interface RebalanceOptions {
    /** The Pulumi project folder (default the repository root). */
    cwd?: string;
    /** The base stack (shard 0); default the selected stack. */
    base?: string;
    moves: { alias: string; to: number }[];
    maxPerShard?: number;
    yes: boolean;
    log: (line: string) => void;
}

/** Exit code: 0 done (or nothing to do, or only previewed), 1 failed. */
export async function rebalanceCommand(opts: RebalanceOptions): Promise<number> {
    const project = await FleetProject.open(opts.cwd);
    const base = opts.base ?? (await project.selectedStack());
    if (!base) throw new Error(`no stack is selected in ${project.cwd}: pass --stack <base stack>`);
    const baseStack = await FleetStack.open({ stack: base }, project);
    const config = await baseStack.allConfig();
    const masterDb = config["fleet:masterDb"];
    const password = config["fleet:masterDbPassword"];
    const shardSize = parseShardSetting("fleet:shardSize", config["fleet:shardSize"], DEFAULT_SHARD_SIZE, 1);
    const customers = await loadCustomers(masterDb, { cwd: project.cwd, password });
    const sql = await openMasterSql(masterDb, project.cwd, password);
    try {
        const layout = await placeFleet({
            base,
            shardSize,
            customers,
            deployed: deployedFromStacks(
                base,
                () => project.stackNames(),
                async (s) => (await exportState(project, s)).deployment,
            ),
        });
        // Where everybody is must be on record before anybody moves (the program reads the same records).
        await recordLayout(sql, layout);
        const moves = planMoves(layout, {
            moves: opts.moves,
            maxPerShard: opts.maxPerShard,
            createdAt: new Map(customers.map((c) => [c.alias, c.createdAt])),
        });
        const stackOf = (k: number) => shardStackName(base, k);
        for (const line of describeMoves(base, moves, stackOf)) opts.log(line);
        // A rerun after a crash: a move already recorded is not in the plan, but its stacks may still be marked.
        const unfinished = await unfinishedMoves(
            project,
            base,
            customers.map((c) => c.alias),
        );
        for (const u of unfinished)
            if (!moves.some((m) => m.alias === u.alias)) {
                opts.log(`  ${u.alias}: an unfinished move to shard ${u.to} (${stackOf(u.to)}) is finished too`);
                moves.push(u);
            }
        if (moves.length === 0) return 0;
        if (!(await confirm(opts.yes))) {
            opts.log("nothing changed: run again with --yes to move them");
            return 0;
        }
        let failed = 0;
        for (const m of moves) {
            try {
                await applyMove(project, sql, base, m, opts.log);
            } catch (e) {
                failed++;
                opts.log(`${m.alias}: FAILED: ${(e as Error).message.split("\n")[0]}`);
                opts.log(`  rerun the same command to finish it (each step checks what is already done)`);
            }
        }
        return failed ? 1 : 0;
    } finally {
        await sql.close();
    }
}

async function confirm(yes: boolean): Promise<boolean> {
    if (yes) return true;
    if (!process.stdin.isTTY) return false;
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await new Promise<string>((resolve) => rl.question("Move them? [y/N] ", resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
}

/** One move, steps 1-5 of the header; each step skips what an earlier (interrupted) run already did. */
export async function applyMove(
    project: FleetProject,
    sql: Sql,
    base: string,
    m: Move,
    log: (line: string) => void,
): Promise<void> {
    const src = shardStackName(base, m.from);
    const dst = shardStackName(base, m.to);
    const say = (s: string) => log(`${m.alias}: ${s}`);
    await FleetStack.openShard(base, m.to, { create: true, project });
    // A runner whose checkout lacks the source's Pulumi.<stack>.yaml (another machine) needs it for the proof's preview.
    if (m.from !== 0) await FleetStack.openShard(base, m.from, { create: true, project });
    const d = await ensureGuard(project, dst, say);
    const s = await exportState(project, src);
    const unchanged = { [dst]: fingerprint(d), [src]: fingerprint(s) };
    const moving = { from: src, to: dst, shard: m.to };
    const entry: GuardEntry = withoutMoving(guardEntry(s, m.alias) ?? guardEntry(d, m.alias) ?? {});

    // 1. The target gets the resources and the marked entry in one import (its secrets re-encrypted by the import).
    // The source still holds and runs the customer meanwhile: the target is the one that refuses.
    const inSrc = customerUrns(s, m.alias);
    const added = inSrc.length ? addCustomerResources(await exportState(project, src, true), d, m.alias, src, dst) : 0;
    if (setGuardEntry(d, m.alias, { ...entry, moving }) || added) await importState(project, dst, d, unchanged[dst]);
    say(
        added
            ? `state copied: ${added} resource(s) from ${src} to ${dst} (it refuses any run until this move is done)`
            : customerUrns(d, m.alias).length
              ? `already in ${dst}'s state`
              : "not deployed in any shard yet: only its record moves",
    );

    // 2. The source lets go of them and is marked too, in one import: its record does not say the target yet, so
    // without the mark an `up` there would create the customer a second time.
    dropResources(s, inSrc);
    if (setGuardEntry(s, m.alias, { ...entry, moving }) || inSrc.length)
        await importState(project, src, s, unchanged[src]);
    if (inSrc.length) say(`removed from ${src}'s state (nothing in Qlik)`);

    // 3. The record, 4. then the guards agree again: a move is not an offboarding of the source. Both stacks refuse
    // every run until here, so the states in memory are still theirs.
    await sql.run("UPDATE customers SET shard = ? WHERE alias = ?", [m.to, m.alias]);
    say(`recorded in shard ${m.to} (customers.shard)`);
    if (setGuardEntry(d, m.alias, entry)) await importState(project, dst, d);
    if (setGuardEntry(s, m.alias, undefined)) await importState(project, src, s);

    // 5. The proof, then the outputs: `preview --expect-no-changes` on both (the design's gate: nothing would be created,
    // updated or deleted), then `up --expect-no-changes`, which only moves the customer's entries of the stack outputs
    // (tenants, jwt) from the source's to the target's, what a portal signing logins reads (and fails if anything changed).
    for (const cmd of ["preview", "up"])
        for (const stack of [src, dst]) {
            const args = [cmd, "--stack", stack, "--expect-no-changes", "--color", "never"];
            try {
                await project.pulumi(cmd === "up" ? [...args, "--yes", "--skip-preview"] : args);
            } catch (e) {
                const tail = (e as Error).message.split("\n").slice(-6).join(" ");
                throw new Error(`moved, but ${cmd} of ${stack} is not clean: ${tail}`);
            }
        }
    say(`done: ${src} and ${dst} preview no changes; their outputs follow`);
}

const withoutMoving = ({ moving: _m, ...rest }: GuardEntry): GuardEntry => rest;

/** Moves whose `moving` mark is still in some shard stack's guard record (a rebalance that crashed). */
async function unfinishedMoves(project: FleetProject, base: string, aliases: string[]): Promise<Move[]> {
    const known = new Set(aliases);
    const out = new Map<string, Move>();
    for (const name of await project.stackNames()) {
        const state = await exportState(project, name).catch(() => undefined);
        const g = state && guardOf(state);
        const rec = (g?.inputs?.customers ?? {}) as Record<string, GuardEntry>;
        for (const [alias, e] of Object.entries(rec))
            if (e?.moving && known.has(alias) && shardStackName(base, e.moving.shard) === e.moving.to) {
                const from = shardOfStack(base, e.moving.from);
                if (from !== undefined) out.set(alias, { alias, from, to: e.moving.shard });
            }
    }
    return [...out.values()];
}

/** The target's state; a new target shard has no FleetGuard yet: `up --target` creates it alone (nothing in Qlik). */
async function ensureGuard(project: FleetProject, stack: string, say: (s: string) => void): Promise<ExportedState> {
    const state = await exportState(project, stack);
    if (guardOf(state)) return state;
    const name = await project.projectName();
    const urn = `urn:pulumi:${stack}::${name}::pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard::fleet-guard`;
    await project.pulumi(["up", "--stack", stack, "--target", urn, "--yes", "--skip-preview", "--color", "never"]);
    say(`${stack} had no FleetGuard yet: created it alone (up --target)`);
    return exportState(project, stack);
}

/** The stack's state; with `secrets`, secret values in plain text (kept in memory only, never on disk). */
async function exportState(project: FleetProject, stack: string, secrets = false): Promise<ExportedState> {
    const args = ["stack", "export", "--stack", stack, ...(secrets ? ["--show-secrets"] : [])];
    const state = JSON.parse(await runPulumi(project, args)) as ExportedState;
    state.deployment.resources ??= [];
    return state;
}

/** What a stack's state was when exported (resources as stored: ciphertexts are stable between exports). */
const fingerprint = (state: ExportedState): string => JSON.stringify(state.deployment.resources ?? []);

/**
 * `pulumi stack import` from standard input: a state with plain-text secrets never touches the disk. The import takes
 * the stack's lock, so an `up` in flight makes it fail; with `unchanged`, an `up` that ran entirely between our export
 * and this import (before the stack was marked) is caught by exporting again first, and nothing is imported.
 */
async function importState(
    project: FleetProject,
    stack: string,
    state: ExportedState,
    unchanged?: string,
): Promise<void> {
    if (unchanged !== undefined && fingerprint(await exportState(project, stack)) !== unchanged)
        throw new Error(`stack ${stack} changed while this rebalance was editing it (another run?): nothing imported`);
    await runPulumi(project, ["stack", "import", "--stack", stack], JSON.stringify(state));
}

function runPulumi(project: FleetProject, args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(project.cli, [...args, "--non-interactive"], { cwd: project.cwd, env: project.env });
        let out = "";
        let err = "";
        child.stdout.on("data", (b) => (out += b));
        child.stderr.on("data", (b) => (err += b));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0 ? resolve(out) : reject(new Error(`pulumi ${args.join(" ")}: ${err.trim() || `exit ${code}`}`)),
        );
        child.stdin.end(input ?? "");
    });
}
