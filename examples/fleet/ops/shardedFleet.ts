// The fleet as the orchestrator sees it: a base stack and its shard stacks (examples/fleet/shards.ts), the layout of
// customers over them from the master database, and one command run over the shards (shardRunner.ts). It also
// stands in for one stack where a command only needs "the fleet's stack" (rollouts, status): `up` runs the shards that
// hold the given customers, `resources`/`outputs` join every shard's.
import { DEFAULT_SHARD_SIZE, parseShardSetting, shardOfStack, shardStackName } from "../shards";
import type { CustomerRecord } from "../masterDb";
import { deployedFromStacks, placeFleet, type FleetLayout } from "./shardRecords";
import { FleetProject, FleetStack, type ResourceError, type RunResult, type StateResource } from "./stack";
import { defaultParallel, runShards, type ShardCommand, type ShardJob, type ShardOutcome } from "./shardRunner";
import { plainProgress, type Progress } from "./progress";

export interface RunOpts {
    /** Only these shards (`--shard k`...); default every shard in use or with a stack. */
    shards?: number[];
    /** Shards at once (default defaultParallel). */
    parallel?: number;
    progress?: Progress;
    diff?: boolean;
    /** up: refresh first (repairs drift made by hand). */
    refresh?: boolean;
}

export class ShardedFleet {
    private stacks = new Map<number, Promise<FleetStack>>();

    constructor(
        readonly project: FleetProject,
        /** The base stack: shard 0, whose config every shard stack copies. */
        readonly baseStack: FleetStack,
        private readonly customers: () => Promise<CustomerRecord[]>,
        private readonly log: (line: string) => void,
        /** Writes the shards of the layout's unrecorded customers (shardRecords.ts recordLayout); rows written. */
        private readonly record: (layout: FleetLayout) => Promise<number> = async () => 0,
    ) {}

    get name(): string {
        return this.baseStack.name;
    }

    get cwd(): string {
        return this.baseStack.cwd;
    }

    private size?: Promise<number>;

    /** fleet:shardSize of the base stack, read once per command (a rollout's every ring asks). */
    shardSize(): Promise<number> {
        this.size ??= this.baseStack
            .config("fleet:shardSize")
            .then((raw) => parseShardSetting("fleet:shardSize", raw, DEFAULT_SHARD_SIZE, 1));
        return this.size;
    }

    /** Where every customer is or will be: recorded shards, else where some shard stack's state holds it, else placed. */
    async layout(): Promise<FleetLayout> {
        return placeFleet({
            base: this.name,
            shardSize: await this.shardSize(),
            customers: await this.customers(),
            deployed: deployedFromStacks(
                this.name,
                () => this.project.stackNames(),
                async (stack) => (await this.project.ws.exportStack(stack)).deployment,
            ),
        });
    }

    /**
     * The layout, with the customers placed for the first time recorded, before any command that runs shards
     * (preview too): bookkeeping of where customers are or will be, not a change in Qlik (design: shardRecords.ts).
     */
    async placeAndRecord(): Promise<FleetLayout> {
        const layout = await this.layout();
        if (layout.unrecorded.length) {
            const n = await this.record(layout);
            if (n) this.log(`recorded the shard of ${n} customer(s) in the master database`);
        }
        return layout;
    }

    /** Shard numbers of the stacks that exist in the backend (a shard whose customers all left still has one). */
    async existingShards(): Promise<number[]> {
        const names = await this.project.stackNames();
        return names
            .map((n) => shardOfStack(this.name, n))
            .filter((k): k is number => k !== undefined)
            .sort((a, b) => a - b);
    }

    /**
     * What to run: the asked shards, else every shard in use plus every shard stack that exists; `existing`: only
     * shards that have a stack (destroy: a shard never deployed has nothing to destroy).
     */
    async jobs(layout: FleetLayout, only?: number[], existing = false): Promise<ShardJob[]> {
        const stacks = await this.existingShards();
        const all = (only?.length ? [...new Set(only)] : [...new Set([...layout.shards, ...stacks])]).filter(
            (k) => !existing || stacks.includes(k),
        );
        return all
            .sort((a, b) => a - b)
            .map((k) => ({ shard: k, stack: shardStackName(this.name, k), aliases: layout.byShard.get(k) ?? [] }));
    }

