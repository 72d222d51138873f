// The root hook's detector (tests/hooks/no-leftover-processes.ts) sees a process this run started
// and left running, including one orphaned to PID 1, and nothing once it has ended.
import { expect } from "chai";
import { spawn } from "child_process";
import { leftoverProcesses } from "../hooks/no-leftover-processes";
import { waitGone } from "../e2e/fixtures/processes";

describe("no-leftover-processes hook: detector", () => {
    it("names an orphaned process of this run by pid and command line, and forgets it once it ended", async () => {
        // A middle process starts a long sleeper and exits at once: the sleeper is reparented, as a plugin would be.
        const middle = spawn(
            process.execPath,
            [
                "-e",
                `
const c = require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000) /* qtf-leftover-probe */"], { detached: true, stdio: "ignore" });
console.log(c.pid); c.unref();`,
            ],
            { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        middle.stdout!.on("data", (d) => (out += d));
        await new Promise((r) => middle.on("exit", r));
        const pid = Number(out.trim());
        try {
            const found = leftoverProcesses().find((p) => p.pid === pid);
            expect(found, "the orphaned sleeper is listed").to.not.equal(undefined);
            expect(found!.cmdline).to.include("qtf-leftover-probe");
        } finally {
            process.kill(pid, "SIGKILL");
        }
        expect(await waitGone([pid], 10_000)).to.deep.equal([]);
        expect(leftoverProcesses().map((p) => p.pid)).to.not.include(pid);
    });
});
