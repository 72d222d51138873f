// The demo's background emulator (npm start, step 2): start it detached, reuse the running one, recover from a
// stale emulator.json, stop it, and let one `npm start` at a time run per data folder (emulator/dataDirLock.ts).
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import type { EmulatorInfo } from "../../emulator/index";
import { REPO_ROOT as ROOT } from "../lib/repo";
import { freePort, portFree } from "../lib/freePort";
import { lockHolder, tryLockPidFile } from "../../emulator/dataDirLock";

/** The emulator's data folder: QLIK_EMULATOR_DATA_DIR, default .emulator. */
export const EMU_DIR = path.resolve(ROOT, process.env.QLIK_EMULATOR_DATA_DIR || ".emulator");
const INFO_FILE = path.join(EMU_DIR, "emulator.json");
/** Remembers the port chosen with --port / QLIK_EMULATOR_PORT for the next start. */
const PORT_FILE = "emulator.port";

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function readInfo(file = INFO_FILE): EmulatorInfo | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorInfo;
    } catch {
        return undefined;
    }
}

/** The emulator described by emulator.json answers, and is the same one (same source tenant). */
export async function probe(emu: EmulatorInfo, timeoutMs = 2000): Promise<boolean> {
    try {
        const res = await fetch(`${emu.adminUrl}/info`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return false;
        const live = (await res.json()) as EmulatorInfo;
        return live.sourceTenant?.id === emu.sourceTenant.id;
    } catch {
        return false;
    }
}

export interface EnsureEmulatorOptions {
    dataDir?: string;
    profile?: "instant" | "realistic";
    /** An explicit port (--port / QLIK_EMULATOR_PORT): used, remembered, and an error when busy. */
    port?: number;
    /** Any free port instead of the remembered one or 8080 (tests, which run next to other tests). */
    anyPort?: boolean;
    timeoutMs?: number;
    log?: (msg: string) => void;
}

function rememberedPort(dir: string): number | undefined {
    try {
        const n = Number(fs.readFileSync(path.join(dir, PORT_FILE), "utf8").trim());
        return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
    } catch {
        return undefined;
    }
}

/** Waits for the emulator of process `pid` in dir to answer; undefined when that process is gone. */
async function waitForEmulator(dir: string, pid: number, deadline: number): Promise<EmulatorInfo | undefined> {
    const infoFile = path.join(dir, "emulator.json");
    for (;;) {
        const cur = readInfo(infoFile);
        if (cur && cur.pid === pid && (await probe(cur))) return cur;
        if (!alive(pid)) return undefined;
        if (Date.now() > deadline)
            throw new Error(`the emulator (pid ${pid}) did not answer in time; see ${path.join(dir, "emulator.log")}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

/**
 * Reuses the emulator of dataDir when it runs, else starts one detached (it outlives this script). The
 * emulator holds a lock on its data folder, so when another start won the race this one reuses the winner.
 */
export async function ensureEmulator(
    opts: EnsureEmulatorOptions = {},
): Promise<{ info: EmulatorInfo; started: boolean; pid: number }> {
    const dir = path.resolve(opts.dataDir ?? EMU_DIR);
    const infoFile = path.join(dir, "emulator.json");
    const log = opts.log ?? (() => undefined);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const portOf = (i: EmulatorInfo) => Number(new URL(i.httpUrl).port);
    const reuse = (i: EmulatorInfo) => {
        if (opts.port && portOf(i) !== opts.port) {
            throw new Error(
                `the emulator of ${dir} already runs on port ${portOf(i)} (pid ${i.pid}), not ${opts.port}; ` +
                    "stop it first (`npm run emulator:stop`) to move it, or drop --port / QLIK_EMULATOR_PORT to reuse it",
            );
        }
        return { info: i, started: false, pid: i.pid };
    };
    const holder = lockHolder(dir);
    if (holder !== undefined) {
        const running = await waitForEmulator(dir, holder, deadline);
        if (running) return reuse(running);
    }
    const previous = readInfo(infoFile);
    if (previous && alive(previous.pid) && (await probe(previous))) return reuse(previous);
    if (previous) {
        if (alive(previous.pid) && previous.pid !== holder)
            throw new Error(
                `process ${previous.pid} of ${infoFile} is alive but its emulator does not answer at ${previous.httpUrl}; stop it first`,
            );
        fs.rmSync(infoFile, { force: true }); // left by a crash or kill -9
    }
    fs.mkdirSync(dir, { recursive: true });
    let port: number;
    if (opts.port) {
        if (!(await portFree(opts.port)))
            throw new Error(
                `port ${opts.port} (--port / QLIK_EMULATOR_PORT) is in use by another program; choose another port`,
            );
        port = opts.port;
        fs.writeFileSync(path.join(dir, PORT_FILE), `${port}\n`);
    } else {
        // The remembered port, else 8080, else any free one: URLs in notes and shell history keep working.
        const lastPort = rememberedPort(dir) ?? (previous ? portOf(previous) : 0);
        port = await freePort(opts.anyPort ? [] : [lastPort, 8080]);
    }
    const out = fs.openSync(path.join(dir, "emulator.log"), "a");
    const child = spawn(
        process.execPath,
        [
            path.join(ROOT, "dist", "emulator", "cli.js"),
            "--port",
            String(port),
            "--data-dir",
            dir,
            "--profile",
            opts.profile ?? "realistic",
        ],
        { cwd: ROOT, detached: true, stdio: ["ignore", out, out] },
    );
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error("could not start the emulator process");
    child.unref();
    log(`starting the emulator (pid ${pid}, port ${port}, log ${path.join(dir, "emulator.log")})`);
    const mine = await waitForEmulator(dir, pid, deadline);
    if (mine) {
        fs.writeFileSync(path.join(dir, "emulator.pid"), `${pid}\n`);
        return { info: mine, started: true, pid };
    }
    // It exited: when another emulator took the folder's lock meanwhile, that one is THE emulator.
    const winner = lockHolder(dir);
    if (winner !== undefined) {
        const running = await waitForEmulator(dir, winner, deadline);
        if (running) return reuse(running);
    }
    throw new Error(`the emulator exited during start-up; see ${path.join(dir, "emulator.log")}`);
}

export type StopResult = "stopped" | "not-running" | "still-running";

/** Is pid an emulator process (and not some other program that got a recycled pid)? */
function isEmulatorProcess(pid: number): boolean {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path.join("emulator", "cli.js"));
    } catch {
        return alive(pid); // no /proc (macOS): trust the pid files
    }
}

/** Stops the emulator of dir (SIGTERM: it closes cleanly and removes emulator.json) and says what really happened. */
export async function stopEmulator(dir = EMU_DIR): Promise<StopResult> {
    const read = (f: string) => {
        try {
            return Number(fs.readFileSync(path.join(dir, f), "utf8").trim()) || undefined;
        } catch {
            return undefined;
        }
    };
    const candidates = [lockHolder(dir), read("emulator.pid"), readInfo(path.join(dir, "emulator.json"))?.pid].filter(
        (p): p is number => p !== undefined && alive(p) && isEmulatorProcess(p),
    );
    const pids = [...new Set(candidates)];
    if (pids.length === 0) {
        fs.rmSync(path.join(dir, "emulator.pid"), { force: true });
        return "not-running";
    }
    for (const pid of pids) process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (pids.some(alive)) return "still-running";
    fs.rmSync(path.join(dir, "emulator.pid"), { force: true });
    return "stopped";
}

// ---------------------------------------------------------------------------------------------- one start at a time

/**
 * Runs fn while holding <dir>/start.lock: a second `npm start` waits for the first (the same stack, the
 * same master database and the same emulator), then finds everything in place and changes nothing.
 */
export async function withStartLock<T>(
    dir: string,
    fn: () => Promise<T>,
    log: (m: string) => void = () => undefined,
    timeoutMs = 30 * 60_000,
): Promise<T> {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "start.lock");
    const deadline = Date.now() + timeoutMs;
    let told = false;
    let release = tryLockPidFile(file);
    while (typeof release !== "function") {
        if (!told) {
            log(`another npm start (pid ${release.holder}) is running on ${dir}; waiting for it to finish`);
            told = true;
        }
        if (Date.now() > deadline) throw new Error(`another npm start (pid ${release.holder}) still holds ${file}`);
        await new Promise((r) => setTimeout(r, 500));
        release = tryLockPidFile(file);
    }
    try {
        return await fn();
    } finally {
        release();
    }
}
