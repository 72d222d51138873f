// Pulumi's PostgreSQL state backend (pkg/backend/diy/postgres: one row per state "file" in table
// pulumi_state) with the real CLI, a real PostgreSQL server and the emulator (issue 11, part 3/4):
// two runners with their own PULUMI_HOME and work folder share one stack, and a second `up` while one
// runs fails with Pulumi's lock message and leaves the checkpoint valid. docs/state-backends.md.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { TempProject, type RunResult } from "./harness";
import { stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { step } from "../support/steps";
import { startStatePostgres, type StatePostgres } from "../support/postgresState";
import { checkpointText } from "../support/storedCheckpoint";

// QTF_GATE: tenant a's displayName resolves only once that file exists, so an update can be held
// open (with the stack lock taken) for exactly as long as the test needs, without a fixed sleep.
const PROGRAM = `
const fs = require("fs");
const { QlikTenant } = require("qlik-tenant-fleet");
const gate = process.env.QTF_GATE;
const opened = new Promise((resolve) => {
    const poll = () => (!gate || fs.existsSync(gate) ? resolve() : setTimeout(poll, 100));
    poll();
});
const label = process.env.QTF_LABEL || "One";
const a = new QlikTenant("a", { alias: "pgstate-a", displayName: opened.then(() => "Customer A " + label) });
const b = new QlikTenant("b", { alias: "pgstate-b", displayName: "Customer B" });
exports.hostnames = [a.hostname, b.hostname];
`;
const STACK = "shard-0";
// The DIY backend prefixes every key with the URL's path, here the database name (observed: Pulumi 3.274).
const KEYS = "postgres/.pulumi";
// gzip: pulumiEnv sets PULUMI_DIY_BACKEND_GZIP (scripts/lib/engine.js, docs/state-size.md)
const CHECKPOINT_KEY = `${KEYS}/stacks/pgstate/${STACK}.json.gz`;
const LOCK_KEYS = `${KEYS}/locks/%`;

interface StoredResource {
    type: string;
    urn: string;
    outputs: Record<string, unknown>;
}
interface Row {
    key: string;
    data: { data: string };
}

describe("e2e: PostgreSQL state backend (pulumi login postgres://)", function () {
    this.timeout(600_000);
    let pg: StatePostgres;
    let emu: Awaited<ReturnType<typeof startTestEmulator>>;
    let runnerA: TempProject;
    let runnerB: TempProject;
    let hostnames: string[];
    const rows = async (like: string) =>
        pg.query<Row>("SELECT key, data FROM pulumi_state WHERE key LIKE $1 ORDER BY key", [like]);
    /** The checkpoint exactly as stored in PostgreSQL (the blob is base64 inside a JSON column). */
    const storedCheckpoint = async () => {
        const [row] = await rows(CHECKPOINT_KEY);
        return JSON.parse(checkpointText(Buffer.from(row.data.data, "base64")));
    };
    const resourcesOf = (checkpoint: { checkpoint: { latest: { resources?: StoredResource[] } } }) =>
        (checkpoint.checkpoint.latest.resources ?? []).filter((r) => r.type.endsWith(":QlikTenant"));
    const expectNoSecretIn = (r: RunResult) => expect(r.output).to.not.include(pg.password);

    before(async () => {
        [pg, emu] = await Promise.all([startStatePostgres(), startTestEmulator()]);
        // Runner A: CI style, the backend in PULUMI_BACKEND_URL, the password in PGPASSWORD.
        runnerA = new TempProject({
            name: "pgstate",
            program: PROGRAM,
            env: { ...pg.env, PULUMI_BACKEND_URL: pg.backendUrl },
        });
        const sc = stackConfigFor(emu);
        await runnerA.initStack(STACK, { ...sc.config, "qlik:allowTenantDeactivation": "true" }, sc.secrets);
        // Runner B: another "machine": its own work folder and PULUMI_HOME, logged in with `pulumi login`.
        // The stack's config file comes with the program (from git on a real runner).
        runnerB = new TempProject({ name: "pgstate", program: PROGRAM, env: { ...pg.env, PULUMI_BACKEND_URL: "" } });
        const configFile = `Pulumi.${STACK}.yaml`;
        fs.copyFileSync(path.join(runnerA.dir, configFile), path.join(runnerB.dir, configFile));
    });
    after(async () => {
        runnerA?.cleanup();
        runnerB?.cleanup();
        await emu?.close();
        await pg?.stop();
    });

    it("two runners share one stack in PostgreSQL, step by step (each on the stack the previous left)", async () => {
        await step("up stores the checkpoint as a row of pulumi_state; a preview then shows no changes", async () => {
            expectNoSecretIn(await runnerA.run(["up", "--yes"]));
            hostnames = JSON.parse((await runnerA.run(["stack", "output", "hostnames", "--json"])).stdout);
            expect(hostnames).to.have.length(2);
            expect(resourcesOf(await storedCheckpoint())).to.have.length(2);
            expectNoSecretIn(await runnerA.run(["preview", "--expect-no-changes"]));
        });

        await step("a second runner with its own PULUMI_HOME and work folder sees the same stack", async () => {
            const login = await runnerB.run(["login", pg.backendUrl]);
            expect(login.output).to.include(`127.0.0.1:${pg.port}`);
            expect(login.output).to.not.include(pg.password);
            expect(path.dirname(runnerB.dir)).to.not.equal(path.dirname(runnerA.dir));
            const ls = JSON.parse((await runnerB.run(["stack", "ls", "--json"])).stdout);
            expect(ls.map((s: { name: string }) => s.name)).to.include(STACK);
            await runnerB.run(["stack", "select", STACK]);
            expect(JSON.parse((await runnerB.run(["stack", "output", "hostnames", "--json"])).stdout)).to.deep.equal(
                hostnames,
            );
            await runnerB.run(["preview", "--expect-no-changes"]);
        });

        await step(
            "two ups at once on one stack: the second fails with Pulumi's lock message, the first completes",
            async () => {
                const gate = path.join(runnerA.root, "gate");
                const first = runnerA.run(["up", "--yes"], {
                    allowFailure: true,
                    env: { QTF_GATE: gate, QTF_LABEL: "Two" },
                });
                let second: RunResult;
                try {
                    // The first up holds the lock (a row under .pulumi/locks/) until the gate opens.
                    const deadline = Date.now() + 240_000;
                    while ((await rows(LOCK_KEYS)).length === 0) {
                        if (Date.now() > deadline) throw new Error("the first up never took the stack lock");
                        await new Promise((r) => setTimeout(r, 250));
                    }
                    second = await runnerB.run(["up", "--yes"], { allowFailure: true, env: { QTF_LABEL: "Three" } });
                } finally {
                    // opened and awaited whatever happened above: no up may outlive this test
                    fs.writeFileSync(gate, "open");
                    await first;
                }
                expect(second.code).to.not.equal(0);
                expect(second.output).to.include("the stack is currently locked by 1 lock(s)");
                expect(second.output).to.match(/created by \S+@\S+ \(pid \d+\)/);
                expectNoSecretIn(second);
                const done = await first;
                expect(done.code, done.output.slice(-3000)).to.equal(0);
                expectNoSecretIn(done);
                expect(await rows(LOCK_KEYS)).to.have.length(0);
                const tenantA = resourcesOf(await storedCheckpoint()).find((r) => r.urn.endsWith("::a"));
                expect(tenantA?.outputs.displayName).to.equal("Customer A Two");
                // Both runners agree with the stored checkpoint: nothing to do for the program the first one ran.
                await runnerB.run(["preview", "--expect-no-changes"], { env: { QTF_LABEL: "Two" } });
            },
        );

        await step("destroy from the second runner empties the stack, and stack rm removes its row", async () => {
            // --skip-preview where up/refresh/destroy's own preview is not checked: it costs as much as the step (docs/benchmark.md)
            await runnerB.run(["destroy", "--yes", "--skip-preview"], { env: { QTF_LABEL: "Two" } });
            expect(resourcesOf(await storedCheckpoint())).to.have.length(0);
            await runnerB.run(["stack", "rm", STACK, "--yes"]);
            expect(await rows(CHECKPOINT_KEY)).to.have.length(0);
            expect(await rows(LOCK_KEYS)).to.have.length(0);
        });
    });
});
