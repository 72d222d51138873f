#!/usr/bin/env node
// `npm run pulumi -- <args>` (or bin/pulumi): the resolved Pulumi CLI with offline-safe defaults
// (local file backend in .pulumi-state/, per-project PULUMI_HOME, no update checks, no plugin
// downloads, and the labelled local-only demo passphrase unless you set your own), and `refresh` with the
// stack's CURRENT config (--run-program, see withDefaults).
"use strict";

const { spawn } = require("child_process");
const engine = require("./lib/engine");

/**
 * `refresh` runs the stack program (--run-program) unless told otherwise: the engine otherwise hands the
 * dynamic provider the configuration recorded by the LAST up, so a rotated qlik:clientSecret (or a wrong
 * one) would not be used, and refresh could report "unchanged" with credentials that no longer work
 * (docs/provider-client.md "Which credentials refresh uses"). `--run-program=false` keeps the engine's default.
 */
function withDefaults(args) {
    const command = args.find((a) => !a.startsWith("-"));
    if (command === "refresh" && !args.some((a) => a.startsWith("--run-program"))) return [...args, "--run-program"];
    return args;
}

async function main() {
    const record = engine.readEngineRecord() || (await engine.ensureEngine());
    const child = spawn(record.pulumi, withDefaults(process.argv.slice(2)), {
        cwd: process.env.INIT_CWD || process.cwd(),
        env: engine.pulumiEnv(record),
        stdio: "inherit",
    });
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
}

main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
});
