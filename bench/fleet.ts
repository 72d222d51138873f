// `npm run bench [-- --n 50 | --sizes 10,25,50] [--parallel P] [--baseline-sample K] ...`
// The fleet benchmark: provisions N customer tenants with the real `pulumi up` against the emulator's
// `realistic` profile and documented rate limits, and prints, measured in the same run, our time, the
// analytic lower bound, a tutorial-style sequential baseline, no-op preview/refresh times against
// trivial resources, state bytes per tenant and peak memory. docs/benchmark.md explains every number.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BenchProject, REPO_ROOT, engineVersion, type TimedRun } from "./lib/pulumiProject";
import { TEMPLATE_APP_NAME } from "./lib/fleetFixture";
import { fleetEmulator, preparedFleet, stackConfig, storedStateOfDir, vmHwmKiB } from "./lib/fleetSetup";
import { RequestCollector, count429, requestSpan } from "./lib/requestCollector";
import { runSharded } from "./lib/sharded";
import { runRunners } from "./lib/runners";
import { computeLowerBound } from "./lib/lowerBound";
import { runSequentialBaseline, type BaselineResult } from "./sequentialBaseline";
import { fleetChartSvg, memoryChartSvg } from "./lib/fleetChart";
import { parseOptions, type Mode, type Options } from "./lib/options";
import { TARGETS, fmtS, memSummary, printReport, type FleetRun, type SizeResult, type TrivialRun } from "./lib/report";

/** Dynamic resources per tenant in the fleet stack (sdk/customerTenant.ts) when no fleet state is at hand. */
const RESOURCES_PER_TENANT = 6;

/**
 * --parallel: the work is waiting on the service (1-2 s per tenant create, import, reload), not CPU, and
 * all resources run in one provider process, so the cap must not hold back a ready step. At most every
 * resource of every tenant can be ready at once, hence N x resources per tenant (the CLI default, 4 x
 * cores = 8 here, would make waves of 8 tenant creates).
 */
const parallelFor = (n: number, o: Options) => o.parallel ?? Math.max(16, n * RESOURCES_PER_TENANT);

const log = (m: string) => console.error(`[bench] ${m}`);

