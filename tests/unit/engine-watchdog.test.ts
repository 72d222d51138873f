// The engine watchdog the language host and the dynamic-provider launcher run (issue 14): it ends
// its process when the parent dies or the engine stops answering, and never while the engine lives.
import { expect } from "chai";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { REPO_ROOT } from "../../scripts/lib/repo";
import { alive, waitGone } from "../e2e/fixtures/processes";
import { holdsFor, waitFor } from "../support/wait";

const WATCHDOG = path.join(REPO_ROOT, "tools", "pulumi-language-nodejs", "qtf-engine-watchdog.js");
const GONE_EXIT_CODE = 7;

/** A node process that runs only the watchdog; it exits with GONE_EXIT_CODE when the watchdog fires. */
function watchedScript(engineAddress: string | undefined, parentMs: number, healthMs: number): string {
    return `
const { watchEngine } = require(${JSON.stringify(WATCHDOG)});
watchEngine({
    grpc: require(${JSON.stringify(require.resolve("@grpc/grpc-js"))}),
    engineAddress: ${JSON.stringify(engineAddress)},
    parentIntervalMs: ${parentMs},
    healthIntervalMs: ${healthMs},
    onGone: (reason) => { console.error("gone: " + reason); process.exit(${GONE_EXIT_CODE}); },
});
setInterval(() => {}, 1000); // a server would keep the process alive the same way
console.log(process.pid);
`;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** The child's exit code once it has exited; rejects at the deadline. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
    const code = () => (running(child) ? undefined : { code: child.exitCode });
    return waitFor(code, { timeoutMs, what: `pid ${child.pid} to exit` }).then((r) => r.code);
}

function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            if (out.includes("\n")) resolve(out.split("\n")[0].trim());
        });
        child.on("exit", () => reject(new Error(`exited before printing: ${out}`)));
    });
}

describe("engine watchdog (tools/pulumi-language-nodejs/qtf-engine-watchdog.js)", function () {
    this.timeout(60_000);
    const started: number[] = [];
    after(() => {
        for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
    });

    it("keeps a plugin alive while the engine answers, ends it once the engine is gone", async () => {
        // An engine with no health service answers UNIMPLEMENTED: alive all the same.
        const server = new grpc.Server();
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        const child = spawn(process.execPath, ["-e", watchedScript(`127.0.0.1:${port}`, 60_000, 100)], {
            stdio: ["ignore", "pipe", "inherit"],
        });
        started.push(child.pid!);
        await firstLine(child);
        // About 15 health checks against a live engine: none may end the process.
        await holdsFor(() => running(child), { forMs: 1500, what: "the plugin of a live engine" });
        server.forceShutdown();
        const t0 = Date.now();
        expect(await exitOf(child, 20_000)).to.equal(GONE_EXIT_CODE);
        console.log(
            `      exited ${Date.now() - t0} ms after the engine stopped (checks every 100 ms, two failures needed)`,
        );
    });

    it("ends a plugin whose parent was SIGKILLed", async () => {
        // parent: a node process that starts the watched plugin and prints its pid, then is killed.
        const parentScript = `
const { spawn } = require("child_process");
const c = spawn(process.execPath, ["-e", ${JSON.stringify(watchedScript(undefined, 100, 60_000))}], { stdio: ["ignore", "pipe", "inherit"] });
c.stdout.on("data", (d) => process.stdout.write(d));
`;
        const parent = spawn(process.execPath, ["-e", parentScript], { stdio: ["ignore", "pipe", "inherit"] });
        started.push(parent.pid!);
        const pluginPid = Number(await firstLine(parent));
        started.push(pluginPid);
        expect(alive(pluginPid)).to.equal(true);
        // About 5 parent checks (every 100 ms) while the parent lives: none may end the plugin.
        await holdsFor(() => alive(pluginPid), { forMs: 500, what: "the plugin while its parent lives" });
        const t0 = Date.now();
        parent.kill("SIGKILL");
        expect(await waitGone([pluginPid], 20_000), "plugin still running").to.deep.equal([]);
        console.log(`      exited ${Date.now() - t0} ms after its parent's SIGKILL (parent checked every 100 ms)`);
    });
});
