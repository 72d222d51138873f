#!/usr/bin/env node
// `npm test`: setup, lint, then every mocha suite. The end-to-end files drive the real Pulumi CLI and
// spend most of their time waiting on it (a CLI, a language host and a provider process per command),
// so they run as separate mocha processes, a few at a time; everything else runs in one process in
// mocha's usual order.
//
// Each mocha process gets the settings of .mocharc.json (one source), its own output file, and the
// leftover-process hook (tests/hooks), which tags every process a run starts, so concurrent runs never
// blame each other. A job's full output is printed when it ends; a progress line every 30 s says what
// is still running. The last line is "N passed, N failed, N skipped". Mocha runs without --exit: a mocha
// process still alive --exit-grace seconds after its last test has a leaked handle; it is named and failed.
//
// Usage: npm test [-- [--jobs N] [--exit-grace S] [--no-setup] [substring ...]]   (substrings select test files)
// QTF_TEST_JOBS sets the default number of concurrent mocha processes (3: measured best on 2 cores);
// QTF_TEST_EXIT_GRACE_S the default grace (60 s: Pulumi plugins started by a test may still be shutting down).
// Each job's result line counts the pulumi commands its tests ran through tests/e2e/harness.ts (QTF_PULUMI_TRACE):
// the time budget is mostly theirs, and an up/refresh/destroy that runs its own preview costs about twice as much.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn, spawnSync } = require("child_process");
const { parseArgs } = require("util");

const ROOT = path.resolve(__dirname, "..");
const DURATIONS = path.join(ROOT, "tests", "durations.json");
const LOCAL_DURATIONS = path.join(ROOT, "dist", ".test-durations.json");

function log(msg) {
    process.stdout.write(`[test] ${msg}\n`);
}

function step(cmd, args, what) {
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) {
        log(`${what} failed (exit ${r.status})`);
        process.exit(r.status || 1);
    }
}

function listTests(dir) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...listTests(p));
        else if (entry.name.endsWith(".test.js")) out.push(p);
    }
    return out.sort();
}

function readJson(file) {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return {};
    }
}

/** Flags equivalent to .mocharc.json, for mocha processes started with --no-config. */
function mochaFlags() {
    const rc = readJson(path.join(ROOT, ".mocharc.json"));
    const flags = ["--no-config", "--color"];
    if (rc.timeout !== undefined) flags.push("--timeout", String(rc.timeout));
    if (rc.reporter) flags.push("--reporter", rc.reporter);
    for (const r of [].concat(rc.require || [])) flags.push("--require", r);
    return flags;
}

