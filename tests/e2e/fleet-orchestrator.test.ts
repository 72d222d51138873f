// `npm run fleet` over shards, for real: the command (dist/examples/fleet/ops/cli.js, the real Pulumi CLI through the
// Automation API) on five small customers with fleet:shardSize 2, so three shard stacks (test, test-1, test-2) on the
// file backend. `up` creates the shards and every tenant; a no-op `preview --expect-no-changes` exits 0; a consumer
// assignment removed by hand in one customer's tenant is found by `drift` (exit 2) naming that customer only; `up
// --refresh` repairs it; the --json and --markdown reports are parsed. A setting changed on the base stack (the
// deactivation opt-in) reaches every shard stack, and `destroy` then deactivates every tenant over the three shards,
// removes the emptied shard stacks and leaves a tenant made by hand alone. The caller's PULUMI_HOME / PULUMI_BACKEND_URL /
// PULUMI_CONFIG_PASSPHRASE reach the engine (the project folder is not the repository).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Database = require("better-sqlite3");
import { Fleet, smallCustomer } from "./fleet-fixture";
import { addCustomer, type DemoCustomer } from "../../scripts/seed";
import type { FleetReport } from "../../examples/fleet/ops/summary";
import type { FleetStatus } from "../../examples/fleet/ops/status";
import { step } from "../support/steps";
import { fleetCli, fleetJson, removeManagedSpaceGroup } from "./fixtures/fleetCli";
import { newTenantHost } from "./emulatorFixture";
import { asBot } from "../support/handlerEmulator";

/** A demo customer under another alias (its own id, users, groups and business database). */
function twin(base: string, alias: string, id: string): DemoCustomer {
    const c = smallCustomer(base, 90);
    const rename = (s: string) => s.split(base).join(alias);
    return {
        ...c,
        id,
        alias,
        name: `${c.name} ${alias}`,
        data: { ...c.data, seed: alias },
        groups: c.groups.map((g) => ({ ...g, name: rename(g.name) })),
        users: c.users.map((u) => ({
            ...u,
            subject: rename(u.subject),
            email: rename(u.email),
            groups: u.groups.map(rename),
        })),
    };
}

interface ShardsJson {
    base: string;
    shardSize: number;
    shards: { shard: number; stack: string; customers: string[] }[];
}

