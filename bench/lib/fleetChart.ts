// The benchmark's chart: seconds vs N for our `pulumi up`, the lower bound and the sequential baseline,
// from one or more runs (bench/results/fleet-*.json). A run made with --skip-checkpoints is drawn as its
// own `pulumi up` series, so the engine's checkpoint cost shows as the gap between the two.
import { lineChartSvg, type Series } from "./chart";

/** What the chart reads from a run; the JSON files written by bench/fleet.ts have this shape. */
export interface ChartRun {
    results: {
        n: number;
        fleet?: { upMs: number; lowerBound: { ms: number } };
        baseline?: { totalMs: number; extrapolated: boolean };
    }[];
    machine: { cpus: number; pulumi: string };
    date: string;
    options: { skipCheckpoints?: boolean };
}

const sec = (ms: number) => ms / 1000;

export function fleetChartSvg(runs: ChartRun[]): string {
    const series: Series[] = [];
    const withCheckpoints = runs.filter((r) => !r.options.skipCheckpoints);
    const skipping = runs.filter((r) => r.options.skipCheckpoints);
    const fleetPoints = (rs: ChartRun[]) =>
        rs.flatMap((r) => r.results.filter((x) => x.fleet).map((x) => ({ n: x.n, seconds: sec(x.fleet!.upMs) })));
    if (withCheckpoints.length)
        series.push({ label: "pulumi up (ours)", color: "#1f77b4", points: fleetPoints(withCheckpoints) });
    if (skipping.length) series.push({ label: "up, no checkpoints", color: "#9467bd", points: fleetPoints(skipping) });
    const all = runs.flatMap((r) => r.results);
    // Both runs compute a bound for the same N: draw one point per N.
    const bound = new Map(all.filter((x) => x.fleet).map((x) => [x.n, sec(x.fleet!.lowerBound.ms)]));
    series.push({
        label: "lower bound",
        color: "#2ca02c",
        dashed: true,
        points: [...bound].map(([n, seconds]) => ({ n, seconds })),
    });
    const baseline = all.filter((x) => x.baseline);
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
    const m = runs[0].machine;
    return lineChartSvg(
        "qlik-tenant-fleet: provisioning N tenants",
        `realistic profile, ${m.cpus} CPUs, pulumi ${m.pulumi}, ${runs.map((r) => r.date).join(" + ")}`,
        series,
        { logY: baseline.length > 0 },
    );
}
