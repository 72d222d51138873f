// A sharded fleet run across "machines" (issue 11, docs/sharding.md): three shard runners, each a separate process
// with its own work folder (a checkout of the fleet project) and its own PULUMI_HOME, share one real PostgreSQL
// server that holds both the Pulumi state (pulumi_state rows, DIY backend) and the master database. Five customers
// with fleet:shardSize 2 make three shard stacks (dev, dev-1, dev-2). The runners run the steps of
// .github/workflows/qlik-fleet.yml as its matrix jobs would (plan, up per shard, preview per shard and the merged
// pull-request comment, the nightly drift alarm per shard); then a runner killed in the middle of `up`, and two
// runners on one shard.
import { expect } from "chai";
import { Client } from "pg";
import { step } from "../support/steps";
import { startStatePostgres, type StatePostgres } from "../support/postgresState";
import { ShardRunner, type RunnerResult } from "../support/shardRunners";
import { waitFor } from "../support/wait";
import { loadWorkflow, stepScript } from "../support/workflowSteps";
import { startTestEmulator, stackConfigFor } from "./emulatorFixture";
import { REPO_ROOT } from "./harness";
import { smallCustomer } from "./fleet-fixture";
import { EmulatorAdmin } from "./fixtures/fleet";
import { businessDbRelPath, registerRelease, seedPostgres, type DemoCustomer } from "../../scripts/seed";
import { ensureBusinessDb } from "../../scripts/seed/businessDb";
import { customerRows, insertSql } from "../../scripts/seed/customerRows";
import { placeTemplate, TEMPLATE_APP_NAME } from "../../scripts/template/place";
import { renameTenant } from "../../scripts/makeDrift";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const BASE = "dev";
const PASSPHRASE = "shard-runners-e2e-passphrase";

/** A small standard-plan customer of its own name (the demo has three; a shard test needs more). */
function customer(alias: string, i: number): DemoCustomer {
    const name = `Shard Customer ${alias}`;
    const group = `${alias} analysts`;
    return {
        ...smallCustomer("globex", 80 + 11 * i),
        id: `cust-s${String(i).padStart(2, "0")}`,
        name,
        alias,
        data: { seed: alias, orders: 80 + 11 * i, accounts: 8 },
        groups: [{ name: group }],
        users: [{ subject: `${alias}\\ann`, name: "Ann Example", email: `ann@${alias}.example`, groups: [group] }],
    };
}

const ALIASES = ["sha", "shb", "shc", "shd", "she"];
const SIXTH = "shf";

interface FleetJson {
    command: string;
    shards: { shard: number; stack: string; ok: boolean; customers: Record<string, unknown>; failure?: string }[];
    changedCustomers: string[];
    exitCode: number;
}
interface LayoutJson {
    base: string;
    shardSize: number;
    shards: { shard: number; stack: string; customers: string[] }[];
}

const json = <T>(r: RunnerResult): T => {
    try {
        return JSON.parse(r.stdout) as T;
    } catch {
        throw new Error(`not JSON on stdout (exit ${r.code}):\n${r.output.slice(-4000)}`);
    }
};
const ok = (r: RunnerResult, what: string) => expect(r.code, `${what}:\n${r.output.slice(-4000)}`).to.equal(0);

