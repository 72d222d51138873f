// The PostgreSQL server binaries that the tests of the PostgreSQL state backend start (issue 11;
// docs/state-backends.md says why a real server and not PGlite). Found where Debian's `postgresql`
// package puts them, else installed once with apt-get, so a second call is a directory lookup.
// Only the binaries are needed: tests run initdb and postgres themselves into a temp folder, so the
// install must not create or start the system cluster (createcluster.conf, below).
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync, spawnSync } = require("child_process");

const NEEDED = ["initdb", "postgres"];

function hasServer(dir) {
    return NEEDED.every((b) => fs.existsSync(path.join(dir, b)));
}

/** Debian/Ubuntu keep each major version in /usr/lib/postgresql/<major>/bin; the newest wins. */
function debianBinDirs() {
    const root = "/usr/lib/postgresql";
    let majors = [];
    try {
        majors = fs.readdirSync(root).filter((v) => /^\d+$/.test(v));
    } catch {
        return [];
    }
    return majors.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(root, v, "bin"));
}

/** The folder holding initdb and postgres, or undefined. QTF_PG_BINDIR overrides the search. */
function findPostgresBinDir() {
    const candidates = [
        process.env.QTF_PG_BINDIR,
        ...debianBinDirs(),
        ...(process.env.PATH || "").split(path.delimiter),
    ].filter(Boolean);
    return candidates.find(hasServer);
}

function isRoot() {
    return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Debian's postgresql-common creates and starts a cluster `main` when the server package is
 * installed, unless /etc/postgresql-common/createcluster.conf says `create_main_cluster = false`
 * (postgresql-common's createcluster.conf(5)). The tests need the binaries only, so the file is
 * written before the install, and only when it does not exist (a user's own choice is kept).
 */
function keepAptFromCreatingACluster() {
    const conf = "/etc/postgresql-common/createcluster.conf";
    if (fs.existsSync(conf)) return;
    fs.mkdirSync(path.dirname(conf), { recursive: true });
    fs.writeFileSync(
        conf,
        "# written by qlik-tenant-fleet scripts/lib/postgres.js: binaries only\ncreate_main_cluster = false\n",
    );
}

function installWithApt(log) {
    const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" });
    if (apt.status !== 0 || !isRoot()) return false;
    keepAptFromCreatingACluster();
    log("installing Debian's postgresql package (binaries only, no cluster is started)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () =>
        execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], {
            env,
            stdio: ["ignore", "ignore", "pipe"],
        });
    try {
        install();
    } catch {
        // a fresh machine has no package lists yet
        execFileSync("apt-get", ["update"], { env, stdio: ["ignore", "ignore", "pipe"] });
        install();
    }
    return true;
}

/**
 * The PostgreSQL server binaries: `{ binDir, version }`. With `install: true` a missing server is
 * installed through apt-get when this runs as root on Debian/Ubuntu; otherwise the error says what
 * to install. Idempotent: when the binaries are there, nothing is run but `postgres --version`.
 */
function ensurePostgres({ install = false, log = () => {} } = {}) {
    let binDir = findPostgresBinDir();
    if (!binDir && install && installWithApt(log)) binDir = findPostgresBinDir();
    if (!binDir) {
        throw new Error(
            "PostgreSQL server binaries (initdb, postgres) not found. FIX: install them, e.g. " +
                "`sudo apt-get install -y postgresql` on Debian/Ubuntu (no cluster needs to run), " +
                "or set QTF_PG_BINDIR to the folder that holds initdb and postgres.",
        );
    }
    const version = execFileSync(path.join(binDir, "postgres"), ["--version"], { encoding: "utf8" }).trim();
    return { binDir, version };
}

/**
 * initdb and postgres refuse to run as root. When the caller is root the server runs as the
 * `postgres` account the Debian package creates, else as `nobody`; otherwise as the caller.
 */
function serverAccount() {
    if (!isRoot()) return undefined;
    for (const name of ["postgres", "nobody"]) {
        const r = spawnSync("id", ["-u", name], { encoding: "utf8" });
        const g = spawnSync("id", ["-g", name], { encoding: "utf8" });
        if (r.status === 0 && g.status === 0) return { name, uid: Number(r.stdout), gid: Number(g.stdout) };
    }
    throw new Error("running as root and no `postgres` or `nobody` account exists to run the PostgreSQL server");
}

module.exports = { ensurePostgres, findPostgresBinDir, serverAccount };
