// The fleet's layout over its shard stacks and its recording in the master database (examples/fleet/ops/
// shardRecords.ts): recorded shards kept, customers already deployed in a shard stack recorded there (the upgrade of a
// big one-stack fleet moves nobody), new customers placed once, and the recording idempotent and never overwriting.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { seed, DEMO_CUSTOMERS } from "../../scripts/seed";
import { readMasterDb } from "../../examples/fleet/masterDb";
import {
    customersInState,
    deployedFromStacks,
    placeFleet,
    recordLayout,
    CUSTOMER_TENANT_TYPE,
} from "../../examples/fleet/ops/shardRecords";
import { sqliteSql } from "../../examples/fleet/ops/store";

const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const customers = (n: number) => Array.from({ length: n }, (_, i) => ({ alias: `c${i}`, createdAt: t(i) }));
const tenant = (stack: string, alias: string) => ({
    urn: `urn:pulumi:${stack}::fleet::${CUSTOMER_TENANT_TYPE}::${alias}`,
    type: CUSTOMER_TENANT_TYPE,
});
const child = (stack: string, alias: string) => ({
    urn: `urn:pulumi:${stack}::fleet::${CUSTOMER_TENANT_TYPE}$pulumi-nodejs:dynamic:Resource::${alias}-tenant`,
    type: "pulumi-nodejs:dynamic:Resource",
});

describe("shard records: placeFleet and recordLayout", () => {
    it("an existing one-stack fleet bigger than shardSize, none recorded: everybody stays in the base stack", async () => {
        let asked = 0;
        const layout = await placeFleet({
            base: "dev",
            shardSize: 2,
            customers: [...customers(5)],
            deployed: async () => {
                asked++;
                return new Map([[0, ["c0", "c1", "c2", "c3"]]]);
            },
        });
        expect(asked).to.equal(1);
        // c0..c3 are in dev's state: kept there (over size); c4 is new and opens shard 1.
        expect([...layout.byShard]).to.deep.equal([
            [0, ["c0", "c1", "c2", "c3"]],
            [1, ["c4"]],
        ]);
        expect(layout.shards).to.deep.equal([0, 1]);
        expect(layout.unrecorded).to.deep.equal(["c0", "c1", "c2", "c3", "c4"]);
    });

    it("all recorded: the states are not read; recorded shards win over anything else", async () => {
        const layout = await placeFleet({
            base: "dev",
            shardSize: 2,
            customers: customers(3).map((c, i) => ({ ...c, shard: i === 0 ? 3 : 0 })),
            deployed: async () => {
                throw new Error("must not be asked");
            },
        });
        expect([...layout.byShard]).to.deep.equal([
            [0, ["c1", "c2"]],
            [3, ["c0"]],
        ]);
        expect(layout.unrecorded).to.deep.equal([]);
    });

    it("customersInState and deployedFromStacks: CustomerTenant names of <base> and <base>-<k> only", async () => {
        const exports: Record<string, unknown> = {
            dev: { resources: [tenant("dev", "a"), child("dev", "a")] },
            "dev-2": { resources: [tenant("dev-2", "b"), tenant("dev-2", "c")] },
            other: { resources: [tenant("other", "z")] },
        };
        expect(customersInState(exports["dev-2"])).to.deep.equal(["b", "c"]);
        expect(customersInState(undefined)).to.deep.equal([]);
        const exported: string[] = [];
        const deployed = await deployedFromStacks(
            "dev",
            async () => Object.keys(exports),
            async (s) => {
                exported.push(s);
                return exports[s];
            },
        )();
        expect([...deployed]).to.deep.equal([
            [0, ["a"]],
            [2, ["b", "c"]],
        ]);
        expect(exported).to.deep.equal(["dev", "dev-2"]);
    });

    describe("recording in a real master database", () => {
        let dir: string;
        let file: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-records-"));
            file = path.join(dir, "master.sqlite");
            seed({
                masterDb: file,
                customers: DEMO_CUSTOMERS.map((c) => ({ ...c, data: { seed: c.alias, orders: 5, accounts: 2 } })),
            });
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("writes the unrecorded once, in one transaction; a rerun writes nothing; a recorded shard is never overwritten", async () => {
            const sql = sqliteSql(file);
            try {
                const layout = await placeFleet({ base: "dev", shardSize: 2, customers: readMasterDb(file) });
                expect(layout.unrecorded).to.deep.equal(["acme", "globex", "initech"]);
                // Meanwhile another runner (or a rebalance) recorded initech in shard 5.
                await sql.run("UPDATE customers SET shard = 5 WHERE alias = 'initech'");
                expect(await recordLayout(sql, layout)).to.equal(2);
                expect(readMasterDb(file).map((c) => [c.alias, c.shard])).to.deep.equal([
                    ["acme", 0],
                    ["globex", 0],
                    ["initech", 5],
                ]);
                const again = await placeFleet({ base: "dev", shardSize: 2, customers: readMasterDb(file) });
                expect(again.unrecorded).to.deep.equal([]);
                expect(await recordLayout(sql, again)).to.equal(0);
                // A failure inside the transaction leaves nothing half-written.
                await sql.run("UPDATE customers SET shard = NULL");
                const fresh = await placeFleet({ base: "dev", shardSize: 2, customers: readMasterDb(file) });
                // acme is written first, then globex's impossible shard fails the CHECK: acme's row is rolled back.
                const broken = {
                    ...fresh,
                    byShard: new Map([
                        [0, ["acme"]],
                        [-1, ["globex"]],
                    ]),
                };
                const err = await recordLayout(sql, broken).then(
                    () => undefined,
                    (e: Error) => e,
                );
                expect(err?.message).to.match(/CHECK/);
                expect(readMasterDb(file).map((c) => c.shard)).to.deep.equal([undefined, undefined, undefined]);
            } finally {
                await sql.close();
            }
        });
    });
});