describe("npm run fleet over shards: up, no-op preview, drift in one customer, repair, reports, base config, destroy", function () {
    this.timeout(600_000);
    let fleet: Fleet | undefined;
    after(async () => fleet?.close());

    it("runs five customers in three shard stacks", async () => {
        const f = (fleet = await Fleet.start(["acme", "globex", "initech"]));
        const master = new Database(f.masterDb);
        try {
            addCustomer(master, f.masterDb, twin("globex", "hooli", "cust-904"));
            addCustomer(master, f.masterDb, twin("initech", "umbrella", "cust-905"));
        } finally {
            master.close();
        }
        await f.project.run(["config", "set", "fleet:shardSize", "2", "--stack", "test"]);
        const all = ["acme", "globex", "hooli", "initech", "umbrella"];

        let layout: ShardsJson | undefined;
        await step("shards: five customers in three shards of at most two", async () => {
            layout = await fleetJson<ShardsJson>(f, ["shards"], 0);
            expect(layout.shards.map((s) => [s.shard, s.stack])).to.deep.equal([
                [0, "test"],
                [1, "test-1"],
                [2, "test-2"],
            ]);
            expect(layout.shards.flatMap((s) => s.customers).sort()).to.deep.equal(all);
            expect(layout.shards.map((s) => s.customers.length)).to.deep.equal([2, 2, 1]);
        });

        await step("up: every shard stack made and up, each customer created in its own shard", async () => {
            const r = await fleetJson<FleetReport>(f, ["up", "--yes"], 0);
            expect(r.command).to.equal("up");
            expect(r.shards.map((s) => [s.stack, s.ok])).to.deep.equal([
                ["test", true],
                ["test-1", true],
                ["test-2", true],
            ]);
            expect([...r.changedCustomers].sort()).to.deep.equal(all);
            for (const s of r.shards) {
                const expected = layout!.shards.find((x) => x.shard === s.shard)!.customers;
                const changed = Object.keys(s.customers).filter((a) => a !== "(fleet)");
                expect(changed.sort(), `customers of ${s.stack}`).to.deep.equal([...expected].sort());
                for (const a of expected)
                    expect(s.customers[a].changes.create, `${a} created`).to.include(`${a}-tenant`);
            }
            const stacks = (await f.project.run(["stack", "ls", "--json"])).stdout;
            expect((JSON.parse(stacks) as { name: string }[]).map((s) => s.name).sort()).to.deep.equal([
                "test",
                "test-1",
                "test-2",
            ]);
            const shard1 = await f.project.run(["config", "--stack", "test-1", "--json"]);
            const cfg = JSON.parse(shard1.stdout) as Record<string, { value?: string }>;
            expect(cfg["fleet:shard"]?.value).to.equal("1");
            expect(cfg["qlik:owner"]?.value).to.equal("organization/fleet/test");
            // Recorded before the run: each customer keeps this shard from now on.
            const db = new Database(f.masterDb, { readonly: true });
            try {
                const rows = db.prepare("SELECT alias, shard FROM customers ORDER BY alias").all();
                expect(rows).to.deep.equal(
                    layout!.shards
                        .flatMap((x) => x.customers.map((alias) => ({ alias, shard: x.shard })))
                        .sort((a, b) => (a.alias < b.alias ? -1 : 1)),
                );
            } finally {
                db.close();
            }
        });

        await step(
            "a no-op preview --expect-no-changes exits 0; the Markdown report has one row per shard",
            async () => {
                const md = path.join(f.project.root, "preview.md");
                const r = await fleetCli(f, ["preview", "--expect-no-changes", "--markdown", md]);
                expect(r.code, r.stderr.slice(-3000)).to.equal(0);
                const text = fs.readFileSync(md, "utf8");
                expect(text).to.match(/^## fleet preview/);
                const rows = text.split("\n").filter((l) => /^\| \d+ \| test/.test(l));
                expect(rows.map((l) => l.split("|")[3].trim())).to.deep.equal(["ok", "ok", "ok"]);
                expect(rows.every((l) => l.includes("no changes"))).to.equal(true);
                // Plain (not a terminal) progress: engine lines prefixed by their stack.
                expect(r.stdout).to.match(/^\[test-2\] /m);
            },
        );

        const victim = layout!.shards.find((s) => s.shard === 1)!.customers[0];
        await step(
            `a consumer assignment removed by hand in ${victim}: drift exits 2 naming ${victim} only`,
            async () => {
                const host = await hostOf(f, victim);
                await removeManagedSpaceGroup(f, host);
                const md = path.join(f.project.root, "drift.md");
                const r = await fleetCli(f, ["drift", "--json", "--markdown", md]);
                expect(r.code, r.stderr.slice(-3000)).to.equal(2);
                const report = JSON.parse(r.stdout) as FleetReport;
                expect(report.exitCode).to.equal(2);
                expect(report.changedCustomers).to.deep.equal([victim]);
                expect(report.shards.map((s) => [s.stack, s.ok])).to.deep.equal([
                    ["test", true],
                    ["test-1", true],
                    ["test-2", true],
                ]);
                expect(Object.keys(report.shards[1].customers[victim].changes)).to.deep.equal(["update"]);
                expect(r.stderr).to.match(new RegExp(`^${victim} \\(shard 1\\): \\d+ to update: ${victim}-`, "m"));
                expect(fs.readFileSync(md, "utf8")).to.contain(`- ${victim} (shard 1):`);
            },
        );

        await step(
            "up --refresh repairs it (only that customer changes); drift --shard 1 then finds none",
            async () => {
                // The drift check above found the other shards clean: one runner's view (--shard) repairs this one.
                const r = await fleetJson<FleetReport>(f, ["up", "--yes", "--refresh", "--shard", "1"], 0);
                expect(r.shards.map((x) => x.stack)).to.deep.equal(["test-1"]);
                expect(r.changedCustomers).to.deep.equal([victim]);
                const d = await fleetJson<FleetReport>(f, ["drift", "--shard", "1"], 0);
                expect(d.shards.map((x) => [x.stack, x.ok])).to.deep.equal([["test-1", true]]);
                expect(d.changedCustomers).to.deep.equal([]);
            },
        );

        await step(
            "locks: a dead local holder is cancelled and run again; a live one fails its shard alone",
            async () => {
                // Lock files as Pulumi's DIY backend writes them (.pulumi/locks/<org>/<project>/<stack>/<id>.json).
                const lock = (stack: string, pid: number) => {
                    const dir = path.join(f.project.root, "state", ".pulumi", "locks", "organization", "fleet", stack);
                    fs.mkdirSync(dir, { recursive: true });
                    const file = path.join(dir, `e2e-${pid}.json`);
                    const content = {
                        pid,
                        username: "e2e",
                        hostname: os.hostname(),
                        timestamp: new Date().toISOString(),
                    };
                    fs.writeFileSync(file, JSON.stringify(content));
                    return file;
                };
                // Above Linux's pid_max (4194304): a holder that cannot be running.
                lock("test-2", 99_999_999);
                const live = lock("test-1", process.pid);
                try {
                    // An update takes the stack lock (a preview does not): a no-op `up` of both shards.
                    const r = await fleetCli(f, ["up", "--yes", "--shard", "1", "--shard", "2", "--json"]);
                    expect(r.code, r.stderr.slice(-3000)).to.equal(1);
                    const report = JSON.parse(r.stdout) as FleetReport;
                    expect(report.shards.map((x) => [x.stack, x.ok])).to.deep.equal([
                        ["test-1", false],
                        ["test-2", true],
                    ]);
                    expect(report.shards[0].failure).to.match(
                        new RegExp(`^stack test-1 is currently locked by e2e@\\S+ \\(pid ${process.pid}\\)`),
                    );
                    expect(report.shards[0].failure).to.contain("pulumi cancel --yes --stack test-1");
                    expect(r.stderr).to.contain(
                        "[test-2] stack test-2 was left locked by pid 99999999 on this host, which no longer runs",
                    );
                    expect(fs.existsSync(live), "the live holder's lock stays").to.equal(true);
                } finally {
                    fs.rmSync(live, { force: true });
                }
            },
        );

        await step("status: every customer deployed, with its shard", async () => {
            // The command opened every shard stack; the project's selected stack is still the one it had.
            expect((await f.project.run(["stack", "--show-name"])).stdout.trim()).to.equal("test");
            const s = await fleetJson<FleetStatus>(f, ["status"], 0);
            const shardOf = Object.fromEntries(layout!.shards.flatMap((x) => x.customers.map((a) => [a, x.shard])));
            expect(s.customers.map((c) => [c.alias, c.shard, c.reloadStatus]).sort()).to.deep.equal(
                all.map((a) => [a, shardOf[a], "SUCCEEDED"]),
            );
        });

        await step(
            "a setting changed on the base stack reaches every shard: the deactivation opt-in, then destroy over all",
            async () => {
                const tenantIds = await Promise.all(all.map((a) => tenantOf(f, a).then((t) => t.tenantId)));
                const byHand = await newTenantHost(f.emu);
                // Without the opt-in every shard refuses (the fixture sets it false): the shards' copies say false too.
                await f.project.run(["config", "set", "qlik:allowTenantDeactivation", "true", "--stack", "test"]);
                const up = await fleetCli(f, ["up", "--yes", "--json"]);
                expect(up.code, up.stderr.slice(-3000)).to.equal(0);
                for (const stack of ["test-1", "test-2"]) {
                    expect(up.stderr).to.contain(`${stack}: config taken from test: qlik:allowTenantDeactivation\n`);
                    const cfg = await f.project.run([
                        "config",
                        "get",
                        "qlik:allowTenantDeactivation",
                        "--stack",
                        stack,
                    ]);
                    expect(cfg.stdout.trim()).to.equal("true");
                }
                // Taken once: the next command finds the shards in line with the base.
                const again = await fleetCli(f, ["preview", "--expect-no-changes", "--json"]);
                expect(again.code, again.stderr.slice(-3000)).to.equal(0);
                expect(again.stderr).to.not.contain("config taken from");

                const d = await fleetJson<FleetReport>(f, ["destroy", "--yes"], 0);
                expect(d.shards.map((x) => [x.stack, x.ok])).to.deep.equal([
                    ["test", true],
                    ["test-1", true],
                    ["test-2", true],
                ]);
                for (const id of tenantIds) {
                    const t = await asBot(f.emu, f.emu.info.registerHost, `/api/v1/tenants/${id}`);
                    expect(t.body.status, `tenant ${id}`).to.equal("disabled");
                }
                // The emptied shard stacks are removed; the base stays, as `pulumi destroy` leaves a stack.
                const stacks = JSON.parse((await f.project.run(["stack", "ls", "--json"])).stdout) as {
                    name: string;
                }[];
                expect(stacks.map((x) => x.name)).to.deep.equal(["test"]);
                const left = JSON.parse((await f.project.run(["stack", "export", "--stack", "test"])).stdout);
                expect((left.deployment.resources ?? []).map((r: { type: string }) => r.type)).to.deep.equal([]);
                // A tenant made by hand on the same account is untouched.
                const me = await asBot(f.emu, byHand, "/api/v1/users/me");
                expect(me.status, "the hand-made tenant still answers").to.be.oneOf([200, 301]);
            },
        );
    });
});

/** The customer's tenant from its shard stack's outputs (the base stack's outputs hold its own shard only). */
async function tenantOf(f: Fleet, alias: string): Promise<{ hostname: string; tenantId: string }> {
    for (const stack of ["test", "test-1", "test-2"]) {
        const out = JSON.parse(
            (await f.project.run(["stack", "output", "tenants", "--json", "--stack", stack])).stdout,
        ) as Record<string, { hostname: string; tenantId: string }>;
        if (out[alias]) return out[alias];
    }
    throw new Error(`no shard stack outputs a tenant for ${alias}`);
}

const hostOf = async (f: Fleet, alias: string): Promise<string> => (await tenantOf(f, alias)).hostname;
