// Finds or builds the real Pulumi engine (CLI + Node.js language host + dynamic-provider launcher)
// and describes how to run it offline. Plain JavaScript on purpose: it runs before node_modules
// or the TypeScript build exist.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const crypto = require("crypto");
const { spawnSync, spawn } = require("child_process");

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The CLI version we build; tools/pulumi-engine/go.mod pins the same one. */
const PULUMI_VERSION = "3.274.1";
/** Oldest CLI on PATH we accept: refresh/destroy of inline programs and read() inputs need 3.216+. */
const MIN_PATH_VERSION = "3.216.0";
const ENGINE_MODULE_DIR = path.join(REPO_ROOT, "tools", "pulumi-engine");
const PLUGIN_SRC_DIR = path.join(REPO_ROOT, "tools", "pulumi-language-nodejs");
const PROJECT_HOME = path.join(REPO_ROOT, ".pulumi-home");
const ENGINE_RECORD = path.join(PROJECT_HOME, "engine.json");
/** Marked as local-only on purpose: it protects nothing and is never used when the user sets one. */
const DEMO_PASSPHRASE = "qlik-tenant-fleet-LOCAL-DEMO-ONLY-not-a-secret";

function cacheRoot() {
    if (process.env.QLIK_FLEET_CACHE_DIR) return process.env.QLIK_FLEET_CACHE_DIR;
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "qlik-tenant-fleet");
}

function log(msg) {
    process.stderr.write(`[setup] ${msg}\n`);
}

function compareVersions(a, b) {
    const pa = a
        .replace(/^v/, "")
        .split(/[.-]/)
        .map((x) => parseInt(x, 10) || 0);
    const pb = b
        .replace(/^v/, "")
        .split(/[.-]/)
        .map((x) => parseInt(x, 10) || 0);
    for (let i = 0; i < 3; i++) {
        if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
    }
    return 0;
}

function which(cmd) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, cmd);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

