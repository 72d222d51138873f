// The sharded mode of the bench (issue 11): the fleet's base stack and its shard stacks driven the way a user drives
// them, with the orchestrator `npm run fleet` (examples/fleet/ops/cli.js): `up --yes`, a no-op `preview
// --expect-no-changes`, `drift`. Each command's whole process tree (orchestrator, every shard's pulumi CLI,
// language host, program and provider) is timed and memory-sampled as one. docs/benchmark.md explains the numbers.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BenchProject, REPO_ROOT, type TimedRun } from "./pulumiProject";
import { fleetEmulator, preparedFleet, stackConfig, storedStateOfDir, vmHwmKiB } from "./fleetSetup";
import { RequestCollector, count429, requestSpan, type HostCounts } from "./requestCollector";
import { computeLowerBound, type LowerBound } from "./lowerBound";
import { memSummary } from "./report";
import type { Options } from "./options";

export const BASE_STACK = "bench";
export const FLEET_PROJECT = "fleet-bench";

export interface FleetCommandRun {
    ms: number;
    exitCode: number;
    memory: ReturnType<typeof memSummary>;
    /** The orchestrator's JSON report, when it printed one. */
    report?: OrchestratorReport;
}

/** The orchestrator's `--json` shape (the shared design of issue 11); only what the bench reads. */
export interface OrchestratorReport {
    command?: string;
    shards?: {
        shard: number;
        stack: string;
        ok: boolean;
        changes?: unknown;
        /** Only the customers with errors are kept (first error line each). */
        customers?: Record<string, { errors?: string[] }>;
    }[];
    changedCustomers?: unknown[];
    exitCode?: number;
}

export interface ShardedRun {
    n: number;
    shardSize: number;
    shards: number;
    shardParallel?: number;
    up: FleetCommandRun;
    preview: FleetCommandRun;
    drift: FleetCommandRun;
    /** When the first `fleet up` failed: its failure lines, and the second `fleet up`. */
    upFailure?: string;
    upRerun?: FleetCommandRun;
    lowerBound: LowerBound;
    requestsDuringUp: number;
    /** 429 answers seen during the up, per kind of host. */
    status429DuringUp: HostCounts;
    /** Log entries the emulator dropped before the bench read them (0: the numbers cover every request). */
    requestLogLost: number;
    requestSpanMs: number;
    tenantsCreated: number;
    storedBytesPerTenant: number;
    jsonBytesPerTenant: number;
    emulatorHwmKiB?: number;
    seedMs?: number;
}

const log = (m: string) => console.error(`[bench] ${m}`);

export function fleetProgram(): string {
    return `module.exports = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js"))});\n`;
}

/** The orchestrator's report without its per-customer part (1,000 customers' resource names are not a number). */
export function parseReport(stdout: string): OrchestratorReport | undefined {
    try {
        const r = JSON.parse(stdout) as OrchestratorReport;
        return {
            command: r.command,
            exitCode: r.exitCode,
            shards: r.shards?.map(({ shard, stack, ok, changes, customers }) => ({
                shard,
                stack,
                ok,
                changes,
                customers: Object.fromEntries(
                    Object.entries(customers ?? {})
                        .filter(([, c]) => (c.errors ?? []).length > 0)
                        .map(([alias, c]) => [
                            alias,
                            { errors: (c.errors ?? []).slice(0, 1).map((e) => String(e).slice(0, 300)) },
                        ]),
                ),
            })),
            changedCustomers: r.changedCustomers?.slice(0, 20),
        };
    } catch {
        return undefined;
    }
}

export function commandRun(r: TimedRun): FleetCommandRun {
    return { ms: r.ms, exitCode: r.code, memory: memSummary(r.memory), report: parseReport(r.stdout) };
}

/** `--parallel` of the orchestrator only when asked: by default the bench measures the orchestrator's own choice. */
const parallelArgs = (o: Options) => (o.shardParallel ? ["--parallel", String(o.shardParallel)] : []);

