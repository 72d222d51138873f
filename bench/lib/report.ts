// What one bench run measured (the shape of the JSON it writes) and the report printed from it; docs/benchmark.md
// explains every number and target.
import type { LowerBound } from "./lowerBound";
import type { BaselineResult } from "../sequentialBaseline";
import type { MemoryReport } from "./memory";

const sec = (ms: number) => ms / 1000;
export const fmtS = (ms: number | undefined) => (ms === undefined ? "-" : `${sec(ms).toFixed(1)} s`);
const mib = (kib: number | undefined) => (kib === undefined ? "-" : `${(kib / 1024).toFixed(0)} MiB`);

export const memSummary = (m: MemoryReport) => ({
    treePeakKiB: m.treePeakKiB,
    byRoleHwmKiB: m.byRole,
    samples: m.samples,
});

export interface FleetRun {
    n: number;
    parallel: number;
    upMs: number;
    upMemory: ReturnType<typeof memSummary>;
    previewMs: number;
    previewMemory: ReturnType<typeof memSummary>;
    refreshMs?: number;
    stateBytes: number;
    stateBytesPerTenant: number;
    resources: number;
    dynamicResourcesPerTenant: number;
    reloadsSucceeded: number;
    emulatorHwmKiB?: number;
    lowerBound: LowerBound;
    requestsDuringUp: number;
    status429DuringUp: number;
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
    fleet?: FleetRun;
    trivial?: TrivialRun;
    baseline?: BaselineResult;
    error?: string;
}

function ratioRows(r: SizeResult): string[][] {
    const rows: string[][] = [];
    const f = r.fleet;
    if (f) {
        const ub = f.upMs / f.lowerBound.ms;
        rows.push([
            "up / lower bound",
            `${fmtS(f.upMs)} / ${fmtS(f.lowerBound.ms)}`,
            ub.toFixed(2) + "x",
            "<= 1.25x",
            ub <= 1.25 ? "PASS" : "FAIL",
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
        out.push(`== N = ${r.n} tenants ==`);
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
                ]),
            );
        }
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
