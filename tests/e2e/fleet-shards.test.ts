// A sharded fleet run across "machines" (issue 11, docs/sharding.md): three shard runners, each a separate process
// with its own work folder (a checkout of the fleet project) and its own PULUMI_HOME, share one real PostgreSQL
// server that holds both the Pulumi state (pulumi_state rows, DIY backend) and the master database. Five customers
// with fleet:shardSize 2 make three shard stacks (dev, dev-1, dev-2), deployed in parallel by their runners; then
// drift across shards, onboarding, a runner killed in the middle of `up`, and two runners on one shard.
import { expect } from "chai";
import { Client } from "pg";
import { step } from "../support/steps";
import { startStatePostgres, type StatePostgres } from "../support/postgresState";
import { ShardRunner, type RunnerResult } from "../support/shardRunners";
import { waitFor } from "../support/wait";
import { startTestEmulator, stackConfigFor } from "./emulatorFixture";
import { smallCustomer } from "./fleet-fixture";
import { EmulatorAdmin } from "./fixtures/fleet";
import { businessDbRelPath, registerRelease, seedPostgres, type DemoCustomer } from "../../scripts/seed";
import { ensureBusinessDb } from "../../scripts/seed/businessDb";
import { customerRows, insertSql } from "../../scripts/seed/customerRows";
import { placeTemplate, TEMPLATE_APP_NAME } from "../../scripts/template/place";
import { renameTenant } from "../../scripts/makeDrift";
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
        // What each runner's CI job sets: the shared backend, the database password, the stacks' passphrase.
        const env = { ...pg.env, PULUMI_BACKEND_URL: pg.backendUrl, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
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

        await step("five customers, shard size 2: three shards, each deployed by its own runner at once", async () => {
            const layout = json<LayoutJson>(await r0.fleet(["shards", "--json", "--stack", BASE]));
            expect(layout.shards.map((s) => [s.shard, s.stack, s.customers])).to.deep.equal([
                [0, "dev", ["sha", "shb"]],
                [1, "dev-1", ["shc", "shd"]],
                [2, "dev-2", ["she"]],
            ]);
            // Runners 1 and 2 have no file of their shard stack: the orchestrator creates the stack from the base.
            const ups = await Promise.all(
                [r0, r1, r2].map((r, k) => r.fleet(["up", "--yes", "--json", "--stack", BASE, "--shard", String(k)])),
            );
            ups.forEach((r, k) => {
                ok(r, `up of shard ${k}`);
                noSecrets(r);
                const report = json<FleetJson>(r);
                expect(report.shards.map((s) => s.stack)).to.deep.equal([k === 0 ? "dev" : `dev-${k}`]);
            });
            expect(ups.map((r) => json<FleetJson>(r).changedCustomers)).to.deep.equal([
                ["sha", "shb"],
                ["shc", "shd"],
                ["she"],
            ]);
            expect((await liveTenants()).length).to.equal(5);
            expect([...(await stackRows()).keys()].sort()).to.deep.equal(["dev", "dev-1", "dev-2"]);
        });

        await step("any runner previews the whole fleet: no changes, exit 0", async () => {
            const r = await r1.fleet(["preview", "--expect-no-changes", "--json", "--stack", BASE]);
            ok(r, "no-op preview");
            const report = json<FleetJson>(r);
            expect(report.shards.map((s) => [s.stack, s.ok])).to.deep.equal([
                ["dev", true],
                ["dev-1", true],
                ["dev-2", true],
            ]);
            expect(report.changedCustomers).to.deep.equal([]);
        });

        await step("tenants renamed by hand in shards 0 and 2: drift exits 2 naming both, writes nothing", async () => {
            await renameTenant(emu.info, "sha", "sha (renamed by hand)");
            await renameTenant(emu.info, "she", "she (renamed by hand)");
            const rows = await stackRows();
            const r = await r2.fleet(["drift", "--json", "--stack", BASE]);
            expect(r.code, r.output.slice(-4000)).to.equal(2);
            expect(json<FleetJson>(r).changedCustomers).to.deep.equal(["sha", "she"]);
            expect(await stackRows(), "drift is non-mutating").to.deep.equal(rows);
        });

        await step("refresh and up repair both; a sixth customer then previews as one shard's creation", async () => {
            // Only the drifted shards: drift named their customers, so the others need no run.
            const drifted = ["--shard", "0", "--shard", "2"];
            ok(await r0.fleet(["refresh", "--yes", "--json", "--stack", BASE, ...drifted]), "refresh");
            const up = await r0.fleet(["up", "--yes", "--json", "--stack", BASE, ...drifted]);
            ok(up, "repairing up");
            expect(json<FleetJson>(up).changedCustomers).to.deep.equal(["sha", "she"]);
            const names = (await liveTenants()).map((t) => t.name as string);
            expect(names.filter((n) => /renamed by hand/.test(n))).to.deep.equal([]);

            await insertCustomer(customer(SIXTH, 6));
            const preview = await r1.fleet(["preview", "--json", "--stack", BASE]);
            ok(preview, "preview of the onboarding");
            const report = json<FleetJson>(preview);
            expect(report.changedCustomers).to.deep.equal([SIXTH]);
            const touched = report.shards.filter((s) => Object.keys(s.customers).includes(SIXTH));
            expect(touched.map((s) => s.stack)).to.deep.equal(["dev-2"]);
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
            "its rerun clears its own stale lock and converges; a second runner on that shard fails clearly",
            async () => {
                const rerun = r2.start(["up", "--yes", "--json", "--stack", BASE, "--shard", "2"]);
                // Runner 1 starts once runner 2 holds a lock of its own again (the stale one gone, a live one taken).
                await waitFor(
                    async () => {
                        const now = await lockRows("dev-2");
                        return now.length === 1 && now[0] !== staleLock[0] ? now : undefined;
                    },
                    { timeoutMs: 300_000, what: "runner 2's new lock on dev-2" },
                );
                const loser = await r1.fleet(["up", "--yes", "--json", "--stack", BASE, "--shard", "2"]);
                const done = await rerun.done;
                ok(done, "rerun of the killed runner");
                expect(done.output).to.match(/dev-2 was left locked by pid \d+ on this host, which no longer runs/);
                expect(loser.code, loser.output.slice(-4000)).to.equal(1);
                const failure = json<FleetJson>(loser).shards[0].failure ?? "";
                expect(failure).to.match(/stack dev-2 is currently locked by \S+@\S+ \(pid \d+\)/);
                expect(failure).to.match(/cancel/);
                noSecrets(loser);
                noSecrets(done);
                expect(await lockRows("dev-2")).to.deep.equal([]);
            },
        );

        await step(
            "the fleet is whole: six tenants, each once; the shard of the crash previews no changes",
            async () => {
                const tenants = await liveTenants();
                const hosts = tenants.flatMap((t) => t.hostnames as string[]);
                expect(tenants.length, hosts.join(", ")).to.equal(6);
                expect(new Set(hosts).size).to.equal(hosts.length);
                // Shards 0 and 1 previewed clean above and nothing ran on them since.
                const r = await r0.fleet(["preview", "--expect-no-changes", "--json", "--stack", BASE, "--shard", "2"]);
                ok(r, "final preview");
                expect(json<FleetJson>(r).changedCustomers).to.deep.equal([]);
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
