// `npm run bench [-- --n 50 | --sizes 10,25,50] [--parallel P] [--baseline-sample K] ...`
// The fleet benchmark: provisions N customer tenants with the real `pulumi up` against the emulator's
// `realistic` profile and documented rate limits, and prints, measured in the same run, our time, the
// analytic lower bound, a tutorial-style sequential baseline, no-op preview/refresh times against
// trivial resources, state bytes per tenant and peak memory. docs/benchmark.md explains every number.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnEmulator, type EmulatorProcess } from "./lib/emulatorProcess";
import { BenchProject, REPO_ROOT, engineVersion, type TimedRun } from "./lib/pulumiProject";
import { prepareFleet, TEMPLATE_APP_NAME } from "./lib/fleetFixture";
import { computeLowerBound } from "./lib/lowerBound";
import { runSequentialBaseline, type BaselineResult } from "./sequentialBaseline";
import { fleetChartSvg } from "./lib/fleetChart";
import { parseOptions, type Options } from "./lib/options";
import { fmtS, memSummary, printReport, type FleetRun, type SizeResult, type TrivialRun } from "./lib/report";

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

function vmHwmKiB(pid: number): number | undefined {
    try {
        return Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    } catch {
        return undefined;
    }
}

function stackConfig(
    emu: EmulatorProcess,
    masterDb: string,
    o: Options,
): { config: Record<string, string>; secrets: Record<string, string> } {
    const i = emu.info;
    const config: Record<string, string> = {
        "qlik:region": i.region,
        "qlik:domain": i.domain,
        "qlik:clientId": i.oauthClient.clientId,
        "qlik:sourceTenantHost": i.sourceTenant.hostname,
        "qlik:endpointOverride": i.httpUrl,
        "fleet:masterDb": masterDb,
        "fleet:templateAppName": TEMPLATE_APP_NAME,
    };
    if (o.maxConcurrentPerHost) config["qlik:maxConcurrentPerHost"] = String(o.maxConcurrentPerHost);
    return { config, secrets: { "qlik:clientSecret": i.oauthClient.clientSecret } };
}

async function runFleet(n: number, o: Options): Promise<FleetRun> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-fleet${n}-`));
    const emu = await spawnEmulator({
        repoRoot: REPO_ROOT,
        profile: "realistic",
        dataDir: path.join(work, "emulator"),
    });
    let project: BenchProject | undefined;
    try {
        log(
            `N=${n}: emulator pid ${emu.pid} at ${emu.info.httpUrl} (realistic profile); seeding ${n} customers and placing the template`,
        );
        const fx = await prepareFleet(emu.info, path.join(work, "data"), n);
        const env: NodeJS.ProcessEnv = o.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
        project = new BenchProject({
            name: "fleet-bench",
            // The stack program itself (examples/fleet), unchanged: the project only points at the build.
            program: `module.exports = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js"))});\n`,
            env,
        });
        const cfg = stackConfig(emu, fx.masterDb, o);
        await project.initStack("bench", cfg.config, cfg.secrets);
        const parallel = parallelFor(n, o);

        const since = await emu.lastSeq();
        log(`N=${n}: pulumi up --skip-preview --parallel ${parallel}`);
        const up = await project.run(["up", "--yes", "--skip-preview", "--parallel", String(parallel)]);
        const requests = await emu.requests(since);
        const lowerBound = computeLowerBound({
            requests,
            registerHost: emu.info.registerHost,
            sourceHost: emu.info.sourceTenant.hostname,
        });
        if (requests.length > 0 && requests[0].seq > since + 1) lowerBound.logTruncated = true;
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
        return {
            n,
            parallel,
            upMs: up.ms,
            upMemory: memSummary(up.memory),
            previewMs: preview.ms,
            previewMemory: memSummary(preview.memory),
            refreshMs: refresh?.ms,
            stateBytes: Buffer.byteLength(exported),
            stateBytesPerTenant: Math.round(Buffer.byteLength(exported) / n),
            resources: resources.length,
            dynamicResourcesPerTenant: dynamic / n,
            reloadsSucceeded,
            emulatorHwmKiB: vmHwmKiB(emu.pid),
            lowerBound,
            requestsDuringUp: requests.length,
            status429DuringUp: requests.filter((r) => r.status === 429).length,
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

function requestSpan(requests: { time: string; durationMs?: number }[]): number {
    if (requests.length === 0) return 0;
    const start = Math.min(...requests.map((r) => Date.parse(r.time) - (r.durationMs ?? 0)));
    const end = Math.max(...requests.map((r) => Date.parse(r.time)));
    return end - start;
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

async function runBaseline(n: number, o: Options): Promise<BaselineResult> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-baseline${n}-`));
    // A fresh emulator: nothing left over from the fleet run (rate-limit windows, tenants, quota).
    const emu = await spawnEmulator({
        repoRoot: REPO_ROOT,
        profile: "realistic",
        dataDir: path.join(work, "emulator"),
    });
    try {
        const fx = await prepareFleet(emu.info, path.join(work, "data"), n);
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
    for (const n of o.sizes) {
        const r: SizeResult = { n };
        results.push(r);
        try {
            r.fleet = await runFleet(n, o);
            if (!o.skipTrivial) {
                const perTenant = r.fleet.dynamicResourcesPerTenant || RESOURCES_PER_TENANT;
                r.trivial = await runTrivial(Math.round(n * perTenant), r.fleet.parallel, o);
            }
            if (!o.skipBaseline) r.baseline = await runBaseline(n, o);
        } catch (e) {
            r.error = e instanceof Error ? e.message.slice(0, 4000) : String(e);
            log(`N=${n} failed: ${r.error}`);
        }
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
                targets: { upOverLowerBound: 1.25, baselineOverUpAtN50: 10, previewOverTrivial: 1.5 },
                results,
            },
            null,
            2,
        ) + "\n",
    );
    const svg = fleetChartSvg([{ results, machine: machineInfo, date: stamp, options: o }]);
    const svgFile = path.join(o.outDir, "fleet.svg");
    fs.writeFileSync(svgFile, svg);
    printReport(results, machineInfo);
    console.log(`\nwrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), svgFile)}`);
    if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e: unknown) => {
    console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
