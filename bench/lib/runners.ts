// The multi-runner onboarding (issue 11, "across machines"): N new customers split over R runner processes, each
// with its own work folder (a checkout of the fleet project) and PULUMI_HOME, as if on R machines, each running
// `npm run fleet -- up --shard k...` for its shards, all on one PostgreSQL state backend. Afterwards the bench
// checks what must hold: every tenant exists exactly once in the emulator, every shard stack holds exactly its
// customers, no lock is left, and every shard previews clean. docs/benchmark.md explains the numbers.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BenchProject } from "./pulumiProject";
import { TreeSampler } from "./memory";
import { fleetEmulator, preparedFleet, stackConfig, vmHwmKiB } from "./fleetSetup";
import { RequestCollector, count429, type HostCounts } from "./requestCollector";
import { computeLowerBound, type LowerBound } from "./lowerBound";
import { lockRows, startStatePostgres, storedStateOfPostgres } from "./statePostgres";
import { BASE_STACK, FLEET_PROJECT, commandRun, fleetProgram, type FleetCommandRun } from "./sharded";
import { memSummary } from "./report";
import { request } from "./http";
import { readMasterDb } from "../../scripts/seed";
import { assignShards, shardStackName } from "../../examples/fleet/shards";
import type { Options } from "./options";

export interface RunnersRun {
    n: number;
    runners: number;
    shardSize: number;
    shards: number;
    /** From the first runner's start to the last runner's end. */
    wallMs: number;
    /** All runners' process trees summed, sampled together. */
    memory: ReturnType<typeof memSummary>;
    perRunner: { runner: number; shards: number[]; ms: number; exitCode: number }[];
    lowerBound: LowerBound;
    status429: HostCounts;
    requestLogLost: number;
    /** Customer tenants live in the emulator, and the aliases with other than exactly one. */
    tenantsInEmulator: number;
    aliasesNotOnce: string[];
    /** Stacks whose customers differ from the master database's recorded shards. */
    stackMismatches: string[];
    locksLeft: string[];
    preview: FleetCommandRun;
    storedBytesPerTenant: number;
    jsonBytesPerTenant: number;
    emulatorHwmKiB?: number;
    /** Every check above held. */
    ok: boolean;
}

const log = (m: string) => console.error(`[bench] ${m}`);