    /** A shard's stack, created from the base when missing (not for destroy: nothing to destroy there). */
    shardStack(k: number, create: boolean): Promise<FleetStack> {
        if (k === 0) return Promise.resolve(this.baseStack);
        let s = this.stacks.get(k);
        if (!s) {
            s = FleetStack.openShard(this.name, k, {
                create,
                project: this.project,
                onConfigSync: (stack, keys) => this.log(`${stack}: config taken from ${this.name}: ${keys.join(", ")}`),
            });
            // A failed open is not remembered: the next command tries again.
            s.catch(() => this.stacks.delete(k));
            this.stacks.set(k, s);
        }
        return s;
    }

    cancelHint(stack: string): string {
        return `pulumi cancel --yes --stack ${stack} --cwd ${this.cwd}`;
    }

    async run(command: ShardCommand, jobs: ShardJob[], opts: RunOpts = {}): Promise<ShardOutcome[]> {
        const progress = opts.progress ?? plainProgress(this.log);
        try {
            return await runShards(jobs, command, opts.parallel ?? defaultParallel(jobs.length), {
                open: (job) => this.shardStack(job.shard, command !== "destroy"),
                log: (job, line) => progress.line(job, line),
                cancelHint: (s) => this.cancelHint(s),
                onProgress: (p) => progress.update(p),
                diff: opts.diff,
                refresh: opts.refresh,
            });
        } finally {
            progress.close();
        }
    }

    /** `up` of the shards holding `customers` (default all), as one result (rollouts gate on it). */
    async up(log: (line: string) => void, opts: { customers?: string[] } = {}): Promise<RunResult> {
        const layout = await this.placeAndRecord();
        const wanted = opts.customers ? new Set(opts.customers) : undefined;
        const shards = wanted
            ? layout.shards.filter((k) => (layout.byShard.get(k) ?? []).some((a) => wanted.has(a)))
            : undefined;
        if (shards && !shards.length) return { ok: true, changes: {}, errors: [] };
        const jobs = await this.jobs(layout, shards);
        return merged(await this.run("up", jobs, { progress: plainProgress(log) }));
    }

    async preview(log: (line: string) => void, opts: { refresh?: boolean; diff?: boolean } = {}): Promise<RunResult> {
        const jobs = await this.jobs(await this.placeAndRecord());
        return merged(
            await this.run(opts.refresh ? "drift" : "preview", jobs, { progress: plainProgress(log), diff: opts.diff }),
        );
    }

    /** Every shard stack's resources (shards without a stack yet have none). */
    async resources(): Promise<StateResource[]> {
        const shards = await this.existingShards();
        const lists = await Promise.all(shards.map(async (k) => (await this.shardStack(k, false)).resources()));
        return lists.flat();
    }

    /** The shards' outputs joined: the per-customer maps (tenants, jwt) merged, the rest from the lowest shard. */
    async outputs(): Promise<Record<string, unknown>> {
        const shards = await this.existingShards();
        const all = await Promise.all(shards.map(async (k) => (await this.shardStack(k, false)).outputs()));
        const out: Record<string, unknown> = {};
        for (const o of all)
            for (const [key, v] of Object.entries(o)) {
                const prev = out[key];
                out[key] =
                    isMap(prev) && isMap(v) && key !== "shard" ? { ...prev, ...v } : prev === undefined ? v : prev;
            }
        return out;
    }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Shard outcomes as one RunResult: ok when every shard is, errors and failures of all (locks stay recognisable). */
export function merged(outcomes: readonly ShardOutcome[]): RunResult {
    const changes: Record<string, number> = {};
    for (const o of outcomes) for (const [op, n] of Object.entries(o.changes)) changes[op] = (changes[op] ?? 0) + n;
    const errors: ResourceError[] = outcomes.flatMap((o) => o.errors);
    const failures = outcomes.filter((o) => o.failure).map((o) => `stack ${o.stack}: ${o.failure}`);
    return {
        ok: outcomes.every((o) => o.ok),
        changes,
        errors,
        ...(failures.length ? { failure: failures.join("\n") } : {}),
    };
}