async function runFleet(n: number, o: Options, mode: Mode, cacheDir: string): Promise<FleetRun> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-fleet${n}-`));
    const emu = await fleetEmulator(work, n);
    let project: BenchProject | undefined;
    try {
        log(`N=${n} ${mode}: emulator pid ${emu.pid} at ${emu.info.httpUrl} (realistic profile); ${n} customers`);
        const fx = await preparedFleet(emu, path.join(work, "data"), n, cacheDir, log);
        const env: NodeJS.ProcessEnv = mode === "no-checkpoint" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
        project = new BenchProject({
            name: "fleet-bench",
            // The stack program itself (examples/fleet), unchanged: the project only points at the build.
            program: `module.exports = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js"))});\n`,
            env,
        });
        // One stack: a shard size that holds the whole fleet keeps the program what it was before shards.
        const extra: Record<string, string> = { "fleet:shardSize": String(Math.max(50, n)) };
        if (o.maxConcurrentPerHost) extra["qlik:maxConcurrentPerHost"] = String(o.maxConcurrentPerHost);
        const cfg = stackConfig(emu, fx.masterDb, extra);
        await project.initStack("bench", cfg.config, cfg.secrets);
        const parallel = parallelFor(n, o);

        const collector = await RequestCollector.start(emu);
        log(`N=${n}: pulumi up --skip-preview --parallel ${parallel}`);
        const up = await project.run(["up", "--yes", "--skip-preview", "--parallel", String(parallel)]);
        const requests = await collector.stop();
        const lowerBound = computeLowerBound({
            requests,
            registerHost: emu.info.registerHost,
            sourceHost: emu.info.sourceTenant.hostname,
        });
        lowerBound.logTruncated = collector.lost > 0;
        if (o.dumpRequests) {
            fs.mkdirSync(o.outDir, { recursive: true });
            const file = path.join(o.outDir, `requests-up-N${n}.json`);
            fs.writeFileSync(file, JSON.stringify(requests));
            log(`N=${n}: request log of the up written to ${file}`);
        }
        log(`N=${n}: up ${fmtS(up.ms)}; lower bound ${fmtS(lowerBound.ms)}`);

        const outputs = JSON.parse((await project.run(["stack", "output", "--json", "--show-secrets"])).stdout) as {
            tenants?: Record<string, { reloadStatus?: string }>;
        };
        const reloadsSucceeded = Object.values(outputs.tenants ?? {}).filter(
            (t) => t.reloadStatus === "SUCCEEDED",
        ).length;

        log(`N=${n}: no-op preview`);
        const preview = await project.run(["preview", "--expect-no-changes", "--parallel", String(parallel)]);
        let refresh: TimedRun | undefined;
        if (!o.skipRefresh) {
            log(`N=${n}: no-op refresh`);
            refresh = await project.run([
                "refresh",
                "--yes",
                "--skip-preview",
                "--expect-no-changes",
                "--parallel",
                String(parallel),
            ]);
        }
        const exported = await project.exportState();
        const state = JSON.parse(exported) as { deployment?: { resources?: { type: string }[] } };
        const resources = state.deployment?.resources ?? [];
        const dynamic = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).length;
        const stored = storedStateOfDir(path.join(project.root, "state"), "fleet-bench");
        const hosts = { registerHost: emu.info.registerHost, sourceHost: emu.info.sourceTenant.hostname };
        return {
            n,
            mode,
            parallel,
            upMs: up.ms,
            upMemory: memSummary(up.memory),
            previewMs: preview.ms,
            previewMemory: memSummary(preview.memory),
            refreshMs: refresh?.ms,
            stateBytes: Buffer.byteLength(exported),
            stateBytesPerTenant: Math.round(Buffer.byteLength(exported) / n),
            storedBytesPerTenant: Math.round(stored.storedBytes / n),
            resources: resources.length,
            dynamicResourcesPerTenant: dynamic / n,
            reloadsSucceeded,
            emulatorHwmKiB: vmHwmKiB(emu.pid),
            lowerBound,
            requestsDuringUp: requests.length,
            status429DuringUp: requests.filter((r) => r.status === 429).length,
            status429ByHost: count429(requests, hosts),
            requestLogLost: collector.lost,
            requestSpanMs: requestSpan(requests),
        };
    } finally {
        await emu.stop();
        if (!o.keep) {
            project?.cleanup();
            fs.rmSync(work, { recursive: true, force: true });
        } else {
            log(`kept ${work}${project ? ` and ${project.root}` : ""}`);
        }
    }
}

/** The reference for preview: the same number of dynamic resources that do nothing (a local file each). */
async function runTrivial(count: number, parallel: number, o: Options): Promise<TrivialRun> {
    const project = new BenchProject({
        name: "trivial-bench",
        program: `const pulumi = require("@pulumi/pulumi");
const { LocalMarker } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const dir = cfg.require("markerDir");
const count = Number(cfg.require("count"));
for (let i = 0; i < count; i++) new LocalMarker("m" + i, { directory: dir, name: "m" + i, value: "v1" });
`,
    });
    try {
        await project.initStack("bench", { markerDir: path.join(project.root, "markers"), count: String(count) });
        log(`trivial: up of ${count} LocalMarker resources`);
        const up = await project.run(["up", "--yes", "--skip-preview", "--parallel", String(parallel)]);
        log("trivial: no-op preview");
        const preview = await project.run(["preview", "--expect-no-changes", "--parallel", String(parallel)]);
        return { resources: count, upMs: up.ms, previewMs: preview.ms, previewMemory: memSummary(preview.memory) };
    } finally {
        if (!o.keep) project.cleanup();
    }
}

