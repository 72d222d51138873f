#!/usr/bin/env node
// `npm run setup`: everything a fresh machine needs, idempotent and quick the second time:
// 1. node modules (npm ci when package-lock.json changed), 2. the Pulumi engine, 3. the TypeScript build.
"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const engine = require("./lib/engine");
const buildStamp = require("./lib/buildStamp");

const root = engine.REPO_ROOT;

function run(cmd, args, what) {
    const started = Date.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
    if (r.status !== 0) {
        engine.log(`${what} failed (exit ${r.status})`);
        process.exit(r.status || 1);
    }
    return Date.now() - started;
}

function checkNode() {
    const [major, minor] = process.versions.node.split(".").map(Number);
    if (major < 20 || (major === 20 && minor < 19) || major >= 23) {
        engine.log(`Node.js ${process.version} is not supported: use Node 20.19+ or 22 (see README, "Versions").`);
        process.exit(1);
    }
}

function ensureNodeModules() {
    const lock = path.join(root, "package-lock.json");
    const stamp = path.join(root, "node_modules", ".qlik-tenant-fleet-lock");
    const want = engine.fileHash(lock);
    let have;
    try {
        have = fs.readFileSync(stamp, "utf8").trim();
    } catch {
        have = undefined;
    }
    if (have === want) {
        engine.log("node modules up to date");
        return;
    }
    engine.log("installing node modules (npm ci; compiles better-sqlite3 on a fresh machine)");
    const ms = run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], "npm ci");
    fs.writeFileSync(stamp, want);
    engine.log(`node modules installed in ${Math.round(ms / 1000)} s`);
}

/**
 * The serialised provider shim loads its implementation as `qlik-tenant-fleet/provider` from the
 * stack's node_modules. A user's stack has the package installed; this repository's own stacks
 * resolve it through this link to the repository itself.
 */
function linkSelf() {
    const link = path.join(root, "node_modules", "qlik-tenant-fleet");
    try {
        if (fs.readlinkSync(link) === "..") return;
        fs.rmSync(link, { recursive: true, force: true });
    } catch {
        // missing: create it below
    }
    fs.symlinkSync("..", link, "dir");
}

/** Outputs that must exist for a build to count as done (the stamp alone could outlive a partly deleted dist/). */
const BUILD_OUTPUTS = ["dist/.tsbuildinfo", "dist/scripts/start.js", "dist/examples/fleet/index.js"];

function build() {
    // Taken before tsc runs: an edit made during the build leaves the stamp stale (scripts/lib/buildStamp.js).
    const print = buildStamp.fingerprint(root);
    if (!process.argv.includes("--force-build") && buildStamp.isCurrent(root, print, BUILD_OUTPUTS)) {
        engine.log(`TypeScript build up to date (${print.files} inputs unchanged since the last build)`);
        return;
    }
    engine.log("compiling TypeScript (incremental)");
    const ms = run(
        process.execPath,
        [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
        "tsc",
    );
    buildStamp.record(root, print);
    engine.log(`TypeScript compiled in ${(ms / 1000).toFixed(1)} s`);
}

async function main() {
    const started = Date.now();
    checkNode();
    ensureNodeModules();
    linkSelf();
    const record = await engine.ensureEngine();
    engine.log(`Pulumi engine: ${record.pulumi} (v${record.version}, ${record.source})`);
    if (!process.argv.includes("--no-build")) build();
    engine.log(`setup done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
    engine.log(err.message);
    process.exit(1);
});
