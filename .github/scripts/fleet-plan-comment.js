#!/usr/bin/env node
// One pull-request comment for the whole fleet from the per-shard reports of
// `npm run fleet -- preview --shard k --json --markdown shard-k.md > shard-k.json` (docs/sharding.md, "CI").
// usage: node fleet-plan-comment.js <folder of shard-*.json/md> '<expected shards as JSON>' <stack>  > comment.md
// Plain Node without dependencies: the report job of .github/workflows/qlik-fleet.yml runs it before any npm install.
"use strict";
const fs = require("fs");
const path = require("path");

/** GitHub refuses comment bodies over 65,536 characters. */
const MAX = 65000;
/** The first line of the comment: the job edits its own comment in place instead of adding one per push. */
const MARKER = "<!-- qlik-fleet-plan -->";

function readReports(dir) {
    const out = new Map();
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    for (const f of files) {
        const m = /^shard-(\d+)\.json$/.exec(f);
        if (!m) continue;
        const k = Number(m[1]);
        const mdFile = path.join(dir, `shard-${k}.md`);
        let report;
        try {
            report = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
        } catch {
            report = undefined; // a runner that died before writing its JSON: reported as unreadable below
        }
        out.set(k, { report, markdown: fs.existsSync(mdFile) ? fs.readFileSync(mdFile, "utf8").trim() : "" });
    }
    return out;
}

function comment(dir, expected, stack) {
    const reports = readReports(dir);
    const missing = expected.filter((k) => !reports.has(k));
    const unreadable = [...reports].filter(([, r]) => !r.report).map(([k]) => k);
    const failed = [...reports].filter(([, r]) => r.report && r.report.exitCode === 1).map(([k]) => k);
    const changed = [...reports].flatMap(([, r]) => (r.report && r.report.changedCustomers) || []);
    const lines = [
        MARKER,
        `## Qlik fleet plan for \`${stack}\``,
        `${reports.size} of ${expected.length} shards reported; ${changed.length} customer(s) change` +
            (changed.length ? `: ${changed.join(", ")}` : "") +
            `; ${failed.length} shard(s) failed` +
            (failed.length ? ` (${failed.join(", ")})` : "") +
            ".",
    ];
    if (missing.length) lines.push(`No report from shard(s) ${missing.join(", ")}: see the workflow run.`);
    if (unreadable.length)
        lines.push(`Unreadable report from shard(s) ${unreadable.join(", ")}: see the workflow run.`);
    for (const k of [...reports.keys()].sort((a, b) => a - b)) {
        const md = reports.get(k).markdown;
        if (md) lines.push("", md);
    }
    const text = lines.join("\n") + "\n";
    return text.length > MAX ? `${text.slice(0, MAX)}\n\n(cut: the full reports are the run's artifacts)\n` : text;
}

if (require.main === module) {
    const [dir, expectedJson, stack] = process.argv.slice(2);
    if (!dir || !expectedJson || !stack) {
        process.stderr.write("usage: fleet-plan-comment.js <dir> '<expected shards JSON>' <stack>\n");
        process.exit(1);
    }
    process.stdout.write(comment(dir, JSON.parse(expectedJson), stack));
}

module.exports = { comment };