export async function runSharded(n: number, o: Options, cacheDir: string): Promise<ShardedRun> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-sharded${n}-`));
    const emu = await fleetEmulator(work, n);
    let project: BenchProject | undefined;
    try {
        log(`N=${n} sharded: emulator pid ${emu.pid} at ${emu.info.httpUrl}; master database with ${n} customers`);
        const t0 = Date.now();
        const fx = await preparedFleet(emu, path.join(work, "data"), n, cacheDir, log);
        const seedMs = Date.now() - t0;
        project = new BenchProject({ name: FLEET_PROJECT, program: fleetProgram() });
        const shardSize = o.shardSize ?? 50;
        const extra: Record<string, string> = { "fleet:shardSize": String(shardSize) };
        if (o.maxConcurrentPerHost) extra["qlik:maxConcurrentPerHost"] = String(o.maxConcurrentPerHost);
        const cfg = stackConfig(emu, fx.masterDb, extra);
        await project.initStack(BASE_STACK, cfg.config, cfg.secrets);

        const collector = await RequestCollector.start(emu);
        log(`N=${n} sharded: fleet up --yes (shard size ${shardSize})`);
        const upRun = await project.fleet(["up", "--yes", "--json", ...parallelArgs(o)], BASE_STACK, {
            allowFailure: true,
        });
        const requests = await collector.stop();
        const up = commandRun(upRun);
        // A failed shard is a finding, not the end of the run: its lines are kept, and a second `fleet up` (what an
        // operator does; a rerun must converge) is timed before the previews.
        let upFailure: string | undefined;
        let rerun: FleetCommandRun | undefined;
        if (up.exitCode !== 0) {
            // stdout is the JSON report: the failures are its failed shards' customers with errors, and stderr's lines.
            const failed = (up.report?.shards ?? []).filter((x) => !x.ok);
            upFailure = [
                ...failed.map(
                    (x) =>
                        `${x.stack}: ${
                            Object.entries(x.customers ?? {})
                                .map(([a, c]) => `${a}: ${c.errors?.[0] ?? ""}`)
                                .join("; ") || "failed"
                        }`,
                ),
                ...upRun.output.split("\n").filter((l) => /^\s*(FAILED|error:)/.test(l)),
            ]
                .slice(0, 20)
                .join("\n");
            log(`N=${n} sharded: fleet up exited ${up.exitCode}:\n${upFailure}\nN=${n} sharded: fleet up again`);
            rerun = commandRun(
                await project.fleet(["up", "--yes", "--json", ...parallelArgs(o)], BASE_STACK, { allowFailure: true }),
            );
            log(`N=${n} sharded: second up exited ${rerun.exitCode} in ${(rerun.ms / 1000).toFixed(1)} s`);
        }
        const lowerBound = computeLowerBound({
            requests,
            registerHost: emu.info.registerHost,
            sourceHost: emu.info.sourceTenant.hostname,
        });
        lowerBound.logTruncated = collector.lost > 0;
        const created = requests.filter(
            (r) =>
                r.host === emu.info.registerHost &&
                r.method === "POST" &&
                r.path.split("?")[0] === "/api/v1/tenants" &&
                r.status < 300,
        ).length;
        log(`N=${n} sharded: up ${(up.ms / 1000).toFixed(1)} s, lower bound ${(lowerBound.ms / 1000).toFixed(1)} s`);

        log(`N=${n} sharded: fleet preview --expect-no-changes`);
        const preview = commandRun(
            await project.fleet(["preview", "--expect-no-changes", "--json", ...parallelArgs(o)], BASE_STACK, {
                allowFailure: true,
            }),
        );
        log(`N=${n} sharded: fleet drift`);
        const drift = commandRun(
            await project.fleet(["drift", "--json", ...parallelArgs(o)], BASE_STACK, { allowFailure: true }),
        );
        const state = storedStateOfDir(path.join(project.root, "state"), FLEET_PROJECT);
        return {
            n,
            shardSize,
            shards: up.report?.shards?.length ?? state.stacks,
            shardParallel: o.shardParallel,
            up,
            preview,
            drift,
            upFailure,
            upRerun: rerun,
            lowerBound,
            requestsDuringUp: requests.length,
            status429DuringUp: count429(requests, {
                registerHost: emu.info.registerHost,
                sourceHost: emu.info.sourceTenant.hostname,
            }),
            requestLogLost: collector.lost,
            requestSpanMs: requestSpan(requests),
            tenantsCreated: created,
            storedBytesPerTenant: Math.round(state.storedBytes / n),
            jsonBytesPerTenant: Math.round(state.jsonBytes / n),
            emulatorHwmKiB: vmHwmKiB(emu.pid),
            seedMs,
        };
    } finally {
        await emu.stop();
        if (!o.keep) {
            project?.cleanup();
            fs.rmSync(work, { recursive: true, force: true });
        } else log(`kept ${work}${project ? ` and ${project.root}` : ""}`);
    }
}
