// `npm run bench` flags: parsed strictly, so a mistyped flag fails the run instead of benchmarking the default.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./pulumiProject";

/** single: one stack (today's default); no-checkpoint: the same with PULUMI_SKIP_CHECKPOINTS; sharded: `npm run fleet`. */
export type Mode = "single" | "no-checkpoint" | "sharded";
export const MODES: readonly Mode[] = ["single", "no-checkpoint", "sharded"];

export interface Options {
    sizes: number[];
    modes: Mode[];
    /** fleet:shardSize of the sharded modes (default the program's, 50). */
    shardSize?: number;
    /** `--parallel` of `npm run fleet` (shards at once); default the orchestrator's own. */
    shardParallel?: number;
    /** The multi-runner onboarding: this many runner processes on one PostgreSQL backend (0 = not run). */
    runners: number;
    /** Keep seeded master databases here across runs (`seed-<N>/`), instead of a temp folder removed at the end. */
    seedCache?: string;
    parallel?: number;
    baselineSample?: number;
    baselineBudgetMin: number;
    skipBaseline: boolean;
    skipTrivial: boolean;
    skipRefresh: boolean;
    maxConcurrentPerHost?: number;
    skipCheckpoints: boolean;
    outDir: string;
    keep: boolean;
    dumpRequests: boolean;
}

const USAGE = `usage: npm run bench -- [--n N | --sizes 10,25,50] [--mode single,no-checkpoint,sharded]
       [--shard-size 50] [--shard-parallel p] [--runners 4] [--seed-cache DIR] [--parallel P] [--baseline-sample K]
       [--baseline-budget-min 10] [--skip-baseline] [--skip-trivial] [--skip-refresh]
       [--max-concurrent-per-host C] [--skip-checkpoints] [--out bench/results] [--keep] [--dump-requests]`;

export function parseOptions(argv: string[]): Options {
    const { values: v } = parseArgs({
        args: argv,
        options: {
            n: { type: "string" },
            sizes: { type: "string" },
            mode: { type: "string" },
            "shard-size": { type: "string" },
            "shard-parallel": { type: "string" },
            runners: { type: "string" },
            "seed-cache": { type: "string" },
            parallel: { type: "string" },
            "baseline-sample": { type: "string" },
            "baseline-budget-min": { type: "string" },
            "skip-baseline": { type: "boolean", default: false },
            "skip-trivial": { type: "boolean", default: false },
            "skip-refresh": { type: "boolean", default: false },
            "max-concurrent-per-host": { type: "string" },
            "skip-checkpoints": { type: "boolean", default: false },
            out: { type: "string" },
            keep: { type: "boolean", default: false },
            "dump-requests": { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
        strict: true,
        allowPositionals: false,
    });
    if (v.help) {
        console.log(USAGE);
        process.exit(0);
    }
    const int = (flag: string, value: string, min: number, max: number): number => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < min || n > max)
            throw new Error(`--${flag} needs an integer in ${min}..${max}\n${USAGE}`);
        return n;
    };
    const optionalInt = (flag: string, value: string | undefined, min: number, max: number) =>
        value === undefined ? undefined : int(flag, value, min, max);
    // 1..1000: 10..1000 is the documented range (issue 11); smaller sizes are for quick validation runs.
    const sizes = v.sizes
        ? v.sizes.split(",").map((s) => int("sizes", s.trim(), 1, 1000))
        : [v.n === undefined ? 50 : int("n", v.n, 1, 1000)];
    // "none": no fleet mode, e.g. only the runners (--runners R) or only the baseline.
    const modeList = (v.mode ?? (v["skip-checkpoints"] ? "no-checkpoint" : "single")).split(",").map((m) => m.trim());
    const modes = modeList.filter((m) => m !== "none");
    for (const m of modes)
        if (!(MODES as readonly string[]).includes(m))
            throw new Error(`--mode takes ${MODES.join(", ")} or none (comma-separated), not ${m}\n${USAGE}`);
    const budget = v["baseline-budget-min"] === undefined ? 10 : Number(v["baseline-budget-min"]);
    if (!Number.isFinite(budget) || budget < 0) throw new Error(`--baseline-budget-min needs minutes\n${USAGE}`);
    return {
        sizes: [...new Set(sizes)].sort((a, b) => a - b),
        modes: [...new Set(modes as Mode[])],
        shardSize: optionalInt("shard-size", v["shard-size"], 1, 1000),
        shardParallel: optionalInt("shard-parallel", v["shard-parallel"], 1, 64),
        runners: optionalInt("runners", v.runners, 0, 16) ?? 0,
        seedCache: v["seed-cache"] === undefined ? undefined : path.resolve(v["seed-cache"]),
        parallel: optionalInt("parallel", v.parallel, 1, 10_000),
        baselineSample: optionalInt("baseline-sample", v["baseline-sample"], 1, 1000),
        baselineBudgetMin: budget,
        skipBaseline: v["skip-baseline"] ?? false,
        skipTrivial: v["skip-trivial"] ?? false,
        skipRefresh: v["skip-refresh"] ?? false,
        maxConcurrentPerHost: optionalInt("max-concurrent-per-host", v["max-concurrent-per-host"], 1, 256),
        skipCheckpoints: v["skip-checkpoints"] ?? false,
        outDir: v.out === undefined ? path.join(REPO_ROOT, "bench", "results") : path.resolve(v.out),
        keep: v.keep ?? false,
        dumpRequests: v["dump-requests"] ?? false,
    };
}
