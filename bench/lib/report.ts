// What one bench run measured (the shape of the JSON it writes) and the report printed from it; docs/benchmark.md
// explains every number and target.
import type { LowerBound } from "./lowerBound";
import type { BaselineResult } from "../sequentialBaseline";
import type { MemoryReport } from "./memory";
import type { HostCounts } from "./requestCollector";
import type { ShardedRun } from "./sharded";
import type { RunnersRun } from "./runners";
import type { Mode } from "./options";

/** The targets the report prints PASS/FAIL against (issue 11 for the sharded ones; docs/benchmark.md). */
export const TARGETS = {
    upOverLowerBound: 1.25,
    baselineOverUpAtN50: 10,
    previewOverTrivial: 1.5,
    /** issue 11: sharded `fleet up` at N = 1000, and `up` at N = 50. */
    shardedUpOverLowerBoundAtN1000: 1.25,
    upOverLowerBoundAtN50: 2,
    noopPreviewMaxMs: 60_000,
    driftMaxMs: 60_000,
    treePeakMaxKiB: 2 * 1024 * 1024,
};

const sec = (ms: number) => ms / 1000;
export const fmtS = (ms: number | undefined) => (ms === undefined ? "-" : `${sec(ms).toFixed(1)} s`);
export const mib = (kib: number | undefined) => (kib === undefined ? "-" : `${(kib / 1024).toFixed(0)} MiB`);

export const memSummary = (m: MemoryReport) => ({
    treePeakKiB: m.treePeakKiB,
    byRoleHwmKiB: m.byRole,
    samples: m.samples,
    // CPU seconds do not depend on how busy the machine is: they say what a run costs when wall time is noise.
    cpuMs: m.cpuMs,
    cpuMsByRole: m.cpuMsByRole,
});

export interface FleetRun {
    n: number;
    mode?: Mode;
    parallel: number;
    upMs: number;
    upMemory: ReturnType<typeof memSummary>;
    previewMs: number;
    previewMemory: ReturnType<typeof memSummary>;
    refreshMs?: number;
    stateBytes: number;
    stateBytesPerTenant: number;
    /** The checkpoint as the backend stores it (gzip), per tenant. */
    storedBytesPerTenant?: number;
    resources: number;
    dynamicResourcesPerTenant: number;
    reloadsSucceeded: number;
    emulatorHwmKiB?: number;
    lowerBound: LowerBound;
    requestsDuringUp: number;
    status429DuringUp: number;
    status429ByHost?: HostCounts;
    requestLogLost?: number;
    /** From the first request's start to the last one's end: the up minus engine start-up and wrap-up. */
    requestSpanMs: number;
}

export interface TrivialRun {
    resources: number;
    upMs: number;
    previewMs: number;
    previewMemory: ReturnType<typeof memSummary>;
}

export interface SizeResult {
    n: number;
    /** Absent in runs made before the modes (they were "single", or "no-checkpoint" with options.skipCheckpoints). */
    mode?: Mode | "runners";
    fleet?: FleetRun;
    sharded?: ShardedRun;
    runners?: RunnersRun;
    trivial?: TrivialRun;
    baseline?: BaselineResult;
    error?: string;
}

const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");

/** The up / lower bound target of a size: 2x at N = 50 and 1.25x at N = 1000 (issue 11), else the old 1.25x. */
export function upTarget(n: number, sharded: boolean): number {
    if (n === 50) return TARGETS.upOverLowerBoundAtN50;
    return sharded ? TARGETS.shardedUpOverLowerBoundAtN1000 : TARGETS.upOverLowerBound;
}

