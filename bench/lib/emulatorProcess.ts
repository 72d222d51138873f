// The emulator as a separate process, as a user runs it (`node dist/emulator/cli.js ... --quiet`), so
// its CPU and memory are not mixed with the benchmark's own and its pid can be measured apart.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import type { EmulatorInfo } from "../../emulator/index";
import type { LoggedRequest } from "../../emulator/core/requestLog";
import { request } from "./http";

export interface EmulatorProcess {
    info: EmulatorInfo;
    dataDir: string;
    pid: number;
    /** Every request logged after `since` (admin calls excluded by the emulator). */
    requests(since?: number): Promise<LoggedRequest[]>;
    /** Highest sequence number logged so far (0 when empty). */
    lastSeq(): Promise<number>;
    stop(): Promise<void>;
}

export interface SpawnOptions {
    repoRoot: string;
    profile?: "instant" | "realistic";
    /** Kept after stop when given; otherwise a temp dir that is removed. */
    dataDir?: string;
    extraArgs?: string[];
}

export async function spawnEmulator(o: SpawnOptions): Promise<EmulatorProcess> {
    const cli = path.join(o.repoRoot, "dist", "emulator", "cli.js");
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
    const ownDir = !o.dataDir;
    const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "qtf-bench-emu-"));
    const infoFile = path.join(dataDir, "emulator.json");
    fs.rmSync(infoFile, { force: true });
    const args = [
        cli,
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--profile",
        o.profile ?? "realistic",
        "--quiet",
        ...(o.extraArgs ?? []),
    ];
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d) => {
        stderr = (stderr + String(d)).slice(-4000);
    });
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));

    const info = await waitForInfo(infoFile, child, () => stderr, 30_000);
    const admin = (p: string) => request(info.httpUrl, p, { host: "127.0.0.1" });
    const requests = async (since = 0): Promise<LoggedRequest[]> => {
        const r = await admin(`/_emulator/requests?since=${since}`);
        if (r.status !== 200) throw new Error(`GET /_emulator/requests: ${r.status}`);
        return r.json<{ data: LoggedRequest[] }>().data;
    };
    return {
        info,
        dataDir,
        pid: child.pid ?? -1,
        requests,
        async lastSeq() {
            const all = await requests(0);
            return all.length ? all[all.length - 1].seq : 0;
        },
        async stop() {
            if (child.exitCode === null) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
                await exited;
                clearTimeout(timer);
            }
            if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
        },
    };
}

async function waitForInfo(
    file: string,
    child: ChildProcess,
    stderr: () => string,
    timeoutMs: number,
): Promise<EmulatorInfo> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`the emulator exited with ${child.exitCode}: ${stderr()}`);
        if (fs.existsSync(file)) {
            try {
                return JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorInfo;
            } catch {
                // written but not complete yet
            }
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error(`the emulator did not write ${file} within ${timeoutMs} ms: ${stderr()}`);
}
