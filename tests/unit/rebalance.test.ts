// Rebalancing's pure parts: the plan (explicit moves, --max-per-shard moving the newest customers of over-full shards
// to the lowest shards with room) and the edits of an exported state (the FleetGuard's record, a customer's URNs).
import { expect } from "chai";
import { describeMoves, planMoves } from "../../examples/fleet/ops/rebalancePlan";
import {
    customerUrns,
    dropResources,
    guardEntry,
    setGuardEntry,
    type ExportedState,
    type StateResource,
} from "../../examples/fleet/ops/guardRecords";
import type { FleetLayout } from "../../examples/fleet/ops/shardRecords";
import { addCustomerResources, rewriteUrn } from "../../examples/fleet/ops/stateTransfer";

function layout(byShard: Record<number, string[]>): FleetLayout {
    const m = new Map(Object.entries(byShard).map(([k, a]) => [Number(k), a]));
    return { base: "dev", shardSize: 50, shards: [...m.keys()], byShard: m, unrecorded: [] };
}
const createdAt = (aliases: string[]) =>
    new Map(aliases.map((a, i) => [a, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()]));

describe("rebalance: the plan", () => {
    it("explicit moves: validated, a move to where it is or back is nothing", () => {
        const l = layout({ 0: ["a", "b"], 1: ["c"] });
        expect(planMoves(l, { moves: [{ alias: "a", to: 1 }], createdAt: new Map() })).to.deep.equal([
            { alias: "a", from: 0, to: 1 },
        ]);
        expect(planMoves(l, { moves: [{ alias: "a", to: 0 }], createdAt: new Map() })).to.deep.equal([]);
        const there = [
            { alias: "a", to: 3 },
            { alias: "a", to: 0 },
        ];
        expect(planMoves(l, { moves: there, createdAt: new Map() })).to.deep.equal([]);
        expect(() => planMoves(l, { moves: [{ alias: "zz", to: 1 }], createdAt: new Map() })).to.throw(
            /--move zz: no customer with that alias/,
        );
        expect(() => planMoves(l, { moves: [{ alias: "a", to: -2 }], createdAt: new Map() })).to.throw(/integer >= 0/);
    });

    it("--max-per-shard n: the newest of each over-full shard go to the lowest shards with room, then a new one", () => {
        const all = ["a", "b", "c", "d", "e", "f"];
        const l = layout({ 0: ["a", "b", "c", "d", "e"], 2: ["f"] });
        // Shard 0 keeps its 2 oldest; e (newest) goes to 1, d to 1, c to 2 (f and c then fill 2).
        expect(planMoves(l, { maxPerShard: 2, createdAt: createdAt(all) })).to.deep.equal([
            { alias: "e", from: 0, to: 1 },
            { alias: "d", from: 0, to: 1 },
            { alias: "c", from: 0, to: 2 },
        ]);
        expect(planMoves(l, { maxPerShard: 5, createdAt: createdAt(all) })).to.deep.equal([]);
        expect(() => planMoves(l, { maxPerShard: 0, createdAt: createdAt(all) })).to.throw(/--max-per-shard 0/);
        expect(describeMoves("dev", [{ alias: "e", from: 0, to: 1 }], (k) => (k ? `dev-${k}` : "dev"))).to.deep.equal([
            "rebalance of dev: 1 customer(s) to move (state only: no tenant, app or user is re-created)",
            "  e: shard 0 (dev) -> shard 1 (dev-1)",
        ]);
    });
});

const T = "qlik-tenant-fleet:index:CustomerTenant";
const D = "pulumi-nodejs:dynamic:Resource";
function state(): ExportedState {
    const stack = "urn:pulumi:dev::fleet::pulumi:pulumi:Stack::fleet-dev";
    const guard = {
        urn: "urn:pulumi:dev::fleet::pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard::fleet-guard",
        type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard",
        parent: stack,
        inputs: { customers: { acme: { region: "us" }, globex: { region: "us", plan: "premium" } }, maxDeletions: "1" },
        outputs: { customers: { acme: { region: "us" }, globex: { region: "us", plan: "premium" } } },
    };
    const acme = `urn:pulumi:dev::fleet::${T}::acme`;
    const acmeIdp = `urn:pulumi:dev::fleet::${T}$${D}::acme-idp`;
    return {
        version: 3,
        deployment: {
            resources: [
                { urn: stack, type: "pulumi:pulumi:Stack" },
                guard,
                { urn: acme, type: T, parent: stack },
                { urn: `urn:pulumi:dev::fleet::${T}$${D}::acme-tenant`, type: D, parent: acme },
                { urn: acmeIdp, type: D, parent: acme },
                { urn: `urn:pulumi:dev::fleet::${T}$${D}$${D}::acme-idp-key`, type: D, parent: acmeIdp },
                { urn: `urn:pulumi:dev::fleet::${T}::acme-two`, type: T, parent: stack },
                {
                    urn: `urn:pulumi:dev::fleet::${T}$${D}::acme-two-tenant`,
                    type: D,
                    parent: `urn:pulumi:dev::fleet::${T}::acme-two`,
                },
            ],
        },
    };
}

