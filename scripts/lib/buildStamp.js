// Lets setup skip the TypeScript build when nothing it reads changed since the last successful one: even an
// incremental `tsc` that finds nothing to do spends 5-11 s (and much more on a busy machine) checking the program.
// The fingerprint is every input file's path, size and mtime (a stat per file, no reading), so it costs
// milliseconds. Plain JavaScript: it runs before the build exists.
"use strict";

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

// No source imports a .json file of the repository (only packages' JSON), so data files such as
// tests/durations.json, rewritten by every test run, do not count.
const SOURCE_EXT = /\.(ts|tsx|mts|cts)$/;
const SKIP_DIRS = new Set(["node_modules", "dist"]);

/** The top folders of tsconfig.json's `include` ("scripts/**\/*.ts" -> "scripts"). */
function includeRoots(root, tsconfig) {
    const config = JSON.parse(fs.readFileSync(path.join(root, tsconfig), "utf8"));
    const roots = (config.include || ["."]).map((pattern) => pattern.split(/[\\/]/)[0].replace(/\*.*$/, "") || ".");
    return [...new Set(roots)];
}

function walk(dir, out) {
    let entries;
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return;
    }
    for (const e of entries) {
        if (e.name.startsWith(".")) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name)) walk(full, out);
        } else if (SOURCE_EXT.test(e.name)) {
            out.push(full);
        }
    }
}

/**
 * A hash of what `tsc -p <tsconfig>` depends on: the sources under its include roots, the tsconfig files, the
 * package manifests and lock (types and compiler come from node_modules) and the compiler's version.
 */
function fingerprint(root, tsconfig = "tsconfig.json") {
    const files = [];
    for (const top of includeRoots(root, tsconfig)) walk(path.join(root, top), files);
    for (const name of fs.readdirSync(root)) {
        if (/^tsconfig.*\.json$/.test(name) || name === "package.json" || name === "package-lock.json") {
            files.push(path.join(root, name));
        }
    }
    files.push(path.join(root, "node_modules", "typescript", "package.json"));
    const hash = crypto.createHash("sha256");
    for (const file of [...new Set(files)].sort()) {
        let line;
        try {
            const st = fs.statSync(file);
            line = `${path.relative(root, file)}\t${st.size}\t${st.mtimeMs}\n`;
        } catch {
            line = `${path.relative(root, file)}\tmissing\n`;
        }
        hash.update(line);
    }
    return { hash: hash.digest("hex"), files: files.length };
}

/** Where the stamp lives: inside the output folder, so deleting dist/ also forgets it. */
function stampFile(root) {
    return path.join(root, "dist", ".setup-build-stamp");
}

/** True when the last successful build had this fingerprint and its outputs are still there. */
function isCurrent(root, print, outputs) {
    try {
        if (fs.readFileSync(stampFile(root), "utf8").trim() !== print.hash) return false;
    } catch {
        return false;
    }
    return outputs.every((rel) => fs.existsSync(path.join(root, rel)));
}

/**
 * Records a successful build. Callers pass the fingerprint taken BEFORE the build, so a file edited while tsc
 * ran leaves the stamp stale and the next setup compiles again.
 */
function record(root, print) {
    fs.mkdirSync(path.dirname(stampFile(root)), { recursive: true });
    fs.writeFileSync(stampFile(root), `${print.hash}\n`);
}

module.exports = { fingerprint, isCurrent, record, stampFile };