function ratioRows(r: SizeResult): string[][] {
    const rows: string[][] = [];
    const f = r.fleet;
    if (f) {
        const ub = f.upMs / f.lowerBound.ms;
        const t = upTarget(r.n, false);
        rows.push([
            "up / lower bound",
            `${fmtS(f.upMs)} / ${fmtS(f.lowerBound.ms)}`,
            ub.toFixed(2) + "x",
            `<= ${t}x`,
            pass(ub <= t),
        ]);
        rows.push([
            "peak memory, whole tree (up)",
            mib(f.upMemory.treePeakKiB),
            "",
            "<= 2048 MiB",
            pass(f.upMemory.treePeakKiB <= TARGETS.treePeakMaxKiB),
        ]);
    }
    const sh = r.sharded;
    if (sh) {
        const ub = sh.up.ms / sh.lowerBound.ms;
        const t = upTarget(r.n, true);
        const peak = Math.max(sh.up.memory.treePeakKiB, sh.preview.memory.treePeakKiB, sh.drift.memory.treePeakKiB);
        rows.push(
            [
                "fleet up / lower bound",
                `${fmtS(sh.up.ms)} / ${fmtS(sh.lowerBound.ms)} (exit ${sh.up.exitCode})`,
                ub.toFixed(2) + "x",
                `<= ${t}x, exit 0`,
                pass(ub <= t && sh.up.exitCode === 0),
            ],
            [
                "no-op fleet preview",
                `${fmtS(sh.preview.ms)} (exit ${sh.preview.exitCode})`,
                "",
                "<= 60 s, exit 0",
                pass(sh.preview.ms <= TARGETS.noopPreviewMaxMs && sh.preview.exitCode === 0),
            ],
            [
                "fleet drift",
                `${fmtS(sh.drift.ms)} (exit ${sh.drift.exitCode})`,
                "",
                "<= 60 s, exit 0",
                pass(sh.drift.ms <= TARGETS.driftMaxMs && sh.drift.exitCode === 0),
            ],
            ["peak memory, whole tree", mib(peak), "", "<= 2048 MiB", pass(peak <= TARGETS.treePeakMaxKiB)],
        );
    }
    const ru = r.runners;
    if (ru) {
        rows.push([
            `${ru.runners}-runner onboarding checks`,
            `${ru.aliasesNotOnce.length} tenants not exactly once, ${ru.stackMismatches.length} stacks wrong, ${ru.locksLeft.length} locks left, preview exit ${ru.preview.exitCode}`,
            "",
            "all 0",
            pass(ru.ok),
        ]);
    }
    if (f && r.baseline) {
        const sp = r.baseline.totalMs / f.upMs;
        const target = r.n === 50 ? ">= 10x (N=50)" : ">= 10x (target set at N=50)";
        rows.push([
            "baseline / up",
            `${fmtS(r.baseline.totalMs)}${r.baseline.extrapolated ? "*" : ""} / ${fmtS(f.upMs)}`,
            sp.toFixed(1) + "x",
            target,
            sp >= 10 ? "PASS" : "FAIL",
        ]);
    }
    if (f && r.trivial) {
        const pr = f.previewMs / r.trivial.previewMs;
        rows.push([
            "no-op preview / trivial preview",
            `${fmtS(f.previewMs)} / ${fmtS(r.trivial.previewMs)}`,
            pr.toFixed(2) + "x",
            "<= 1.5x",
            pr <= 1.5 ? "PASS" : "FAIL",
        ]);
    }
    return rows;
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    return rows
        .map((r, i) => {
            const line = r.map((cell, c) => cell.padEnd(widths[c])).join("  ");
            return i === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
        })
        .join("\n");
}

export function printReport(results: SizeResult[], machine: Record<string, unknown>): void {
    const out: string[] = [];
    out.push("");
    out.push(
        `Fleet benchmark: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, pulumi ${machine.pulumi}`,
    );
    for (const r of results) {
        out.push("");
        out.push(`== N = ${r.n} tenants${r.mode ? `, ${r.mode}` : ""} ==`);
        if (r.error) out.push(`ERROR: ${r.error}`);
        const f = r.fleet;
        if (f) {
            out.push(
                table([
                    ["measure", "value"],
                    ["pulumi up (--skip-preview, --parallel " + f.parallel + ")", fmtS(f.upMs)],
                    [
                        "lower bound: max(chain, rate limits)",
                        `${fmtS(f.lowerBound.ms)} (chain ${fmtS(f.lowerBound.chainMs)}, rate limits ${fmtS(f.lowerBound.rateLimitMs)})`,
                    ],
                    [
                        "  critical path",
                        f.lowerBound.criticalPath.map((s) => `${s.stage} ${s.ms}`).join(" > ") + " (ms)",
                    ],
                    ["reloads SUCCEEDED", `${f.reloadsSucceeded}/${f.n}`],
                    ["requests during up (429s)", `${f.requestsDuringUp} (${f.status429DuringUp})`],
                    [
                        "  first request -> last response",
                        `${fmtS(f.requestSpanMs)} (the rest of up is engine start-up, program, checkpoints)`,
                    ],
                    ["no-op preview", fmtS(f.previewMs)],
                    ["no-op refresh", fmtS(f.refreshMs)],
                    [
                        "state bytes per tenant",
                        `${f.stateBytesPerTenant} (total ${f.stateBytes}, ${f.resources} resources)`,
                    ],
                    ["peak memory during up: whole tree", mib(f.upMemory.treePeakKiB)],
                    [
                        "  pulumi CLI / program / provider",
                        `${mib(f.upMemory.byRoleHwmKiB["pulumi-cli"])} / ${mib(f.upMemory.byRoleHwmKiB.program)} / ${mib(f.upMemory.byRoleHwmKiB.provider)}`,
                    ],
                    ["emulator peak (separate process)", mib(f.emulatorHwmKiB)],
                    ["CPU time of the tree during up", fmtS(f.upMemory.cpuMs)],
                    ["  other / CLI / program / provider", cpuRoles(f.upMemory.cpuMsByRole)],
                ]),
            );
        }
        if (r.sharded) out.push(shardedTable(r.sharded));
        if (r.runners) out.push(runnersTable(r.runners));
        if (r.trivial)
            out.push(
                `trivial: ${r.trivial.resources} LocalMarker resources, no-op preview ${fmtS(r.trivial.previewMs)} (their up ${fmtS(r.trivial.upMs)})`,
            );
        if (r.baseline) {
            const b = r.baseline;
            out.push(
                `sequential baseline: ${fmtS(b.totalMs)} for ${b.n} tenants` +
                    (b.extrapolated
                        ? ` (* EXTRAPOLATED linearly from ${b.done} tenants measured in ${fmtS(b.measuredMs)})`
                        : "") +
                    `, ${b.calls} calls, mean ${fmtS(b.perTenantMs.reduce((a, x) => a + x, 0) / Math.max(1, b.perTenantMs.length))} per tenant`,
            );
        }
        const rows = ratioRows(r);
        if (rows.length) out.push("", table([["ratio", "values", "ratio", "target", "result"], ...rows]));
    }
    console.log(out.join("\n"));
}

