// Mocha runs without `--exit`: a server, socket, timer or child process a test leaves open keeps the mocha
// process alive after its last test, and scripts/test.js then ends it as a failure. Before it does, it sends
// SIGUSR2; this hook (loaded through .mocharc.json `require`) answers by printing what is still open, so the
// failure names the leak instead of only its symptom. (A signal listener does not keep Node's event loop alive.)
import type { ChildProcess } from "child_process";
import type { Server, Socket } from "net";

/** One line per open handle, with what identifies it (address, pid, command). */
export function describeOpenHandles(): string[] {
    // Node has no public API for the handles themselves; getActiveResourcesInfo() gives only their type names.
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
    return handles
        .filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin)
        .map((h) => {
            const name = (h as object).constructor?.name ?? typeof h;
            if (name === "Server") return `Server listening on ${JSON.stringify((h as Server).address())}`;
            if (name === "Socket") {
                const s = h as Socket;
                return `Socket ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}`;
            }
            if (name === "ChildProcess") {
                const c = h as ChildProcess;
                return `ChildProcess pid ${c.pid}: ${c.spawnargs.join(" ").slice(0, 200)}`;
            }
            return name;
        });
}

process.on("SIGUSR2", () => {
    const open = describeOpenHandles();
    const timers = process.getActiveResourcesInfo().filter((t) => t === "Timeout").length;
    process.stderr.write(
        `[open handles] ${open.length ? open.join("; ") : "none"}${timers ? `; ${timers} pending timer(s)` : ""}\n`,
    );
});