export async function runRunners(n: number, o: Options, cacheDir: string): Promise<RunnersRun> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-runners${n}-`));
    const pg = await startStatePostgres();
    const emu = await fleetEmulator(work, n);
    const runners: BenchProject[] = [];
    try {
        log(`N=${n} runners: PostgreSQL ${pg.version} on port ${pg.port}; emulator pid ${emu.pid}`);
        const fx = await preparedFleet(emu, path.join(work, "data"), n, cacheDir, log);
        const shardSize = o.shardSize ?? 50;
        const env = { PULUMI_BACKEND_URL: pg.backendUrl, ...pg.env };
        for (let r = 0; r < o.runners; r++)
            runners.push(
                new BenchProject({ name: `runner${r}`, projectName: FLEET_PROJECT, program: fleetProgram(), env }),
            );
        const extra: Record<string, string> = { "fleet:shardSize": String(shardSize) };
        if (o.maxConcurrentPerHost) extra["qlik:maxConcurrentPerHost"] = String(o.maxConcurrentPerHost);
        const cfg = stackConfig(emu, fx.masterDb, extra);
        await runners[0].initStack(BASE_STACK, cfg.config, cfg.secrets);
        // The other runners get the base stack's committed config file, as a checkout would.
        const baseConfig = fs.readFileSync(path.join(runners[0].dir, `Pulumi.${BASE_STACK}.yaml`));
        for (const r of runners.slice(1)) fs.writeFileSync(path.join(r.dir, `Pulumi.${BASE_STACK}.yaml`), baseConfig);

        const layout = assignShards(fx.customers, shardSize);
        const shards = [...new Set(layout.values())].sort((a, b) => a - b);
        const mine = (r: number) => shards.filter((_, i) => i % o.runners === r);
        const collector = await RequestCollector.start(emu);
        const sampler = new TreeSampler(undefined, 200);
        log(`N=${n} runners: ${o.runners} runners up ${shards.length} shards at once, one shard at a time each`);
        const t0 = process.hrtime.bigint();
        const results = await Promise.all(
            runners.map(async (runner, r) => {
                const started = process.hrtime.bigint();
                const args = [
                    "up",
                    "--yes",
                    "--json",
                    "--parallel",
                    "1",
                    ...mine(r).flatMap((k) => ["--shard", String(k)]),
                ];
                const run = await runner.fleet(args, BASE_STACK, { allowFailure: true, sampler });
                const ms = Number(process.hrtime.bigint() - started) / 1e6;
                if (run.code !== 0) log(`runner ${r} exited ${run.code}:\n${run.output.slice(-3000)}`);
                return { runner: r, shards: mine(r), ms, exitCode: run.code };
            }),
        );
        const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
        const memory = memSummary(sampler.stop());
        const requests = await collector.stop();
        const lowerBound = computeLowerBound({
            requests,
            registerHost: emu.info.registerHost,
            sourceHost: emu.info.sourceTenant.hostname,
        });
        lowerBound.logTruncated = collector.lost > 0;
        log(`N=${n} runners: done in ${(wallMs / 1000).toFixed(1)} s; checking tenants, stacks, locks`);

        // Every tenant exactly once: the live customer tenants, by their alias hostname.
        const state = (await request(emu.info.httpUrl, "/_emulator/state", { host: "127.0.0.1" })).json<{
            tenants?: { id: string; hostnames: string[]; status: string }[];
        }>();
        const suffix = `.${emu.info.region}.${emu.info.domain}`;
        const live = (state.tenants ?? []).filter((t) => t.id !== emu.info.sourceTenant.id && t.status !== "deleted");
        const count = new Map<string, number>();
        for (const t of live) {
            // hostnames = [system hostname, alias hostname] (emulator/apis/tenants/model.ts)
            const h = t.hostnames[1];
            const alias = h?.endsWith(suffix) ? h.slice(0, -suffix.length) : `(no alias) ${t.id}`;
            count.set(alias, (count.get(alias) ?? 0) + 1);
        }
        const aliasesNotOnce = [
            ...fx.customers
                .filter((c) => count.get(c.alias) !== 1)
                .map((c) => `${c.alias} x${count.get(c.alias) ?? 0}`),
            ...[...count.keys()].filter((a) => !fx.customers.some((c) => c.alias === a)).map((a) => `${a} (unknown)`),
        ];

        // Every shard stack holds exactly the customers the master database records for it.
        const recorded = readMasterDb(fx.masterDb);
        const stored = await storedStateOfPostgres(pg, FLEET_PROJECT);
        const stackMismatches: string[] = [];
        for (const k of shards) {
            const stack = shardStackName(BASE_STACK, k);
            const want = recorded
                .filter((c) => c.shard === k)
                .map((c) => c.alias)
                .sort();
            const have = stored.customersByStack[stack] ?? [];
            if (want.length === 0 || JSON.stringify(want) !== JSON.stringify(have))
                stackMismatches.push(`${stack}: recorded ${want.length}, in state ${have.length}`);
        }
        const locksLeft = await lockRows(pg);
        log(`N=${n} runners: fleet preview --expect-no-changes over every shard (runner 0)`);
        const preview = commandRun(
            await runners[0].fleet(["preview", "--expect-no-changes", "--json"], BASE_STACK, { allowFailure: true }),
        );
        const ok =
            results.every((r) => r.exitCode === 0) &&
            aliasesNotOnce.length === 0 &&
            stackMismatches.length === 0 &&
            locksLeft.length === 0 &&
            preview.exitCode === 0;
        return {
            n,
            runners: o.runners,
            shardSize,
            shards: shards.length,
            wallMs,
            memory,
            perRunner: results,
            lowerBound,
            status429: count429(requests, {
                registerHost: emu.info.registerHost,
                sourceHost: emu.info.sourceTenant.hostname,
            }),
            requestLogLost: collector.lost,
            tenantsInEmulator: live.length,
            aliasesNotOnce: aliasesNotOnce.slice(0, 50),
            stackMismatches: stackMismatches.slice(0, 50),
            locksLeft,
            preview,
            storedBytesPerTenant: Math.round(stored.storedBytes / n),
            jsonBytesPerTenant: Math.round(stored.jsonBytes / n),
            emulatorHwmKiB: vmHwmKiB(emu.pid),
            ok,
        };
    } finally {
        await emu.stop();
        await pg.stop();
        if (!o.keep) {
            for (const r of runners) r.cleanup();
            fs.rmSync(work, { recursive: true, force: true });
        } else log(`kept ${work} and the runners' folders`);
    }
}