async function runBaseline(n: number, o: Options, cacheDir: string): Promise<BaselineResult> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-baseline${n}-`));
    // A fresh emulator: nothing left over from the fleet run (rate-limit windows, tenants, quota).
    const emu = await fleetEmulator(work, n);
    try {
        const fx = await preparedFleet(emu, path.join(work, "data"), n, cacheDir, log);
        log(
            `N=${n}: sequential baseline (${o.baselineSample ? `sample of ${o.baselineSample}` : `budget ${o.baselineBudgetMin} min`})`,
        );
        return await runSequentialBaseline({
            info: emu.info,
            customers: fx.customers,
            templateAppName: TEMPLATE_APP_NAME,
            sample: o.baselineSample,
            budgetMs: o.baselineBudgetMin * 60_000,
            log: (m) => log(`N=${n}: ${m}`),
        });
    } finally {
        await emu.stop();
        if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
    }
}

/** One size: every mode asked, the baseline, the multi-runner onboarding; a failure is recorded, the rest goes on. */
async function runSize(n: number, o: Options, cacheDir: string): Promise<SizeResult[]> {
    const out: SizeResult[] = [];
    const attempt = async (r: SizeResult, what: string, fn: () => Promise<void>) => {
        try {
            await fn();
        } catch (e) {
            const msg = e instanceof Error ? e.message.slice(0, 4000) : String(e);
            r.error = r.error ? `${r.error}\n${what}: ${msg}` : `${what}: ${msg}`;
            log(`N=${n} ${what} failed: ${msg}`);
        }
    };
    let trivialDone = o.skipTrivial;
    for (const mode of o.modes) {
        const r: SizeResult = { n, mode };
        out.push(r);
        await attempt(r, mode, async () => {
            if (mode === "sharded") {
                r.sharded = await runSharded(n, o, cacheDir);
                return;
            }
            r.fleet = await runFleet(n, o, mode, cacheDir);
            if (!trivialDone) {
                trivialDone = true;
                const perTenant = r.fleet.dynamicResourcesPerTenant || RESOURCES_PER_TENANT;
                r.trivial = await runTrivial(Math.round(n * perTenant), r.fleet.parallel, o);
            }
        });
    }
    if (!o.skipBaseline) {
        if (!out[0]) out.push({ n });
        const r = out[0];
        await attempt(r, "baseline", async () => {
            r.baseline = await runBaseline(n, o, cacheDir);
        });
    }
    if (o.runners > 0) {
        const r: SizeResult = { n, mode: "runners" };
        out.push(r);
        await attempt(r, "runners", async () => {
            r.runners = await runRunners(n, o, cacheDir);
        });
    }
    return out;
}

async function main(): Promise<void> {
    const o = parseOptions(process.argv.slice(2));
    if (!fs.existsSync(path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js"))) {
        throw new Error("dist/examples/fleet/index.js is missing: build first (npm run build)");
    }
    const machineInfo = {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "?",
        memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        pulumi: engineVersion(),
    };

    const results: SizeResult[] = [];
    // Seeding 1,000 customers takes minutes: once per size, copied for each mode.
    const cacheDir = o.seedCache ?? fs.mkdtempSync(path.join(os.tmpdir(), "qtf-bench-seeds-"));
    try {
        for (const n of o.sizes) results.push(...(await runSize(n, o, cacheDir)));
    } finally {
        if (!o.seedCache) fs.rmSync(cacheDir, { recursive: true, force: true });
    }

    fs.mkdirSync(o.outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/:/g, "").replace(/\..*$/, "");
    const jsonFile = path.join(o.outDir, `fleet-${stamp}.json`);
    fs.writeFileSync(
        jsonFile,
        JSON.stringify(
            {
                date: new Date().toISOString(),
                machine: machineInfo,
                options: o,
                targets: TARGETS,
                results,
            },
            null,
            2,
        ) + "\n",
    );
    // The charts of this run alone; bench/redraw.ts draws them from every committed run.
    const run = { results, machine: machineInfo, date: stamp, options: o };
    const svgFile = path.join(o.outDir, "fleet.svg");
    fs.writeFileSync(svgFile, fleetChartSvg([run]));
    fs.writeFileSync(path.join(o.outDir, "fleet-memory.svg"), memoryChartSvg([run]));
    printReport(results, machineInfo);
    console.log(
        `\nwrote ${path.relative(process.cwd(), jsonFile)}, ${path.relative(process.cwd(), svgFile)} and fleet-memory.svg`,
    );
    if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e: unknown) => {
    console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