describe("rebalance: edits of an exported state", () => {
    it("a customer's URNs: its CustomerTenant and everything under it, not a customer whose alias starts the same", () => {
        const s = state();
        expect(customerUrns(s, "acme").map((u) => u.slice(u.lastIndexOf("::") + 2))).to.deep.equal([
            "acme",
            "acme-tenant",
            "acme-idp",
            "acme-idp-key",
        ]);
        expect(customerUrns(s, "nobody")).to.deep.equal([]);
        dropResources(s, customerUrns(s, "acme"));
        expect(customerUrns(s, "acme")).to.deep.equal([]);
        expect(customerUrns(s, "acme-two")).to.have.length(2);
    });

    it("the guard's record: set, mark and remove one customer in inputs and outputs alike; no change is no change", () => {
        const s = state();
        expect(guardEntry(s, "globex")).to.deep.equal({ region: "us", plan: "premium" });
        const moving = { from: "dev", to: "dev-1", shard: 1 };
        expect(setGuardEntry(s, "globex", { region: "us", plan: "premium", moving })).to.equal(true);
        expect(setGuardEntry(s, "globex", { region: "us", plan: "premium", moving })).to.equal(false);
        const g = s.deployment.resources!.find((r) => r.urn.endsWith("::fleet-guard"))!;
        expect((g.outputs!.customers as Record<string, unknown>).globex).to.deep.include({ moving });
        expect(setGuardEntry(s, "globex", undefined)).to.equal(true);
        expect(Object.keys(g.inputs!.customers as object)).to.deep.equal(["acme"]);
        expect(Object.keys(g.outputs!.customers as object)).to.deep.equal(["acme"]);
        expect(g.inputs!.maxDeletions).to.equal("1");
        const empty: ExportedState = { version: 3, deployment: { resources: [] } };
        expect(() => setGuardEntry(empty, "acme", {})).to.throw(/no FleetGuard.*run `up` on it once/);
    });
});

describe("rebalance: a customer's resources carried to another shard's state", () => {
    /** A small exported state of stack `stack` holding these customers (component, one child, a guard dependency). */
    function shard(stack: string, providerId: string, aliases: string[]): ExportedState {
        const root = `urn:pulumi:${stack}::fleet::pulumi:pulumi:Stack::fleet-${stack}`;
        const provider = `urn:pulumi:${stack}::fleet::pulumi:providers:pulumi-nodejs::default`;
        const guard = `urn:pulumi:${stack}::fleet::pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard::fleet-guard`;
        const resources: StateResource[] = [
            { urn: root, type: "pulumi:pulumi:Stack" },
            { urn: provider, type: "pulumi:providers:pulumi-nodejs", id: providerId, inputs: { "fleet:shard": stack } },
            {
                urn: guard,
                type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard",
                parent: root,
                inputs: { customers: {} },
            },
        ];
        for (const a of aliases) {
            const comp = `urn:pulumi:${stack}::fleet::${T}::${a}`;
            resources.push({ urn: comp, type: T, parent: root, dependencies: [guard] });
            resources.push({
                urn: `urn:pulumi:${stack}::fleet::${T}$${D}::${a}-tenant`,
                type: D,
                parent: comp,
                provider: `${provider}::${providerId}`,
                dependencies: [guard, `urn:pulumi:${stack}::fleet::${D}::gone`],
                propertyDependencies: { alias: [guard] },
                outputs: { tenantId: `tid-${a}` },
            });
        }
        return { version: 3, deployment: { resources } };
    }

    it("URNs rewritten to the destination, its provider and root used, a dependency on what stays dropped", () => {
        const src = shard("dev", "p0", ["acme", "globex"]);
        const dst = shard("dev-1", "p1", ["initech"]);
        expect(addCustomerResources(src, dst, "acme", "dev", "dev-1")).to.equal(2);
        const tenant = dst.deployment.resources!.find((r) => r.urn.endsWith("::acme-tenant"))!;
        expect(tenant).to.deep.include({
            urn: `urn:pulumi:dev-1::fleet::${T}$${D}::acme-tenant`,
            parent: `urn:pulumi:dev-1::fleet::${T}::acme`,
            provider: "urn:pulumi:dev-1::fleet::pulumi:providers:pulumi-nodejs::default::p1",
            dependencies: ["urn:pulumi:dev-1::fleet::pulumi-nodejs:dynamic/qlik-tenant-fleet:FleetGuard::fleet-guard"],
            outputs: { tenantId: "tid-acme" },
        });
        const comp = dst.deployment.resources!.find((r) => r.urn.endsWith("::acme"))!;
        expect(comp.parent).to.equal("urn:pulumi:dev-1::fleet::pulumi:pulumi:Stack::fleet-dev-1");
        expect(customerUrns(dst, "acme")).to.have.length(2);
        // The source is left as it was (dropping is a step of its own), and a second copy adds nothing.
        expect(customerUrns(src, "acme")).to.have.length(2);
        expect(addCustomerResources(src, dst, "acme", "dev", "dev-1")).to.equal(0);
        expect(rewriteUrn("urn:pulumi:devx::fleet::a::b", "dev", "dev-1")).to.equal("urn:pulumi:devx::fleet::a::b");
    });

    it("a destination never deployed (no provider, no root) is refused with the fix", () => {
        const src = shard("dev", "p0", ["acme"]);
        const bare: ExportedState = { version: 3, deployment: { resources: [] } };
        expect(() => addCustomerResources(src, bare, "acme", "dev", "dev-1")).to.throw(/run `up` on it once first/);
    });
});
