// One emulator per data folder. Two emulators on one folder share one SQLite store and overwrite each
// other's emulator.json, so `npm start`, the stack config and emulator:stop end up pointing at different
// processes (two parallel `npm start` on a fresh clone did exactly that). The lock is a file created with
// O_EXCL holding the owner's pid; a lock whose pid is gone (kill -9, crash) is taken over.
import * as fs from "fs";
import * as path from "path";

const LOCK_FILE = "emulator.lock";

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The pid holding the data folder's lock, if that process is alive. */
export function lockHolder(dataDir: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(path.join(dataDir, LOCK_FILE), "utf8").trim());
        return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
    } catch {
        return undefined;
    }
}

export class DataDirLocked extends Error {
    constructor(
        readonly dataDir: string,
        readonly pid: number,
    ) {
        super(
            `another emulator (pid ${pid}) already runs on the data folder ${dataDir} (see ${path.join(dataDir, "emulator.json")}); ` +
                "use it, stop it with `npm run emulator:stop` (or kill " +
                pid +
                "), or start this one with another --data-dir",
        );
        this.name = "DataDirLocked";
    }
}

/**
 * One try at a pid lock file: creates it with O_EXCL and returns its release function, or returns the
 * live pid that holds it. A file whose pid is gone (kill -9, crash) is taken over; it is removed only
 * while it still holds that same stale pid, so two takers of one stale lock never remove each other's.
 */
export function tryLockPidFile(file: string, pid = process.pid): (() => void) | { holder: number } {
    for (let attempt = 0; attempt < 5; attempt++) {
        try {
            fs.writeFileSync(file, `${pid}\n`, { flag: "wx" });
            return () => {
                try {
                    if (fs.readFileSync(file, "utf8").trim() === String(pid)) fs.rmSync(file, { force: true });
                } catch {
                    // already gone
                }
            };
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        let text = "";
        try {
            text = fs.readFileSync(file, "utf8").trim();
        } catch {
            continue; // released in between: try again
        }
        const holder = Number(text);
        if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) return { holder };
        try {
            if (fs.readFileSync(file, "utf8").trim() === text) fs.rmSync(file, { force: true });
        } catch {
            // gone already
        }
    }
    throw new Error(`could not take the lock ${file}; remove it if the process that made it is gone`);
}

/** Takes the data folder's lock for this process or throws DataDirLocked; returns the release function. */
export function lockDataDir(dataDir: string, pid = process.pid): () => void {
    fs.mkdirSync(dataDir, { recursive: true });
    const got = tryLockPidFile(path.join(dataDir, LOCK_FILE), pid);
    if (typeof got !== "function") throw new DataDirLocked(dataDir, got.holder);
    return got;
}
