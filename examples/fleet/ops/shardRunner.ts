// Runs one command over the fleet's shard stacks: a bounded pool of shards at once, each shard one `pulumi` CLI
// through the Automation API with its own per-stack lock, its engine events tallied by customer (events.ts). A shard
// that fails (or is locked by another live run) fails alone: the other shards go on, the summary names it.
import * as os from "os";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { EventTally, type CustomerTally } from "./events";
import { lockedMessage, redactUrls, staleLocalLock } from "./locks";
import { failureText, isStackLocked, type ResourceError, type RunResult } from "./stack";

export type ShardCommand = "preview" | "up" | "drift" | "refresh" | "destroy";

/** What the runner needs of one shard stack (tests drive it with a stand-in). */
export interface ShardStack {
    readonly name: string;
    up(
        log: (l: string) => void,
        o: { parallel?: number; refresh?: boolean; onEvent?: (e: EngineEvent) => void },
    ): Promise<RunResult>;
    preview(
        log: (l: string) => void,
        o: { parallel?: number; refresh?: boolean; diff?: boolean; onEvent?: (e: EngineEvent) => void },
    ): Promise<RunResult>;
    refresh(log: (l: string) => void, o: { parallel?: number; onEvent?: (e: EngineEvent) => void }): Promise<RunResult>;
    destroy(log: (l: string) => void, o: { parallel?: number; onEvent?: (e: EngineEvent) => void }): Promise<RunResult>;
    cancel(): Promise<void>;
    remove(): Promise<void>;
    resources(): Promise<{ urn: string }[]>;
}

export interface ShardJob {
    shard: number;
    stack: string;
    /** The customers the master database places in this shard (the event -> customer mapping uses them). */
    aliases: string[];
}

export interface ShardOutcome {
    shard: number;
    stack: string;
    ok: boolean;
    /** The engine's summary of resource operations. */
    changes: Record<string, number>;
    customers: Record<string, CustomerTally>;
    /** The engine's errors by resource (the rollout's gates read them). */
    errors: ResourceError[];
    /** Why the shard failed, in one or a few lines (no resource errors: those are per customer). */
    failure?: string;
    seconds: number;
}

/** Live progress of one shard (progress.ts draws it). */
export interface ShardProgress {
    job: ShardJob;
    command: ShardCommand;
    state: "waiting" | "running" | "done" | "failed";
    touched: number;
    changed: number;
    failed: number;
    startedAt?: number;
    endedAt?: number;
}

/**
 * Shards at once by default: one per core and one per GiB, never more than there are shards. A shard is one
 * `pulumi` CLI, its Node.js program and its provider: measured on an idle 2-core machine, a 50-customer shard keeps
 * 1.4-1.6 cores busy (preview 11.7 CPU-s in 8.7 s, up 69 CPU-s in 43 s) and takes up to ~1 GiB
 * (docs/benchmark.md#where-the-cpu-goes). More shards than cores only share the same cores and add their memory
 * (4 at once on 2 cores: 2.9-3.5 GiB, no faster). Qlik's rate limits are shared through the provider's throttle.
 */
export function defaultParallel(shards: number, cores = os.cpus().length, memGiB = os.totalmem() / 2 ** 30): number {
    return Math.max(1, Math.min(shards, cores, Math.floor(memGiB)));
}

/** Pulumi's own --parallel inside a shard: enough for every customer's resources at once (bench/fleet.ts says why). */
export const pulumiParallel = (customers: number): number => Math.max(16, 6 * customers);

/** Runs `fn` over `items`, at most `limit` at once, results in the items' order; a rejection does not stop others. */
export async function runPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    let firstError: unknown;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            try {
                results[i] = await fn(items[i]);
            } catch (e) {
                firstError ??= e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (firstError !== undefined) throw firstError;
    return results;
}

export interface RunShardDeps {
    open(job: ShardJob): Promise<ShardStack>;
    /** One line for this shard (prefixed by the caller's progress). */
    log(job: ShardJob, line: string): void;
    /** The command that removes a lock by hand, for the message of a shard that stays locked. */
    cancelHint(stack: string): string;
    onProgress?(p: ShardProgress): void;
    diff?: boolean;
    /** `up --refresh`: read every resource from Qlik first (repairs drift made by hand). */
    refresh?: boolean;
    /** Overrides pulumiParallel (tests). */
    parallel?: number;
}

