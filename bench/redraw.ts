// `node dist/bench/redraw.js <run.json>... [--out bench/results/fleet.svg]`: draws the charts from several
// benchmark runs, e.g. the full run, a --skip-checkpoints run and a sharded N = 1000 run: wall time in `--out`,
// peak memory next to it (`<out>-memory.svg`).
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { fleetChartSvg, memoryChartSvg, type ChartRun } from "./lib/fleetChart";

function main(): void {
    const { values, positionals: args } = parseArgs({
        options: { out: { type: "string" } },
        strict: true,
        allowPositionals: true,
    });
    const out = values.out ?? path.join("bench", "results", "fleet.svg");
    if (args.length === 0 || !out) throw new Error("usage: redraw <run.json>... [--out file.svg]");
    const runs = args.map((f) => {
        const j = JSON.parse(fs.readFileSync(f, "utf8")) as ChartRun & { date: string };
        return { ...j, date: j.date.replace(/:/g, "").replace(/\..*$/, "") };
    });
    fs.writeFileSync(out, fleetChartSvg(runs));
    const memOut = out.replace(/\.svg$/, "") + "-memory.svg";
    fs.writeFileSync(memOut, memoryChartSvg(runs));
    console.log(`wrote ${out} and ${memOut} from ${args.length} run(s)`);
}

try {
    main();
} catch (e) {
    console.error(`[redraw] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
}
