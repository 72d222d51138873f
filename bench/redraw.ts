// `node dist/bench/redraw.js <run.json>... [--out bench/results/fleet.svg]`: draws one chart from several
// benchmark runs, e.g. the full run and a --skip-checkpoints run of the same sizes.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { fleetChartSvg, type ChartRun } from "./lib/fleetChart";

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
    console.log(`wrote ${out} from ${args.length} run(s)`);
}

try {
    main();
} catch (e) {
    console.error(`[redraw] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
}