function exec(
    command: ShardCommand,
    s: ShardStack,
    log: (l: string) => void,
    o: { parallel: number; onEvent: (e: EngineEvent) => void; diff?: boolean; refresh?: boolean },
): Promise<RunResult> {
    switch (command) {
        case "up":
            return s.up(log, o);
        case "preview":
            return s.preview(log, { ...o, diff: o.diff });
        case "drift":
            return s.preview(log, { ...o, refresh: true, diff: o.diff });
        case "refresh":
            return s.refresh(log, o);
        case "destroy":
            return s.destroy(log, o);
    }
}

/** One shard: open it, run the command (once more after clearing a provably stale local lock), tally by customer. */
export async function runShard(job: ShardJob, command: ShardCommand, deps: RunShardDeps): Promise<ShardOutcome> {
    const started = Date.now();
    const planning = command === "preview" || command === "drift";
    let tally = new EventTally(job.aliases, planning);
    const progress: ShardProgress = {
        job,
        command,
        state: "running",
        touched: 0,
        changed: 0,
        failed: 0,
        startedAt: started,
    };
    const report = () => {
        progress.touched = [...tally.touched].filter((a) => job.aliases.includes(a)).length;
        progress.changed = tally.changed().length;
        progress.failed = tally.failed().length;
        deps.onProgress?.({ ...progress });
    };
    const log = (line: string) => deps.log(job, line);
    const outcome = (ok: boolean, r: RunResult | undefined, failure?: string): ShardOutcome => {
        progress.state = ok ? "done" : "failed";
        progress.endedAt = Date.now();
        report();
        return {
            shard: job.shard,
            stack: job.stack,
            ok,
            changes: r?.changes ?? {},
            customers: Object.fromEntries(tally.customers),
            errors: r?.errors ?? [],
            ...(failure === undefined ? {} : { failure: redactUrls(failure) }),
            seconds: Math.round((Date.now() - started) / 100) / 10,
        };
    };
    report();
    let stack: ShardStack;
    try {
        stack = await deps.open(job);
    } catch (e) {
        return outcome(false, undefined, (e as Error).message);
    }
    const run = () => {
        tally = new EventTally(job.aliases, planning);
        return exec(command, stack, log, {
            parallel: deps.parallel ?? pulumiParallel(job.aliases.length),
            diff: deps.diff,
            refresh: deps.refresh,
            onEvent: (e) => {
                tally.onEvent(e);
                if (e.resOutputsEvent || e.resOpFailedEvent || e.diagnosticEvent) report();
            },
        });
    };
    let r = await run();
    if (isStackLocked(r)) {
        const stale = staleLocalLock(r.failure ?? "");
        if (!stale) return outcome(false, r, lockedMessage(job.stack, r.failure ?? "", deps.cancelHint(job.stack)));
        log(
            `stack ${job.stack} was left locked by pid ${stale.pid} on this host, which no longer runs: ` +
                "removed the lock (pulumi cancel) and running again",
        );
        try {
            await stack.cancel();
        } catch (e) {
            return outcome(false, r, (e as Error).message);
        }
        r = await run();
        if (isStackLocked(r))
            return outcome(false, r, lockedMessage(job.stack, r.failure ?? "", deps.cancelHint(job.stack)));
    }
    if (!r.ok) {
        // Per-resource errors belong to their customers (the tally has them); the shard line keeps the engine's.
        const engineLines = failureText({ ...r, errors: [] });
        return outcome(false, r, engineLines);
    }
    if (command === "destroy" && job.shard > 0) {
        // An emptied shard k >= 1 leaves no stack behind; the base stack (shard 0) stays, as `pulumi destroy` leaves it.
        const left = (await stack.resources()).filter((x) => !/::pulumi:pulumi:Stack::/.test(x.urn));
        if (left.length === 0) {
            await stack.remove();
            log(`stack ${job.stack} is empty: removed (pulumi stack rm)`);
        }
    }
    return outcome(true, r);
}

/** Every shard through the pool; shards that throw unexpectedly still come back as failed outcomes. */
export async function runShards(
    jobs: readonly ShardJob[],
    command: ShardCommand,
    limit: number,
    deps: RunShardDeps,
): Promise<ShardOutcome[]> {
    return runPool(jobs, limit, (job) =>
        runShard(job, command, deps).catch((e: Error): ShardOutcome => ({
            shard: job.shard,
            stack: job.stack,
            ok: false,
            changes: {},
            customers: {},
            errors: [],
            failure: redactUrls(e.message),
            seconds: 0,
        })),
    );
}