const counts429 = (c: HostCounts) =>
    `register ${c.register}, source ${c.source}, tenant hosts ${c.tenants} (at most ${c.maxPerTenantHost} on one)`;

function shardedTable(sh: ShardedRun): string {
    const roles = sh.up.memory.byRoleHwmKiB;
    return table([
        ["measure (sharded, npm run fleet)", "value"],
        [
            "shards (size)",
            `${sh.shards} (${sh.shardSize})${sh.shardParallel ? `, --parallel ${sh.shardParallel}` : ""}`,
        ],
        ["fleet up --yes", `${fmtS(sh.up.ms)} (exit ${sh.up.exitCode})`],
        ...(sh.upRerun
            ? [
                  ["  its failures", (sh.upFailure ?? "").split("\n").slice(0, 3).join(" | ").slice(0, 200)],
                  ["  fleet up again", `${fmtS(sh.upRerun.ms)} (exit ${sh.upRerun.exitCode})`],
              ]
            : []),
        [
            "lower bound: max(chain, rate limits)",
            `${fmtS(sh.lowerBound.ms)} (chain ${fmtS(sh.lowerBound.chainMs)}, rate limits ${fmtS(sh.lowerBound.rateLimitMs)}${sh.lowerBound.rateLimitBucket ? `: ${sh.lowerBound.rateLimitBucket}` : ""})`,
        ],
        ["tenants created", `${sh.tenantsCreated}/${sh.n}`],
        [
            "requests during up",
            `${sh.requestsDuringUp}${sh.requestLogLost ? ` (${sh.requestLogLost} LOST from the log)` : ""}`,
        ],
        ["429s during up", counts429(sh.status429DuringUp)],
        ["  first request -> last response", fmtS(sh.requestSpanMs)],
        ["no-op fleet preview", `${fmtS(sh.preview.ms)} (exit ${sh.preview.exitCode})`],
        ["fleet drift", `${fmtS(sh.drift.ms)} (exit ${sh.drift.exitCode})`],
        ["state per tenant: stored / JSON", `${sh.storedBytesPerTenant} / ${sh.jsonBytesPerTenant} bytes`],
        [
            "peak memory, whole tree: up / preview / drift",
            `${mib(sh.up.memory.treePeakKiB)} / ${mib(sh.preview.memory.treePeakKiB)} / ${mib(sh.drift.memory.treePeakKiB)}`,
        ],
        [
            "  largest CLI / program / provider (up)",
            `${mib(roles["pulumi-cli"])} / ${mib(roles.program)} / ${mib(roles.provider)}`,
        ],
        ["emulator peak (separate process)", mib(sh.emulatorHwmKiB)],
        [
            "CPU time of the tree: up / preview / drift",
            `${fmtS(sh.up.memory.cpuMs)} / ${fmtS(sh.preview.memory.cpuMs)} / ${fmtS(sh.drift.memory.cpuMs)}`,
        ],
        ["  up: orchestrator+other / CLI / program / provider", cpuRoles(sh.up.memory.cpuMsByRole)],
    ]);
}

function runnersTable(ru: RunnersRun): string {
    return table([
        [`measure (${ru.runners} runners, PostgreSQL state)`, "value"],
        ["shards (size)", `${ru.shards} (${ru.shardSize})`],
        ["onboarding wall time", fmtS(ru.wallMs)],
        ["  per runner", ru.perRunner.map((p) => `#${p.runner} ${fmtS(p.ms)} exit ${p.exitCode}`).join(", ")],
        ["lower bound", fmtS(ru.lowerBound.ms)],
        ["429s", counts429(ru.status429)],
        [
            "tenants in the emulator",
            `${ru.tenantsInEmulator} (not exactly once: ${ru.aliasesNotOnce.join(", ") || "none"})`,
        ],
        ["stacks with other customers than recorded", ru.stackMismatches.join("; ") || "none"],
        ["locks left", ru.locksLeft.join("; ") || "none"],
        ["no-op fleet preview (all shards)", `${fmtS(ru.preview.ms)} (exit ${ru.preview.exitCode})`],
        ["state per tenant: stored / JSON", `${ru.storedBytesPerTenant} / ${ru.jsonBytesPerTenant} bytes`],
        ["peak memory, all runners' trees", mib(ru.memory.treePeakKiB)],
    ]);
}

function cpuRoles(r: Partial<Record<string, number>> | undefined): string {
    if (!r) return "-";
    return [r.other, r["pulumi-cli"], r.program, r.provider].map((x) => fmtS(x ?? 0)).join(" / ");
}
