// Issue 14, "the test suite leaves no process behind": a mocha root hook (loaded through
// .mocharc.json `require`, so it runs for `npm test` and for any single suite) that fails the run,
// naming pid and command line, when a process the run started is still alive at its end.
//
// Which processes belong to this run: the hook puts a unique QTF_TEST_RUN value in mocha's
// environment before any test starts. Every process a test starts inherits it (the pulumi CLI passes
// its environment on to its language host and provider plugins, and they to theirs), and
// /proc/<pid>/environ keeps it even after the process is orphaned, so a run never blames another
// run's processes, e.g. another developer's tests on the same machine.
import * as fs from "fs";
import { randomBytes } from "crypto";
import { waitFor } from "../support/wait";

const TAG = "QTF_TEST_RUN";
/** Pulumi's CLI and its plugins may still be closing down when the last test returns. */
const GRACE_MS = Number(process.env.QTF_LEFTOVER_GRACE_MS) || 15_000;

const runId = `${process.pid}-${randomBytes(6).toString("hex")}`;
process.env[TAG] = runId;

interface Leftover {
    pid: number;
    cmdline: string;
    cwd: string;
}

function ancestors(): Set<number> {
    const out = new Set<number>();
    for (let pid = process.pid; pid > 1 && !out.has(pid);) {
        out.add(pid);
        try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        } catch {
            break;
        }
    }
    return out;
}

/** Running (not zombie) processes that carry this run's tag, except mocha and its ancestors. */
export function leftoverProcesses(): Leftover[] {
    const mine = ancestors();
    const needle = Buffer.from(`\0${TAG}=${runId}\0`);
    const out: Leftover[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || mine.has(Number(entry))) continue;
        try {
            const environ = Buffer.concat([Buffer.from([0]), fs.readFileSync(`/proc/${entry}/environ`)]);
            if (!environ.includes(needle)) continue;
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
            let cwd = "?";
            try {
                cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
            } catch {
                // not ours to read; the command line says enough
            }
            const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
            out.push({ pid: Number(entry), cmdline, cwd });
        } catch {
            // exited while we looked, or not readable (another user's): not ours
        }
    }
    return out;
}

export const mochaHooks = {
    async afterAll(this: Mocha.Context) {
        this.timeout(GRACE_MS + 30_000);
        const none = () => leftoverProcesses().length === 0;
        if (await waitFor(none, { timeoutMs: GRACE_MS, pollMs: 250 }).catch(() => false)) return;
        const left = leftoverProcesses();
        if (left.length === 0) return;
        const list = left.map((p) => `  pid ${p.pid} (cwd ${p.cwd}): ${p.cmdline.slice(0, 300)}`).join("\n");
        // Report, then end them, so a failed run does not leave them on the machine either.
        for (const p of left) {
            try {
                process.kill(p.pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        throw new Error(
            `${left.length} process(es) started by this test run were still running ${GRACE_MS / 1000} s after the last test (now killed):\n${list}`,
        );
    },
};
