#!/usr/bin/env node
// `npm run pulumi -- <args>` (or bin/pulumi): the resolved Pulumi CLI with offline-safe defaults
// (local file backend in .pulumi-state/, per-project PULUMI_HOME, no update checks, no plugin
// downloads, and the labelled local-only demo passphrase unless you set your own).
"use strict";

const { spawn } = require("child_process");
const engine = require("./lib/engine");

async function main() {
    const record = engine.readEngineRecord() || (await engine.ensureEngine());
    const child = spawn(record.pulumi, process.argv.slice(2), {
        cwd: process.env.INIT_CWD || process.cwd(),
        env: engine.pulumiEnv(record),
        stdio: "inherit",
    });
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => process.exit(signal ? 1 : code ?? 1));
}

main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
});