describe("e2e: a sharded fleet, one runner per shard, state in PostgreSQL", function () {
    this.timeout(900_000);
    let pg: StatePostgres;
    let emu: Awaited<ReturnType<typeof startTestEmulator>>;
    let admin: EmulatorAdmin;
    let dataDir: string;
    let masterUrl: string;
    const runners: ShardRunner[] = [];

    /** Live customer tenants in the emulator (the ISV's source tenant and deleted ones aside). */
    const liveTenants = async () => {
        const state = await admin.state();
        const source = emu.info.sourceTenant.id;
        return (state.tenants ?? []).filter((t) => t.id !== source && t.status !== "deleted");
    };
    /** The checkpoint rows of pulumi_state (plain or gzipped, docs/state-size.md): stack name -> last write. */
    const stackRows = async () =>
        new Map(
            (
                await pg.query<{ key: string; updated_at: Date }>(
                    "SELECT key, updated_at FROM pulumi_state WHERE key ~ '^postgres/\\.pulumi/stacks/fleet/[^/]+\\.json(\\.gz)?$'",
                )
            ).map((r) => [path.basename(r.key).replace(/\.json(\.gz)?$/, ""), r.updated_at.getTime()]),
        );
    const lockRows = async (stack: string) =>
        (
            await pg.query<{ key: string }>("SELECT key FROM pulumi_state WHERE key LIKE $1", [
                `postgres/.pulumi/locks/organization/fleet/${stack}/%`,
            ])
        ).map((r) => r.key);
    const noSecrets = (r: RunnerResult) => expect(r.output).to.not.include(pg.password);
    const wf = loadWorkflow();
    /** The files GitHub gives a step for its outputs and its summary. */
    const github = (r: ShardRunner) => ({
        GITHUB_OUTPUT: path.join(r.root, "github-output"),
        GITHUB_STEP_SUMMARY: path.join(r.root, "github-summary.md"),
    });
    /** Step `name` of `job` run by runner k as matrix job k. */
    const matrixStep = (job: string, name: (k: number) => string) => (r: ShardRunner, k: number) =>
        r.bash(stepScript(wf, job, name(k), { "matrix.shard": String(k) }), github(r));
    const report = (r: ShardRunner, k: number): FleetJson => {
        const text = r.read(`shard-${k}.json`);
        if (text === undefined) throw new Error(`runner ${r.name} wrote no shard-${k}.json`);
        return JSON.parse(text) as FleetJson;
    };

    before(async () => {
        [pg, emu] = await Promise.all([startStatePostgres(), startTestEmulator()]);
        admin = new EmulatorAdmin(emu);
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-shards-data-"));
        // The master database on the same server as the state, in a database of its own.
        await pg.query("CREATE DATABASE master");
        masterUrl = `postgres://fleet@127.0.0.1:${pg.port}/master`;
        const withPassword = masterUrl.replace("fleet@", `fleet:${encodeURIComponent(pg.password)}@`);
        const s = await seedPostgres(withPassword, { dataDir, customers: ALIASES.map(customer) });
        const template = await placeTemplate({ info: emu.info, sampleDb: s.sampleDb });
        await registerRelease(withPassword, { version: template.version, appName: TEMPLATE_APP_NAME });
        // Exactly the environment the workflow gives its jobs (the shared backend, the database password, the
        // stacks' passphrase): a variable the workflow adds that the test cannot fill fails here.
        const values: Record<string, string> = {
            PULUMI_STACK: BASE,
            PULUMI_BACKEND_URL: pg.backendUrl,
            PGPASSWORD: pg.password,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        };
        expect(Object.keys(wf.env).sort()).to.deep.equal(Object.keys(values).sort());
        const env = Object.fromEntries(Object.keys(wf.env).map((k) => [k, values[k]]));
        for (const name of ["r0", "r1", "r2"]) runners.push(new ShardRunner(name, env));
        const cfg = stackConfigFor(emu);
        const config = {
            ...cfg.config,
            "qlik:allowTenantDeactivation": "false",
            "fleet:masterDb": masterUrl,
            "fleet:templateAppId": template.appId,
            "fleet:templateVersion": template.version,
            "fleet:shardSize": "2",
        };
        const secrets = { ...cfg.secrets, "fleet:masterDbPassword": pg.password };
        // The base stack is made once, by the platform team; its Pulumi.dev.yaml is committed, so every runner's
        // checkout has it (secrets encrypted). Shard stacks are the orchestrator's business.
        await runners[0].pulumi(["stack", "init", BASE]);
        await runners[0].pulumi([
            "config",
            "set-all",
            ...Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
            ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]),
        ]);
        for (const r of runners.slice(1)) r.checkoutFrom(runners[0], [`Pulumi.${BASE}.yaml`]);
    });
    after(async () => {
        for (const r of runners) await r.close();
        await emu?.close();
        await pg?.stop();
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("the steps in order (each works on the fleet the previous ones left)", async () => {
        const [r0, r1, r2] = runners;

        await step(
            "the workflow's jobs each shard runs never cancel an up and never write state in drift",
            async () => {
                // One concurrency group per shard, shared by up and drift, never cancelling a run that started.
                for (const job of ["shard", "drift"]) {
                    expect(wf.jobs[job].concurrency?.group).to.match(/shard-\$\{\{ matrix.shard \}\}$/);
                    expect(wf.jobs[job].concurrency?.["cancel-in-progress"]).to.equal(false);
                    expect(wf.jobs[job].strategy?.["fail-fast"]).to.equal(false);
                }
                const alarm = stepScript(wf, "drift", "drift alarm, shard 0", { "matrix.shard": "0" });
                expect(alarm).to.match(/fleet -- drift /);
                expect(alarm).to.not.match(/--yes|fleet -- (up|refresh)/);
            },
        );

        await step(
            "five customers, shard size 2: the plan job finds three shards, each runner's job ups one",
            async () => {
                ok(await r0.bash(stepScript(wf, "plan", "shard layout"), github(r0)), "plan job");
                const layout = JSON.parse(r0.read("layout.json")!) as LayoutJson;
                expect(layout.shards.map((s) => [s.shard, s.stack, s.customers])).to.deep.equal([
                    [0, "dev", ["sha", "shb"]],
                    [1, "dev-1", ["shc", "shd"]],
                    [2, "dev-2", ["she"]],
                ]);
                const matrix = /^shards=(.*)$/m.exec(fs.readFileSync(github(r0).GITHUB_OUTPUT, "utf8"))?.[1];
                expect(matrix).to.equal("[0,1,2]");
                // Runners 1 and 2 have no file of their shard stack: the orchestrator creates the stack from the base.
                const up = matrixStep("shard", (k) => `up shard ${k}`);
                const ups = await Promise.all([r0, r1, r2].map(up));
                ups.forEach((r, k) => {
                    ok(r, `up of shard ${k}`);
                    noSecrets(r);
                    expect(report(runners[k], k).shards.map((s) => s.stack)).to.deep.equal([k ? `dev-${k}` : "dev"]);
                });
                expect(runners.map(report).map((r) => r.changedCustomers)).to.deep.equal([
                    ["sha", "shb"],
                    ["shc", "shd"],
                    ["she"],
                ]);
                expect((await liveTenants()).length).to.equal(5);
                expect([...(await stackRows()).keys()].sort()).to.deep.equal(["dev", "dev-1", "dev-2"]);
            },
        );

        await step(
            "tenants renamed by hand in shards 0 and 2: each shard's drift alarm, exit 2 there, 0 in shard 1",
            async () => {
                await renameTenant(emu.info, "sha", "sha (renamed by hand)");
                await renameTenant(emu.info, "she", "she (renamed by hand)");
                const rows = await stackRows();
                const alarms = await Promise.all(runners.map(matrixStep("drift", (k) => `drift alarm, shard ${k}`)));
                expect(
                    alarms.map((r) => r.code),
                    alarms.map((r) => r.output.slice(-1500)).join("\n---\n"),
                ).to.deep.equal([2, 0, 2]);
                expect(r0.read("drift.md")).to.match(/sha \(shard 0\): 1 to update/);
                expect(r2.read("drift.md")).to.match(/she \(shard 2\): 1 to update/);
                expect(r1.read("drift.md")).to.match(/no drift/);
                alarms.forEach(noSecrets);
                expect(await stackRows(), "drift is non-mutating").to.deep.equal(rows);
            },
        );

        await step("refresh and up repair both; a sixth customer then previews as one shard's creation", async () => {
            // Only the drifted shards, each by its own runner: the alarms named them, the others need no run.
            const repair = async (r: ShardRunner, k: number) => {
                const shard = ["--stack", BASE, "--shard", String(k), "--json"];
                ok(await r.fleet(["refresh", "--yes", ...shard]), `refresh of shard ${k}`);
                const up = await r.fleet(["up", "--yes", ...shard]);
                ok(up, `repairing up of shard ${k}`);
                return json<FleetJson>(up).changedCustomers;
            };
            expect(await Promise.all([repair(r0, 0), repair(r2, 2)])).to.deep.equal([["sha"], ["she"]]);
            const names = (await liveTenants()).map((t) => t.name as string);
            expect(names.filter((n) => /renamed by hand/.test(n))).to.deep.equal([]);

            await insertCustomer(customer(SIXTH, 6));
            // The pull-request workflow: every shard's preview job, then the report job's one comment.
            const previews = await Promise.all(runners.map(matrixStep("shard", (k) => `preview shard ${k}`)));
            previews.forEach((r, k) => ok(r, `preview of shard ${k}`));
            expect(runners.map(report).map((r) => r.changedCustomers)).to.deep.equal([[], [], [SIXTH]]);
            const merged = path.join(r0.root, "report");
            fs.mkdirSync(path.join(merged, "shards"), { recursive: true });
            fs.symlinkSync(path.join(REPO_ROOT, ".github"), path.join(merged, ".github"));
            runners.forEach((r, k) => {
                for (const ext of ["json", "md"])
                    fs.copyFileSync(
                        path.join(r.dir, `shard-${k}.${ext}`),
                        path.join(merged, "shards", `shard-${k}.${ext}`),
                    );
            });
            const script = stepScript(wf, "report", "merge the shard reports", {
                "needs.plan.outputs.shards": "[0,1,2]",
            });
            ok(await r0.bash(script, github(r0), { cwd: merged }), "report job");
            const body = fs.readFileSync(path.join(merged, "body.md"), "utf8");
            expect(body.split("\n")[0]).to.equal("<!-- qlik-fleet-plan -->");
            expect(body).to.include(`3 of 3 shards reported; 1 customer(s) change: ${SIXTH}; 0 shard(s) failed.`);
            expect(body.match(/^## fleet preview/gm)).to.have.length(3);
            expect(body).to.match(new RegExp(`${SIXTH} \\(shard 2\\): \\d+ to create`));
        });

        let staleLock: string[] = [];
        await step("runner 2 is killed (SIGKILL) in the middle of onboarding the sixth customer", async () => {
            const before = (await admin.requests()).at(-1)?.seq ?? 0;
            const running = r2.start(["up", "--yes", "--stack", BASE, "--shard", "2"]);
            // Killed right after Qlik created the tenant: the checkpoint may not know it yet.
            await waitFor(
                async () =>
                    (await admin.requests(before)).find(
                        (q) => q.method === "POST" && /^\/api\/v1\/tenants\/?$/.test(q.path) && q.status === 201,
                    ),
                { timeoutMs: 300_000, what: "the sixth customer's tenant creation" },
            );
            running.kill();
            const r = await running.done;
            expect(r.code, "killed").to.not.equal(0);
            staleLock = await lockRows("dev-2");
            expect(staleLock, "the killed run leaves its lock row").to.have.length(1);
        });

        await step(
            "dev-2 also locked by a runner on another machine: that shard fails naming it and the cancel, the others go on",
            async () => {
                // A second runner on the same shard from another host: its lock row as Pulumi writes one (the killed
                // run's, with the other host's name), since this test has one host. Its pid cannot be checked from
                // here, so no runner may remove it.
                const [row] = await pg.query<{ data: { data: string } }>(
                    "SELECT data FROM pulumi_state WHERE key = $1",
                    [staleLock[0]],
                );
                const lock = JSON.parse(Buffer.from(row.data.data, "base64").toString("utf8")) as Record<
                    string,
                    unknown
                >;
                expect(lock).to.have.property("hostname");
                const foreign = Buffer.from(JSON.stringify({ ...lock, hostname: "ci-runner-7" })).toString("base64");
                const foreignKey = path.join(path.dirname(staleLock[0]), `${randomUUID()}.json`);
                await pg.query("INSERT INTO pulumi_state(key, data) VALUES ($1, $2)", [foreignKey, { data: foreign }]);
                const rows = await stackRows();
                const r = await r1.fleet(["up", "--yes", "--json", "--stack", BASE, "--shard", "1", "--shard", "2"]);
                expect(r.code, r.output.slice(-4000)).to.equal(1);
                const report = json<FleetJson>(r);
                expect(report.shards.map((s) => [s.stack, s.ok])).to.deep.equal([
                    ["dev-1", true],
                    ["dev-2", false],
                ]);
                const failure = report.shards[1].failure ?? "";
                expect(failure).to.match(/stack dev-2 is currently locked by .*\S+@ci-runner-7 \(pid \d+\)/);
                expect(failure).to.match(/pulumi cancel --yes --stack dev-2/);
                noSecrets(r);
                expect((await stackRows()).get("dev-2"), "dev-2 untouched").to.equal(rows.get("dev-2"));
                // That runner ends (on its machine, its lock goes with it).
                await pg.query("DELETE FROM pulumi_state WHERE key = $1", [foreignKey]);
            },
        );

        await step("the killed runner's rerun removes its own stale lock and finishes the onboarding", async () => {
            const done = await r2.fleet(["up", "--yes", "--json", "--stack", BASE, "--shard", "2"]);
            ok(done, "rerun of the killed runner");
            expect(done.output).to.match(/dev-2 was left locked by pid \d+ on this host, which no longer runs/);
            expect(json<FleetJson>(done).shards.map((s) => [s.stack, s.ok])).to.deep.equal([["dev-2", true]]);
            noSecrets(done);
            expect(await lockRows("dev-2")).to.deep.equal([]);
        });

        await step(
            "the fleet is whole: six tenants, each once; a preview of every shard finds no changes",
            async () => {
                const tenants = await liveTenants();
                const hosts = tenants.flatMap((t) => t.hostnames as string[]);
                expect(tenants.length, hosts.join(", ")).to.equal(6);
                expect(new Set(hosts).size).to.equal(hosts.length);
                // Runner 1 has the base stack's file (committed) and dev-1's (it made that stack), not dev-2's: the
                // orchestrator re-creates it from the base for a stack that exists in the backend.
                const r = await r1.fleet(["preview", "--expect-no-changes", "--json", "--stack", BASE]);
                ok(r, "final preview");
                const fleet = json<FleetJson>(r);
                expect(fleet.shards.map((s) => [s.stack, s.ok])).to.deep.equal([
                    ["dev", true],
                    ["dev-1", true],
                    ["dev-2", true],
                ]);
                expect(fleet.changedCustomers).to.deep.equal([]);
            },
        );

        await step(
            "rebalance, from a runner without the source shard's file: the sixth customer moves to shard 0, re-created nowhere",
            async () => {
                const outputsOf = async (stack: string) =>
                    JSON.parse(
                        (await r0.pulumi(["stack", "output", "tenants", "--json", "--stack", stack])).stdout,
                    ) as Record<string, { tenantId: string; publishedAppId: string }>;
                const before = (await outputsOf("dev-2"))[SIXTH];
                const tenantIds = (await liveTenants()).map((t) => t.id as string).sort();
                const r = await r0.fleet(["rebalance", "--move", SIXTH, "--to", "0", "--yes", "--stack", BASE]);
                ok(r, "rebalance");
                noSecrets(r);
                expect(r.output).to.match(/done: dev-2 and dev preview no changes/);
                const after = (await outputsOf("dev"))[SIXTH];
                expect([after.tenantId, after.publishedAppId]).to.deep.equal([before.tenantId, before.publishedAppId]);
                expect((await liveTenants()).map((t) => t.id as string).sort()).to.deep.equal(tenantIds);
                const layout = json<LayoutJson>(await r0.fleet(["shards", "--json", "--stack", BASE]));
                expect(layout.shards.map((s) => [s.stack, s.customers])).to.deep.equal([
                    ["dev", ["sha", "shb", SIXTH]],
                    ["dev-1", ["shc", "shd"]],
                    ["dev-2", ["she"]],
                ]);
            },
        );
    });

    /** Onboarding: the broker's INSERTs of one customer into the master database. */
    async function insertCustomer(c: DemoCustomer): Promise<void> {
        const file = path.join(dataDir, businessDbRelPath(c.alias));
        ensureBusinessDb(file, c.data);
        const client = new Client({
            host: "127.0.0.1",
            port: pg.port,
            user: "fleet",
            database: "master",
            password: pg.password,
        });
        await client.connect();
        try {
            await client.query("BEGIN");
            for (const row of customerRows(c, file)) {
                const { sql, params } = insertSql(row, true);
                await client.query(sql, params);
            }
            await client.query("COMMIT");
        } finally {
            await client.end();
        }
    }
});
