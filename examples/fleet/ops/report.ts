// What the fleet command prints: aligned text tables for a terminal and the Markdown summary of a rollout
// (pasteable into a change ticket or a pull request), both from plain rows.
import type { RolloutOutcome } from "./rollout";
import type { CustomerRing, RolloutCustomer } from "./store";

/** Text table: columns padded to their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Markdown table; `|` inside a cell is escaped so a reload log line cannot break the table. */
export function markdownTable(header: string[], rows: string[][]): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
    return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

export interface RolloutRow {
    alias: string;
    ring: string;
    previousVersion: string | null;
    state: string;
    detail: string;
}

/** Every customer: the ones the rollout touched (their row), the later rings "not started". */
export function rolloutRows(touched: RolloutCustomer[], all: CustomerRing[]): RolloutRow[] {
    const byId = new Map(touched.map((t) => [t.customerId, t]));
    return all.map((c) => {
        const t = byId.get(c.id);
        return t
            ? { alias: c.alias, ring: t.ring, previousVersion: t.previousVersion, state: t.state, detail: t.detail }
            : { alias: c.alias, ring: c.ring, previousVersion: c.templateVersion, state: "not started", detail: "" };
    });
}

const NEXT: Record<string, string> = {
    stopped:
        "Next: fix the cause (the customer's data, or a newer release) and run `npm run fleet -- rollout resume` " +
        "(`--version <newer>` for a newer release), or put the ring back with `npm run fleet -- rollout rollback`.",
    done: "Every ring runs the release.",
    rolled_back: "The stopped ring runs its previous version again; earlier rings keep the release.",
    running: "Interrupted: run the same command again to continue.",
};

export function rolloutMarkdown(o: RolloutOutcome, rows: RolloutRow[]): string {
    const r = o.rollout;
    const lines = [
        `## Rollout ${r.id}: template release ${r.version}: ${r.state.replace("_", " ")}`,
        "",
        `${r.message}${r.currentRing ? ` (ring ${r.currentRing})` : ""}.`,
        "",
        markdownTable(
            ["customer", "ring", "before", "result", "detail"],
            rows.map((x) => [x.alias, x.ring, x.previousVersion ?? "(fleet default)", x.state, x.detail]),
        ),
        "",
        NEXT[r.state] ?? "",
    ];
    if (o.finalUp === "failed")
        lines.push("", "The last `up` (gate results into the stack outputs) failed; see above.");
    return lines.join("\n") + "\n";
}

/** Each failed customer and why, one line each (printed before the summary, and to stderr). */
export function failureLines(rows: RolloutRow[]): string[] {
    return rows.filter((x) => x.state === "failed").map((x) => `FAILED ${x.alias} (ring ${x.ring}): ${x.detail}`);
}
