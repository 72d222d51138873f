// Rebalancing for real (docs/master-database.md#rebalancing): three small customers with fleet:shardSize 2, so two
// shard stacks (test: acme, globex; test-1: initech) on the file backend, each `up` with the real CLI; the command is
// `npm run fleet -- rebalance` (dist/examples/fleet/ops/cli.js). A plain edit of
// customers.shard is refused at preview (nothing would be deleted); `rebalance --move acme --to 1` moves acme's state:
// same tenant id and published app id, no create or delete in either stack (both preview clean), and acme's user still
// logs in and sees acme's data.
import { expect } from "chai";
import Database = require("better-sqlite3");
import { Fleet, type StackOutputs } from "./fleet-fixture";
import { step } from "../support/steps";
import { fleetCli, type CliResult } from "./fixtures/fleetCli";

/** `npm run fleet -- rebalance ...` as a user runs it, with the project's backend, home and passphrase. */
function rebalance(fleet: Fleet, moves: { alias: string; to: number }[], yes = true): Promise<CliResult> {
    return fleetCli(fleet, [
        "rebalance",
        ...moves.flatMap((m) => ["--move", m.alias, "--to", String(m.to)]),
        ...(yes ? ["--yes"] : []),
    ]);
}

async function outputsOf(fleet: Fleet, stack: string): Promise<StackOutputs> {
    return JSON.parse(
        (await fleet.project.run(["stack", "output", "--json", "--show-secrets", "--stack", stack])).stdout,
    ) as StackOutputs;
}

async function urnsOf(fleet: Fleet, stack: string): Promise<string[]> {
    const state = JSON.parse((await fleet.project.run(["stack", "export", "--stack", stack])).stdout) as {
        deployment: { resources?: { urn: string }[] };
    };
    return (state.deployment.resources ?? []).map((r) => r.urn);
}

function setShard(fleet: Fleet, alias: string, shard: number): void {
    const db = new Database(fleet.masterDb);
    try {
        db.prepare("UPDATE customers SET shard = ? WHERE alias = ?").run(shard, alias);
    } finally {
        db.close();
    }
}

describe("rebalance: a customer moves between shard stacks without being re-created", function () {
    this.timeout(600_000);
    let fleet: Fleet | undefined;
    after(async () => fleet?.close());

    it("two shards up, a plain shard edit refused, acme moved from test to test-1, nothing re-created", async () => {
        const f = (fleet = await Fleet.start(["acme", "globex", "initech"]));
        await f.project.run(["config", "set", "fleet:shardSize", "2", "--stack", "test"]);

        await step("up of both shard stacks with the plain CLI (test: acme, globex; test-1: initech)", async () => {
            await f.project.run(["stack", "init", "test-1", "--copy-config-from", "test", "--no-select"]);
            await f.project.run(["config", "set", "fleet:shard", "1", "--stack", "test-1"]);
            await f.project.run(["config", "set", "qlik:owner", "organization/fleet/test", "--stack", "test-1"]);
            // Two stacks, two locks: their ups run side by side.
            await Promise.all(
                ["test", "test-1"].map((s) => f.project.run(["up", "--yes", "--skip-preview", "--stack", s])),
            );
            expect(Object.keys((await outputsOf(f, "test")).tenants).sort()).to.deep.equal(["acme", "globex"]);
            expect(Object.keys((await outputsOf(f, "test-1")).tenants)).to.deep.equal(["initech"]);
        });

        await step("rebalance with nothing to move records where everybody is", async () => {
            const r = await rebalance(f, []);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.contain("nothing to move");
            expect((await f.customers()).map((c) => [c.alias, c.shard])).to.deep.equal([
                ["acme", 0],
                ["globex", 0],
                ["initech", 1],
            ]);
        });

        await step("a plain edit of customers.shard (no move) is refused at preview, naming rebalance", async () => {
            setShard(f, "globex", 1);
            const p = await f.project.run(["preview", "--stack", "test"], { allowFailure: true });
            expect(p.code).to.not.equal(0);
            expect(p.output).to.match(/customer globex is now in shard 1/);
            expect(p.output).to.match(/rebalance --move globex --to 1 --yes/);
            setShard(f, "globex", 0);
        });

        const before = (await outputsOf(f, "test")).tenants.acme;
        const acmeUrns = (await urnsOf(f, "test")).filter((u) => /::acme(-[^:]*)?$/.test(u));
        expect(acmeUrns.length).to.be.greaterThan(5);

        await step("without --yes the plan is printed and nothing changes", async () => {
            const r = await rebalance(f, [{ alias: "acme", to: 1 }], false);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.match(/acme: shard 0 \(test\) -> shard 1 \(test-1\)/);
            expect(r.out).to.contain("nothing changed");
            expect((await f.customers()).find((c) => c.alias === "acme")!.shard).to.equal(0);
        });

        await step("rebalance --move acme --to 1 --yes: state moved, recorded, both stacks preview clean", async () => {
            const r = await rebalance(f, [{ alias: "acme", to: 1 }]);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.match(/acme: state copied: \d+ resource\(s\) from test to test-1/);
            expect(r.out).to.contain("acme: removed from test's state (nothing in Qlik)");
            expect(r.out).to.contain("acme: done: test and test-1 preview no changes; their outputs follow");
            expect((await f.customers()).map((c) => [c.alias, c.shard])).to.deep.equal([
                ["acme", 1],
                ["globex", 0],
                ["initech", 1],
            ]);
            const moved = (await urnsOf(f, "test-1")).filter((u) => /::acme(-[^:]*)?$/.test(u));
            expect(moved.length).to.equal(acmeUrns.length);
            expect((await urnsOf(f, "test")).filter((u) => /::acme(-[^:]*)?$/.test(u))).to.deep.equal([]);
        });

        await step("same tenant and published app; acme's user still logs in and sees acme's data", async () => {
            const out = await outputsOf(f, "test-1");
            expect(out.tenants.acme.tenantId).to.equal(before.tenantId);
            expect(out.tenants.acme.publishedAppId).to.equal(before.publishedAppId);
            expect(out.tenants.acme.hostname).to.equal(before.hostname);
            expect(Object.keys((await outputsOf(f, "test")).tenants)).to.deep.equal(["globex"]);
            await f.expectEachSeesOwnData(["acme"], out);
        });
    });
});