function binaryVersion(bin) {
    const r = spawnSync(bin, ["version"], {
        encoding: "utf8",
        timeout: 20000,
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    if (r.status !== 0) return undefined;
    const m = /v?(\d+\.\d+\.\d+)/.exec(r.stdout || "");
    return m ? m[1] : undefined;
}

function copyIfChanged(src, dest, mode) {
    const data = fs.readFileSync(src);
    let same = false;
    try {
        same = fs.readFileSync(dest).equals(data);
    } catch {
        same = false;
    }
    if (!same) {
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        const tmp = `${dest}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data, { mode });
        fs.renameSync(tmp, dest);
    }
    fs.chmodSync(dest, mode);
}

/**
 * Plugins the engine finds next to the CLI (or on PATH), all from tools/pulumi-language-nodejs/:
 * our dynamic-provider launcher `pulumi-resource-pulumi-nodejs` (in place of the sh script inside
 * @pulumi/pulumi: it runs Pulumi's dynamic provider in-process and exits when the engine is gone,
 * issue 14) and, when the CLI lacks one, our Node.js language host. Their helper modules go beside
 * them, under names no plugin search matches.
 */
function installPluginShims(binDir, withLanguageHost) {
    const files = [
        ["pulumi-resource-pulumi-nodejs.js", "pulumi-resource-pulumi-nodejs", 0o755],
        ["qtf-engine-watchdog.js", "qtf-engine-watchdog.js", 0o644],
    ];
    if (withLanguageHost) {
        files.push(
            ["pulumi-language-nodejs.js", "pulumi-language-nodejs", 0o755],
            ["qtf-runtime-options.js", "qtf-runtime-options.js", 0o644],
        );
    }
    for (const [src, dest, mode] of files) copyIfChanged(path.join(PLUGIN_SRC_DIR, src), path.join(binDir, dest), mode);
    if (withLanguageHost) {
        // The host speaks gRPC with the SDK's stubs; before a project's own node_modules exist
        // (`pulumi install` in a fresh clone) it takes them from a recorded copy. Several clones share this
        // cache and any of them may be deleted, so every clone's copy is kept (this one first) and the host
        // takes the first that still exists.
        const record = path.join(binDir, "qtf-plugin-sdk.json");
        const own = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi");
        let current;
        try {
            current = fs.readFileSync(record, "utf8");
        } catch {
            current = undefined;
        }
        let known = [];
        try {
            const parsed = JSON.parse(current ?? "{}");
            known = [...(parsed.sdkDirs ?? []), ...(parsed.sdkDir ? [parsed.sdkDir] : [])];
        } catch {
            known = [];
        }
        const sdkDirs = [own, ...known.filter((d) => d !== own && fs.existsSync(path.join(d, "package.json")))];
        const text = JSON.stringify({ sdkDirs }) + "\n";
        if (current !== text) fs.writeFileSync(record, text);
    }
}

function goVersionOk() {
    const go = which("go");
    if (!go) return undefined;
    const r = spawnSync(go, ["env", "GOVERSION"], { encoding: "utf8", env: { ...process.env, GOTOOLCHAIN: "local" } });
    const v = (r.stdout || "").trim().replace(/^go/, "");
    const required = /^go (\S+)/m.exec(fs.readFileSync(path.join(ENGINE_MODULE_DIR, "go.mod"), "utf8"))[1];
    return compareVersions(v, required) >= 0 ? go : undefined;
}

/** Builds the CLI from the Go module proxy through tools/pulumi-engine, showing progress. */
async function buildFromGo(go, outDir) {
    const out = path.join(outDir, "pulumi");
    const tmpOut = `${out}.${process.pid}.tmp`;
    const started = Date.now();
    log(
        `building the Pulumi CLI v${PULUMI_VERSION} from the Go module proxy (first time on this machine only; ~4 min on 2 cores, ~3 GB of Go caches)`,
    );
    const args = [
        "build",
        "-trimpath",
        "-tags",
        "osusergo,grpcnotrace",
        "-ldflags",
        `-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}`,
        "-o",
        tmpOut,
        "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    ];
    const child = spawn(go, args, {
        cwd: ENGINE_MODULE_DIR,
        env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
        stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
        stderr += d.toString();
    });
    const ticker = setInterval(
        () => log(`  still building the Pulumi CLI (${Math.round((Date.now() - started) / 1000)} s)`),
        20000,
    );
    const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
    clearInterval(ticker);
    if (code !== 0) {
        throw new Error(`go build of the Pulumi CLI failed (exit ${code}):\n${stderr.slice(-4000)}`);
    }
    fs.renameSync(tmpOut, out);
    log(`built the Pulumi CLI in ${Math.round((Date.now() - started) / 1000)} s`);
    return out;
}

/** Pulumi's official archive, for machines that have neither Go nor a pulumi binary but do have the web. */
async function downloadOfficial(outDir) {
    const platform = { linux: "linux", darwin: "darwin" }[process.platform];
    const arch = { x64: "x64", arm64: "arm64" }[process.arch];
    if (!platform || !arch) throw new Error(`no official Pulumi archive for ${process.platform}/${process.arch}`);
    const url = `https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-${platform}-${arch}.tar.gz`;
    log(`downloading ${url}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(120000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
    const tgz = path.join(outDir, "pulumi.tgz");
    fs.writeFileSync(tgz, Buffer.from(await res.arrayBuffer()));
    const r = spawnSync("tar", ["-xzf", tgz, "--strip-components=1", "-C", outDir], { stdio: "inherit" });
    fs.rmSync(tgz, { force: true });
    if (r.status !== 0) throw new Error("could not unpack the Pulumi archive");
    return path.join(outDir, "pulumi");
}

/**
 * Resolves the engine: a recent `pulumi` on PATH, else the cached build, else a Go build, else
 * the official download. Writes .pulumi-home/engine.json and returns its record.
 */
async function ensureEngine() {
    fs.mkdirSync(PROJECT_HOME, { recursive: true });
    const versionDir = path.join(cacheRoot(), `pulumi-v${PULUMI_VERSION}`);
    const binDir = path.join(versionDir, "bin");
    let record;

    const onPath = process.env.QLIK_FLEET_IGNORE_PATH_PULUMI ? undefined : which("pulumi");
    const pathVersion = onPath ? binaryVersion(onPath) : undefined;
    if (
        onPath &&
        pathVersion &&
        compareVersions(pathVersion, MIN_PATH_VERSION) >= 0 &&
        fs.realpathSync(path.dirname(onPath)) !== fs.realpathSync(binDir)
    ) {
        // A real install brings its own language host; ours is only added if it lacks one.
        const realDir = path.dirname(fs.realpathSync(onPath));
        const hasHost = fs.existsSync(path.join(realDir, "pulumi-language-nodejs"));
        const shimDir = path.join(cacheRoot(), "plugin-shims");
        installPluginShims(shimDir, !hasHost);
        record = { source: "path", pulumi: onPath, version: pathVersion, pathDirs: [shimDir] };
    } else {
        fs.mkdirSync(binDir, { recursive: true });
        let cli = path.join(binDir, "pulumi");
        let source = "cache";
        if (!fs.existsSync(cli) || binaryVersion(cli) !== PULUMI_VERSION) {
            const go = goVersionOk();
            if (go) {
                cli = await buildFromGo(go, binDir);
                source = "go-build";
            } else {
                try {
                    cli = await downloadOfficial(binDir);
                    source = "download";
                } catch (err) {
                    throw new Error(
                        "No Pulumi engine available. Install ONE of:\n" +
                            `  - Go >= the version in tools/pulumi-engine/go.mod (then re-run \`npm run setup\`; it builds Pulumi v${PULUMI_VERSION}), or\n` +
                            `  - the Pulumi CLI >= ${MIN_PATH_VERSION} on PATH (https://www.pulumi.com/docs/install/).\n` +
                            `(The download of the official archive failed: ${err.message})`,
                    );
                }
            }
        } else {
            log(`Pulumi CLI v${PULUMI_VERSION} found in the cache (${binDir})`);
        }
        const hasHost = source === "download";
        installPluginShims(binDir, !hasHost);
        record = { source, pulumi: cli, version: PULUMI_VERSION, pathDirs: [binDir] };
    }
    record.node = process.execPath;
    record.nodeVersion = process.version;
    fs.writeFileSync(ENGINE_RECORD, JSON.stringify(record, null, 2));
    return record;
}

function readEngineRecord() {
    try {
        return JSON.parse(fs.readFileSync(ENGINE_RECORD, "utf8"));
    } catch {
        return undefined;
    }
}

/**
 * The environment every Pulumi command of this project runs with: local file backend, no update
 * checks, no plugin downloads, a per-project PULUMI_HOME, and the demo passphrase only when the
 * user has not chosen one. Callers (tests) can override backend and home for throw-away stacks.
 */
function pulumiEnv(record, overrides = {}) {
    const env = { ...process.env };
    const backendDir = overrides.backendDir || path.join(REPO_ROOT, ".pulumi-state");
    fs.mkdirSync(backendDir, { recursive: true });
    if (overrides.backendDir || !env.PULUMI_BACKEND_URL) env.PULUMI_BACKEND_URL = `file://${backendDir}`;
    env.PULUMI_HOME = overrides.home || env.PULUMI_HOME_OVERRIDE || PROJECT_HOME;
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    env.PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS = env.PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS || "true";
    // The DIY backends (file, PostgreSQL, S3...) rewrite the whole checkpoint after every step: gzip stores
    // about a fifth of the bytes (docs/state-size.md). Pulumi reads plain and compressed checkpoints alike
    // and replaces a plain one on its next write (pkg/backend/diy/state.go, saveCheckpoint). A user's own
    // choice wins, zstd included (Pulumi refuses both at once).
    const compressionChosen = [
        "PULUMI_DIY_BACKEND_GZIP",
        "PULUMI_SELF_MANAGED_STATE_GZIP",
        "PULUMI_DIY_BACKEND_ZSTD",
        "PULUMI_SELF_MANAGED_STATE_ZSTD",
    ].some((name) => env[name] !== undefined && env[name] !== "");
    if (!compressionChosen) env.PULUMI_DIY_BACKEND_GZIP = "true";
    // The PostgreSQL DIY backend opens at most 2 x GOMAXPROCS connections (backend/diy/postgres/bucket.go), and
    // each of the DIY backend's stack-listing workers (PULUMI_DIY_BACKEND_PARALLEL, default 10) holds one open
    // cursor while it asks for another: on 2 cores (4 connections) `pulumi stack ls` (also `stack select` of the
    // Automation API) waited forever once the project had 4 stacks (docs/state-backends.md#listing-stacks). Fewer
    // workers than connections avoids it; measured with 40 stacks: 0.4 s with 3 workers, a hang with 10.
    if (!env.PULUMI_DIY_BACKEND_PARALLEL) {
        const procs = Number(env.GOMAXPROCS) > 0 ? Number(env.GOMAXPROCS) : os.availableParallelism();
        env.PULUMI_DIY_BACKEND_PARALLEL = String(Math.max(1, Math.min(10, 2 * procs - 1)));
    }
    if (env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
        env.PULUMI_CONFIG_PASSPHRASE = DEMO_PASSPHRASE;
    }
    const dirs = [...record.pathDirs, path.dirname(record.pulumi), path.dirname(record.node || process.execPath)];
    env.PATH = [...new Set(dirs), env.PATH || ""].join(path.delimiter);
    return env;
}

/** A short fingerprint of a file, to tell whether node_modules matches package-lock.json. */
function fileHash(file) {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16);
}

module.exports = {
    REPO_ROOT,
    PULUMI_VERSION,
    DEMO_PASSPHRASE,
    ensureEngine,
    readEngineRecord,
    pulumiEnv,
    fileHash,
    log,
    cacheRoot,
};
