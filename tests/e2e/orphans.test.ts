// Issue 14: when the CLI is SIGKILLed in the middle of an `up` (a cancelled CI job, an OOM kill),
// its language host and dynamic-provider processes exit by themselves instead of living on under PID 1.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { TempProject } from "./harness";
import {
    descendants,
    isDynamicProvider,
    isLanguageHost,
    killGroup,
    killStill,
    startDetached,
    waitGone,
    type ProcInfo,
} from "./fixtures/processes";
import { waitFor } from "../support/wait";

/**
 * The bound the README's engine section promises. The plugins poll their parent pid every second;
 * the rest is slack for a machine busy with other test runs.
 */
const EXIT_BOUND_MS = 10_000;

// A dynamic resource whose create never finishes on its own: the kill always lands inside it.
const SLOW_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config();
const slow = {
    async create(inputs) {
        require("fs").writeFileSync(inputs.startedFile, String(process.pid));
        await new Promise((resolve) => setTimeout(resolve, 600000)); // the program under test, not a wait of the test
        return { id: "slow", outs: inputs };
    },
};
new pulumi.dynamic.Resource(slow, "slow", { startedFile: cfg.require("startedFile") });
`;

function waitForFile(file: string, timeoutMs: number): Promise<string> {
    const text = () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") || undefined : undefined);
    return waitFor(text, { timeoutMs, what: `${file} to be written` });
}

describe("e2e: no process left behind when the CLI is SIGKILLed during up (issue 14)", function () {
    this.timeout(300_000);
    let project: TempProject;
    before(async () => {
        project = new TempProject({ name: "orphans", program: SLOW_PROGRAM });
        await project.initStack("test", { startedFile: path.join(project.root, "create-started") });
    });
    after(() => project?.cleanup());

    it(`the language host and the dynamic provider exit within ${EXIT_BOUND_MS / 1000} s of the CLI`, async () => {
        const bg = startDetached(project, ["up", "--yes", "--skip-preview"]);
        let tree: ProcInfo[] = [];
        try {
            const providerPid = Number(await waitForFile(path.join(project.root, "create-started"), 180_000));
            tree = descendants(bg.pid).filter((p) => p.pid !== bg.pid);
            const hosts = tree.filter(isLanguageHost).map((p) => p.pid);
            const providers = tree.filter(isDynamicProvider).map((p) => p.pid);
            const described = tree.map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`).join("\n");
            expect(hosts, `the CLI's language host:\n${described}`).to.have.length(1);
            expect(providers, `the CLI's dynamic provider:\n${described}`).to.include(providerPid);

            const killedAt = Date.now();
            process.kill(bg.pid, "SIGKILL");
            await bg.done;
            const gone: Record<string, number> = {};
            const watch = async (what: string, pids: number[]) => {
                const left = await waitGone(pids, EXIT_BOUND_MS);
                if (left.length === 0) gone[what] = Date.now() - killedAt;
                return left;
            };
            const [hostLeft, providerLeft, otherLeft] = await Promise.all([
                watch("language host", hosts),
                watch("dynamic provider", providers),
                watch(
                    "every other process of the CLI",
                    tree.map((p) => p.pid).filter((pid) => !hosts.includes(pid) && !providers.includes(pid)),
                ),
            ]);
            console.log(
                `      exited after the CLI's SIGKILL: ${Object.entries(gone)
                    .map(([w, ms]) => `${w} in ${ms} ms`)
                    .join(", ")}`,
            );
            expect(hostLeft, "language host still running").to.deep.equal([]);
            expect(providerLeft, "dynamic provider still running").to.deep.equal([]);
            expect(otherLeft, `still running:\n${described}`).to.deep.equal([]);
        } finally {
            // Whatever this test orphaned, it ends: the CLI's group, and the plugins (own groups) seen before the kill.
            killGroup(bg.pid);
            killStill(tree);
        }
    });
});
