// The benchmark's charts, from one or more runs (bench/results/fleet-*.json): wall time against N for each way of
// running the fleet (one stack, one stack without checkpoints, sharded through `npm run fleet`, the multi-runner
// onboarding), the lower bound and the sequential baseline; and the peak memory of the whole process tree against
// N. Measured points are solid; points a series did not measure at a size another series reached are extrapolated
// from its own measured points (hollow), never below that size's lower bound.
import { lineChartSvg, type Point, type Series } from "./chart";

type Mode = "single" | "no-checkpoint" | "sharded" | "runners";

interface Mem {
    treePeakKiB: number;
}

/** What the charts read from a run; the JSON files written by bench/fleet.ts have this shape (older ones too). */
export interface ChartRun {
    results: {
        n: number;
        mode?: string;
        fleet?: { upMs: number; lowerBound: { ms: number }; upMemory?: Mem };
        sharded?: {
            up: { ms: number; memory: Mem };
            preview: { memory: Mem };
            drift: { memory: Mem };
            lowerBound: { ms: number };
        };
        runners?: { wallMs: number; memory: Mem; lowerBound: { ms: number } };
        baseline?: { totalMs: number; extrapolated: boolean };
    }[];
    machine: { cpus: number; pulumi: string };
    date: string;
    options: { skipCheckpoints?: boolean };
}

const sec = (ms: number) => ms / 1000;

const STYLE: Record<Mode, { label: string; color: string; memLabel: string }> = {
    single: { label: "pulumi up, one stack", color: "#1f77b4", memLabel: "one stack" },
    "no-checkpoint": { label: "one stack, no checkpoints", color: "#9467bd", memLabel: "one stack, no checkpoints" },
    sharded: { label: "fleet up, sharded", color: "#ff7f0e", memLabel: "sharded (up, preview, drift)" },
    runners: { label: "4 runners, PostgreSQL", color: "#8c564b", memLabel: "runners (all trees)" },
};

interface Row {
    n: number;
    mode: Mode;
    seconds: number;
    memKiB?: number;
    boundS: number;
}

function rowsOf(runs: ChartRun[]): Row[] {
    const rows: Row[] = [];
    for (const run of runs)
        for (const r of run.results) {
            if (r.fleet) {
                const mode: Mode =
                    r.mode === "no-checkpoint" || (!r.mode && run.options.skipCheckpoints) ? "no-checkpoint" : "single";
                rows.push({
                    n: r.n,
                    mode,
                    seconds: sec(r.fleet.upMs),
                    memKiB: r.fleet.upMemory?.treePeakKiB,
                    boundS: sec(r.fleet.lowerBound.ms),
                });
            }
            if (r.sharded) {
                const s = r.sharded;
                rows.push({
                    n: r.n,
                    mode: "sharded",
                    seconds: sec(s.up.ms),
                    memKiB: Math.max(s.up.memory.treePeakKiB, s.preview.memory.treePeakKiB, s.drift.memory.treePeakKiB),
                    boundS: sec(s.lowerBound.ms),
                });
            }
            if (r.runners)
                rows.push({
                    n: r.n,
                    mode: "runners",
                    seconds: sec(r.runners.wallMs),
                    memKiB: r.runners.memory.treePeakKiB,
                    boundS: sec(r.runners.lowerBound.ms),
                });
        }
    return rows;
}

/** Least squares of y on [1, n] or [1, n, n^2]; undefined when the points cannot fix the curve. */
export function fit(points: { n: number; y: number }[], degree: 1 | 2): ((n: number) => number) | undefined {
    const k = degree + 1;
    if (new Set(points.map((p) => p.n)).size < k) return undefined;
    // Normal equations A^T A c = A^T y, solved by Gaussian elimination (3x3 at most).
    const m = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
    for (const p of points) {
        const row = Array.from({ length: k }, (_, i) => p.n ** i);
        for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) m[i][j] += row[i] * row[j];
            m[i][k] += row[i] * p.y;
        }
    }
    for (let c = 0; c < k; c++) {
        const pivot = m[c][c];
        if (Math.abs(pivot) < 1e-12) return undefined;
        for (let r = 0; r < k; r++) {
            if (r === c) continue;
            const f = m[r][c] / pivot;
            for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
        }
    }
    const coef = m.map((row, i) => row[k] / row[i]);
    return (n) => coef.reduce((a, c, i) => a + c * n ** i, 0);
}