/** The jobs: all non-e2e files together, each e2e file alone; longest first (last measured times). */
function planJobs(filters) {
    const distTests = path.join(ROOT, "dist", "tests");
    const rel = (f) => path.relative(ROOT, f);
    let files = listTests(distTests).map(rel);
    if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
    const isE2e = (f) => f.startsWith(path.join("dist", "tests", "e2e") + path.sep);
    const jobs = [];
    const rest = files.filter((f) => !isE2e(f));
    if (rest.length) jobs.push({ name: "emulator, contract, provider, unit", files: rest });
    for (const f of files.filter(isE2e)) jobs.push({ name: f.replace(/^dist\/tests\//, ""), files: [f] });
    const known = { ...readJson(DURATIONS), ...readJson(LOCAL_DURATIONS) };
    for (const j of jobs) j.estimate = known[j.name] ?? 120;
    return jobs.sort((a, b) => b.estimate - a.estimate);
}

function summary(output) {
    // eslint-disable-next-line no-control-regex
    const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
    const count = (word) => {
        const m = new RegExp(`^\\s*(\\d+) ${word}\\b`, "m").exec(plain);
        return m ? Number(m[1]) : 0;
    };
    return { passed: count("passing"), failed: count("failing"), skipped: count("pending") };
}

/** Mocha's spec reporter prints "N passing (Xs)" once the last test and the root after-hooks have run. */
const FINISHED = /^\s*\d+ passing \(/m;

/** The mocha processes running now, each the leader of its own process group. */
const running = new Set();
let stopping = false;

/** Ctrl-C, a CI cancel or a kill of `npm test` ends every running mocha group (TERM, then KILL after 3 s). */
function stopOnSignal() {
    const signalGroups = (sig) => {
        for (const child of running) {
            try {
                process.kill(-child.pid, sig);
            } catch {
                // the group is gone already
            }
        }
    };
    for (const [sig, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
        ["SIGHUP", 129],
    ]) {
        process.once(sig, () => {
            stopping = true;
            process.stderr.write(`\n[test] ${sig}: stopping ${running.size} mocha process(es)\n`);
            signalGroups("SIGTERM");
            setTimeout(() => {
                signalGroups("SIGKILL");
                process.exit(code);
            }, 3000);
        });
    }
}

/**
 * The pulumi commands a job ran (tests/e2e/harness.ts appends one line per command to QTF_PULUMI_TRACE): how many,
 * their total seconds, and how many were up/refresh/destroy that also ran their own preview (no --skip-preview).
 */
function pulumiRuns(traceFile) {
    let lines = [];
    try {
        lines = fs.readFileSync(traceFile, "utf8").split("\n").filter(Boolean);
    } catch {
        return undefined;
    }
    const rows = lines.map((l) => l.split("\t"));
    const seconds = rows.reduce((t, r) => t + Number(r[1] || 0), 0);
    const withPreview = rows.filter((r) => /^(up|refresh|destroy)\b/.test(r[0]) && !r[0].includes("--skip-preview"));
    return { count: rows.length, seconds, withPreview: withPreview.length };
}

function describeRuns(p) {
    return p
        ? `; ${p.count} pulumi runs, ${p.seconds.toFixed(0)} s (${p.withPreview} up/refresh/destroy with their own preview)`
        : "";
}

function runJob(job, flags, logDir, exitGraceS) {
    // Stopping: start nothing new; the signal handler exits.
    if (stopping) return new Promise(() => {});
    const file = path.join(logDir, `${job.name.replace(/[^\w.-]+/g, "_")}.log`);
    // QTF_PULUMI_TRACE given: every job appends to that one file (a sequential run's record to keep)
    const traceFile = process.env.QTF_PULUMI_TRACE || `${file}.pulumi.tsv`;
    const out = fs.createWriteStream(file);
    const started = Date.now();
    const child = spawn(
        process.execPath,
        [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), ...flags, ...job.files],
        {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
            env: {
                ...process.env,
                FORCE_COLOR: process.stdout.isTTY ? "1" : "0",
                QTF_PULUMI_TRACE: traceFile,
            },
            // Its own process group, with the pulumi CLIs and emulators it starts: a stopped `npm test` ends the
            // whole group (stopOnSignal below) instead of leaving them running.
            detached: true,
        },
    );
    running.add(child);
    // Mocha runs without --exit (a leaked handle must not pass unnoticed): once the summary is out, the process
    // has exitGraceS seconds to end on its own. If it does not, a test left a server, socket, timer or child
    // process open: ask the process what is open (tests/hooks/report-open-handles.ts), then end it, a failure.
    let tail = "";
    let hung = false;
    let graceTimer;
    let killTimer;
    const watch = (chunk) => {
        out.write(chunk);
        if (graceTimer) return;
        // eslint-disable-next-line no-control-regex
        tail = (tail + chunk.toString("utf8")).replace(/\x1b\[[0-9;]*m/g, "").slice(-4096);
        if (!FINISHED.test(tail)) return;
        graceTimer = setTimeout(() => {
            hung = true;
            child.kill("SIGUSR2");
            killTimer = setTimeout(() => child.kill("SIGKILL"), 2_000);
        }, exitGraceS * 1000);
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    return new Promise((resolve) => {
        child.on("close", (code, signal) => {
            running.delete(child);
            clearTimeout(graceTimer);
            clearTimeout(killTimer);
            if (hung) {
                out.write(
                    `\n[test] mocha did not exit ${exitGraceS} s after its last test: a test left a handle open ` +
                        `(listed above as [open handles]); killed, counted as a failure\n`,
                );
            }
            out.end(() => {
                const output = fs.readFileSync(file, "utf8");
                resolve({
                    job,
                    code: hung ? 1 : (code ?? (signal ? 1 : 0)),
                    signal,
                    hung,
                    output,
                    seconds: (Date.now() - started) / 1000,
                    pulumi: pulumiRuns(traceFile),
                    ...summary(output),
                });
            });
        });
    });
}

async function main() {
    const { values, positionals } = parseArgs({
        options: { jobs: { type: "string" }, "exit-grace": { type: "string" }, "no-setup": { type: "boolean" } },
        allowPositionals: true,
    });
    const started = Date.now();
    if (!values["no-setup"]) {
        step(process.execPath, [path.join(ROOT, "scripts", "setup.js")], "setup");
        log("eslint .");
        step(process.execPath, [path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "."], "eslint");
    }
    const parallel = Math.max(1, Number(values.jobs || process.env.QTF_TEST_JOBS || 3));
    const exitGraceS = Math.max(1, Number(values["exit-grace"] || process.env.QTF_TEST_EXIT_GRACE_S || 60));
    const jobs = planJobs(positionals);
    if (!jobs.length) {
        log(`no test file matches ${positionals.join(", ")}`);
        process.exit(1);
    }
    stopOnSignal();
    const flags = mochaFlags();
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-test-logs-"));
    log(`${jobs.length} mocha processes, ${parallel} at a time (logs in ${logDir})`);

    const queue = [...jobs];
    const running = new Map();
    const results = [];
    const ticker = setInterval(() => {
        const now = Date.now();
        const names = [...running.entries()].map(([name, t]) => `${name} (${Math.round((now - t) / 1000)} s)`);
        log(
            `${results.length}/${jobs.length} done, ${Math.round((now - started) / 1000)} s; running: ${names.join(", ")}`,
        );
    }, 30_000);
    async function worker() {
        while (queue.length) {
            const job = queue.shift();
            running.set(job.name, Date.now());
            const r = await runJob(job, flags, logDir, exitGraceS);
            running.delete(job.name);
            results.push(r);
            const how = r.hung
                ? "did not exit after its last test"
                : `exit ${r.code}${r.signal ? `, ${r.signal}` : ""}`;
            const verdict = r.code === 0 ? "ok" : `FAILED (${how})`;
            process.stdout.write(
                `\n===== ${job.name}: ${verdict}, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${r.seconds.toFixed(0)} s${describeRuns(r.pulumi)}\n`,
            );
            process.stdout.write(r.output.endsWith("\n") ? r.output : `${r.output}\n`);
        }
    }
    await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
    clearInterval(ticker);

    const measured = readJson(LOCAL_DURATIONS);
    for (const r of results) measured[r.job.name] = Math.round(r.seconds);
    fs.mkdirSync(path.dirname(LOCAL_DURATIONS), { recursive: true });
    fs.writeFileSync(LOCAL_DURATIONS, JSON.stringify(measured, null, 2) + "\n");

    const total = results.reduce(
        (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
        { passed: 0, failed: 0, skipped: 0 },
    );
    const broken = results.filter((r) => r.code !== 0);
    process.stdout.write("\n");
    for (const r of results.sort((a, b) => b.seconds - a.seconds)) {
        log(
            `${r.code === 0 ? "ok    " : "FAILED"} ${r.seconds.toFixed(0).padStart(4)} s  ${r.job.name}${describeRuns(r.pulumi)}`,
        );
    }
    log(`wall time ${((Date.now() - started) / 60000).toFixed(1)} min`);
    if (broken.length) log(`failed: ${broken.map((r) => r.job.name).join(", ")}`);
    // A job that failed without a failing test (a crash before mocha's summary, a hang after it) still counts once.
    const failed = total.failed + broken.filter((r) => r.failed === 0).length;
    // The logs were printed above; keep them on disk only when something failed.
    if (!broken.length) fs.rmSync(logDir, { recursive: true, force: true });
    else log(`logs kept in ${logDir}`);
    process.stdout.write(`${total.passed} passed, ${failed} failed, ${total.skipped} skipped\n`);
    process.exit(broken.length ? 1 : 0);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
