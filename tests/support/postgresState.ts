// A real PostgreSQL server for the PostgreSQL state backend tests (issue 11). Not PGlite: Pulumi's
// backend opens a pool of connections (lib/pq), and pglite-socket 0.1.6 serves them all from one
// PGlite session, so two CLIs at once corrupt each other's protocol stream (docs/state-backends.md).
// Each call makes a throw-away cluster (initdb, ~1 s) in a temp folder on a free loopback port and
// stops and deletes it in stop(); the server runs as a non-root account when the caller is root.
import * as fs from "fs";
import { freePort } from "../../scripts/lib/freePort";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import { Client } from "pg";
import { REPO_ROOT } from "../../scripts/lib/repo";

interface PostgresLib {
    ensurePostgres(opts?: { install?: boolean; log?: (m: string) => void }): { binDir: string; version: string };
    serverAccount(): { name: string; uid: number; gid: number } | undefined;
}
// plain JS, so that scripts/setup.js can call it before the build exists
const pgLib: PostgresLib = require(path.join(REPO_ROOT, "scripts", "lib", "postgres.js"));

export interface StatePostgres {
    /** For `pulumi login` / PULUMI_BACKEND_URL: no password in it (it comes from PGPASSWORD, see env). */
    backendUrl: string;
    /** PGPASSWORD for every process that talks to the server; lib/pq reads it (Pulumi's postgres README). */
    env: NodeJS.ProcessEnv;
    password: string;
    port: number;
    version: string;
    query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
    stop(): Promise<void>;
}

const USER = "fleet";
const DATABASE = "postgres";

function exited(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("exit", () => resolve());
    });
}

async function waitReady(child: ChildProcess, port: number, password: string, deadlineMs: number): Promise<boolean> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) return false;
        const c = new Client({ host: "127.0.0.1", port, user: USER, password, database: DATABASE });
        try {
            await c.connect();
            await c.query("SELECT 1");
            await c.end();
            return true;
        } catch {
            await c.end().catch(() => undefined);
            await new Promise((r) => setTimeout(r, 200));
        }
    }
    return false;
}

/** Starts a fresh PostgreSQL cluster; fails with the server log when it cannot. */
export async function startStatePostgres(): Promise<StatePostgres> {
    const { binDir, version } = pgLib.ensurePostgres({ install: true });
    const account = pgLib.serverAccount();
    const ids = account ? { uid: account.uid, gid: account.gid } : {};
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-pgstate-"));
    if (account) fs.chownSync(dir, account.uid, account.gid);
    const password = randomBytes(18).toString("base64url");
    const pwfile = path.join(dir, "pw");
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (account) fs.chownSync(pwfile, account.uid, account.gid);
    const data = path.join(dir, "data");
    // --no-sync and fsync=off: a throw-away cluster, durability across power loss is not under test.
    const init = spawnSync(
        path.join(binDir, "initdb"),
        ["-D", data, "-U", USER, `--pwfile=${pwfile}`, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
        { ...ids, encoding: "utf8" },
    );
    fs.rmSync(pwfile, { force: true });
    if (init.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`initdb failed (${init.status}):\n${init.stderr}`);
    }
    const logFile = path.join(dir, "server.log");
    let child: ChildProcess | undefined;
    let port = 0;
    // A free port can be taken between the probe and postgres binding it: try again with another.
    for (let attempt = 0; attempt < 3 && !child; attempt++) {
        port = await freePort();
        const log = fs.openSync(logFile, "a");
        const c = spawn(
            path.join(binDir, "postgres"),
            ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir]
                .concat(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
                .concat(["-c", "max_connections=200"]),
            { ...ids, stdio: ["ignore", log, log] },
        );
        fs.closeSync(log);
        if (await waitReady(c, port, password, 60_000)) child = c;
        else {
            c.kill("SIGKILL");
            await exited(c);
        }
    }
    if (!child) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-3000) : "";
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL (${version}) did not start:\n${log}`);
    }
    const server = child;
    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
        const c = new Client({ host: "127.0.0.1", port, user: USER, password, database: DATABASE });
        await c.connect();
        try {
            return (await c.query(sql, params)).rows as T[];
        } finally {
            await c.end();
        }
    };
    return {
        backendUrl: `postgres://${USER}@127.0.0.1:${port}/${DATABASE}?sslmode=disable`,
        env: { PGPASSWORD: password },
        password,
        port,
        version,
        query,
        stop: async () => {
            // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, the server exits.
            server.kill("SIGINT");
            const timer = setTimeout(() => server.kill("SIGKILL"), 30_000);
            await exited(server);
            clearTimeout(timer);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