/** One point per N (the mean when several runs measured it). */
function mean(points: { n: number; y: number }[]): Point[] {
    const by = new Map<number, number[]>();
    for (const p of points) by.set(p.n, [...(by.get(p.n) ?? []), p.y]);
    return [...by].map(([n, ys]) => ({ n, seconds: ys.reduce((a, b) => a + b, 0) / ys.length }));
}

/**
 * The one-stack modes at sizes they did not reach: a quadratic for checkpoints (each step rewrites the whole state,
 * docs/reference/pulumi-offline.md C2), a line without them; never below that size's lower bound.
 */
function extrapolated(mode: Mode, measured: Point[], sizes: number[], bound: Map<number, number>): Point[] {
    const f = fit(
        measured.map((p) => ({ n: p.n, y: p.seconds })),
        mode === "single" && measured.length >= 3 ? 2 : 1,
    );
    if (!f || (mode !== "single" && mode !== "no-checkpoint")) return [];
    const have = new Set(measured.map((p) => p.n));
    return sizes
        .filter((n) => !have.has(n) && n > Math.max(...have))
        .map((n) => ({ n, seconds: Math.max(f(n), bound.get(n) ?? 0), estimated: true }));
}

export function fleetChartSvg(runs: ChartRun[]): string {
    const rows = rowsOf(runs);
    const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
    const bound = new Map<number, number>();
    for (const r of rows) bound.set(r.n, Math.max(bound.get(r.n) ?? 0, r.boundS));
    const series: Series[] = [];
    for (const mode of Object.keys(STYLE) as Mode[]) {
        const measured = mean(rows.filter((r) => r.mode === mode).map((r) => ({ n: r.n, y: r.seconds })));
        if (!measured.length) continue;
        series.push({
            label: STYLE[mode].label,
            color: STYLE[mode].color,
            points: [...measured, ...extrapolated(mode, measured, sizes, bound)],
        });
    }
    series.push({
        label: "lower bound",
        color: "#2ca02c",
        dashed: true,
        points: [...bound].map(([n, seconds]) => ({ n, seconds })),
    });
    const baseline = runs.flatMap((r) => r.results).filter((x) => x.baseline);
    if (baseline.length) {
        series.push({
            label: "sequential baseline",
            color: "#d62728",
            points: baseline.map((x) => ({
                n: x.n,
                seconds: sec(x.baseline!.totalMs),
                estimated: x.baseline!.extrapolated,
            })),
        });
    }
    for (const s of series) s.points.sort((a, b) => a.n - b.n);
    return lineChartSvg("qlik-tenant-fleet: provisioning N tenants", subtitle(runs), series, {
        logY: baseline.length > 0 || sizes.length > 1,
    });
}

export function memoryChartSvg(runs: ChartRun[]): string {
    const rows = rowsOf(runs).filter((r) => r.memKiB !== undefined);
    const series: Series[] = [];
    for (const mode of Object.keys(STYLE) as Mode[]) {
        const points = mean(rows.filter((r) => r.mode === mode).map((r) => ({ n: r.n, y: r.memKiB! / 1024 })));
        if (points.length)
            series.push({
                label: STYLE[mode].memLabel,
                color: STYLE[mode].color,
                points: points.sort((a, b) => a.n - b.n),
            });
    }
    const ns = rows.map((r) => r.n);
    if (ns.length)
        series.push({
            label: "target 2 GiB",
            color: "#7f7f7f",
            dashed: true,
            points: [
                { n: Math.min(...ns), seconds: 2048 },
                { n: Math.max(...ns), seconds: 2048 },
            ],
        });
    return lineChartSvg("qlik-tenant-fleet: peak memory of the whole process tree", subtitle(runs), series, {
        yLabel: "peak resident memory, MiB",
        unit: "MiB",
    });
}

function subtitle(runs: ChartRun[]): string {
    const m = runs[0].machine;
    return `realistic profile, ${m.cpus} CPUs, pulumi ${m.pulumi}, ${runs.map((r) => r.date.slice(0, 10)).join(" + ")}`;
}
