// FleetGuard's decision, as check() makes it at preview from the last up's inputs (olds) and the
// program's (news): offboarding without the opt-in refused per customer; maxDeletions; confirmation.
import { expect } from "chai";
import { handlers, planOf, deletionLimit } from "../../provider/resources/fleetGuard";
import { resetProviderConfig, setProviderConfig } from "../../provider/config";

const fleet = (...aliases: string[]) =>
    Object.fromEntries(aliases.map((a) => [a, { region: "us", allowDeactivation: false }]));

describe("FleetGuard: offboarding all or nothing, fleet:maxDeletions", () => {
    beforeEach(() => setProviderConfig({ "qlik:region": "us" }));
    afterEach(() => resetProviderConfig());

    it("passes an unchanged fleet, an onboarding and the first up", async () => {
        expect((await handlers.check({}, { customers: fleet("acme") })).failures).to.equal(undefined);
        const olds = { customers: fleet("acme", "globex"), maxDeletions: "1" };
        expect(
            (await handlers.check(olds, { customers: fleet("acme", "globex"), maxDeletions: "1" })).failures,
        ).to.equal(undefined);
        expect(
            (await handlers.check(olds, { customers: fleet("acme", "globex", "initech"), maxDeletions: "1" })).failures,
        ).to.equal(undefined);
    });

    it("refuses an offboarding without the opt-in with one message for that customer", async () => {
        const r = await handlers.check(
            { customers: fleet("acme", "globex", "initech") },
            { customers: fleet("acme", "initech"), maxDeletions: "1" },
        );
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].property).to.equal("");
        expect(r.failures![0].reason).to.match(
            /customer globex is no longer declared.*NOTHING of globex is deleted or replaced.*qlik:allowTenantDeactivation true/,
        );
    });

    it("accepts it with the stack opt-in or the customer's recorded opt-in", async () => {
        const olds = { customers: { ...fleet("acme", "globex"), initech: { region: "us", allowDeactivation: true } } };
        expect((await handlers.check(olds, { customers: fleet("acme", "globex") })).failures).to.equal(undefined);
        setProviderConfig({ "qlik:region": "us", "qlik:allowTenantDeactivation": "true" });
        expect((await handlers.check(olds, { customers: fleet("acme", "initech") })).failures).to.equal(undefined);
    });

    it("counts a region change as a replacement", () => {
        const p = planOf({ customers: fleet("acme") }, { customers: { acme: { region: "eu" } } }, false);
        expect(p.replaced).to.deep.equal(["acme"]);
        expect(p.refused).to.deep.equal(["acme"]);
    });

    it("refuses more deletions than fleet:maxDeletions unless exactly those customers are confirmed for the run", async () => {
        setProviderConfig({ "qlik:region": "us", "qlik:allowTenantDeactivation": "true" });
        const olds = { customers: fleet("acme", "globex", "initech") };
        const r = await handlers.check(olds, { customers: {}, maxDeletions: "1" });
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].reason).to.match(
            /offboards or replaces 3 of 3 customers \(acme, globex, initech\), more than fleet:maxDeletions allows \(1\).*QLIK_FLEET_CONFIRM_DELETIONS=acme,globex,initech/,
        );
        expect(
            (await handlers.check(olds, { customers: {}, maxDeletions: "1", confirmDeletions: ["acme", "globex"] }))
                .failures,
            "partial confirmation",
        ).to.have.length(1);
        const ok = await handlers.check(olds, {
            customers: {},
            maxDeletions: "1",
            confirmDeletions: ["acme", "globex", "initech"],
        });
        expect(ok.failures).to.equal(undefined);
        expect(ok.inputs, "the confirmation is never recorded in the state").to.not.have.property("confirmDeletions");
        expect((await handlers.check(olds, { customers: fleet("acme"), maxDeletions: "70%" })).failures).to.equal(
            undefined,
        );
        expect(deletionLimit("50%", 3)).to.equal(1);
        expect(deletionLimit("2", 3)).to.equal(2);
    });

    it("rejects a malformed maxDeletions with the key and the fix", async () => {
        const r = await handlers.check({}, { customers: fleet("acme"), maxDeletions: "lots" });
        expect(r.failures![0]).to.deep.include({ property: "maxDeletions" });
        expect(r.failures![0].reason).to.match(/pulumi config set fleet:maxDeletions/);
    });
});

describe("FleetGuard: plan downgrades (issue 12)", () => {
    beforeEach(() => setProviderConfig({ "qlik:region": "us" }));
    afterEach(() => resetProviderConfig());

    const forecast = `app "Sales Forecast" published in "Globex Forecast" (sheets its users made in it are deleted with it)`;
    const authors = `shared space "Globex Authors"`;
    const premium = { region: "us", allowDeactivation: false, plan: "premium", planPieces: [forecast, authors] };
    const standard = { region: "us", allowDeactivation: false, plan: "standard", planPieces: [] as string[] };
    const acme = { region: "us", allowDeactivation: false, plan: "standard", planPieces: [] as string[] };

    it("refuses a downgrade at check() with one message per customer: alias, plans, each piece, the fix", async () => {
        const olds = {
            customers: { acme: { ...premium, planPieces: ['shared space "Acme Authors"'] }, globex: premium },
        };
        const r = await handlers.check(olds, { customers: { acme, globex: standard }, maxDeletions: "1" });
        expect(r.failures).to.have.length(2);
        const [a, g] = r.failures!;
        expect(a.property).to.equal("");
        expect(a.reason).to.contain("customer acme moves from plan premium to standard");
        expect(a.reason).to.contain('shared space "Acme Authors"');
        expect(a.reason).to.not.contain("Globex");
        expect(g.reason).to.contain("customer globex moves from plan premium to standard, which DELETES: ");
        expect(g.reason).to.contain(forecast);
        expect(g.reason).to.contain(authors);
        expect(g.reason).to.contain("QLIK_FLEET_CONFIRM_DOWNGRADES=globex");
        expect(g.reason).to.contain("`pulumi config set fleet:confirmDowngrades globex`");
        expect(r.inputs).to.equal(undefined);
    });

    it("matches keyed pieces by their key: a rename keeps the piece, a lost key is named with its whole line", async () => {
        const keyed = (customer: string, app: string) => ({
            ...premium,
            planPieces: [
                `app forecast: "${app}" published in "${customer} Forecast" (sheets its users made in it are deleted with it)`,
                `authors space: shared space "${customer} Authors"`,
            ],
        });
        const before = { customers: { globex: keyed("Globex", "Sales Forecast") } };
        // The customer and the template app renamed in place: nothing is deleted, nothing to confirm.
        const renamed = await handlers.check(before, { customers: { globex: keyed("Globex Corp", "Forecast 2") } });
        expect(renamed.failures ?? []).to.deep.equal([]);
        const dropped = await handlers.check(before, {
            customers: { globex: { ...premium, planPieces: [keyed("Globex Corp", "Forecast 2").planPieces[1]] } },
        });
        expect(dropped.failures).to.have.length(1);
        expect(dropped.failures![0].reason).to.contain(
            'app forecast: "Sales Forecast" published in "Globex Forecast" (sheets its users made in it are deleted with it)',
        );
        expect(dropped.failures![0].reason).to.not.contain("authors space");
    });

    it("names only the pieces that go (a partial downgrade)", async () => {
        const r = await handlers.check(
            { customers: { globex: premium } },
            { customers: { globex: { ...premium, plan: "plus", planPieces: [authors] } } },
        );
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].reason).to.contain("from plan premium to plus");
        expect(r.failures![0].reason).to.contain(forecast);
        expect(r.failures![0].reason).to.not.contain(authors);
    });

    it("names a plan whose catalogue dropped a piece (same plan name) without calling it a move", async () => {
        const r = await handlers.check(
            { customers: { globex: premium } },
            { customers: { globex: { ...premium, planPieces: [forecast] } } },
        );
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].reason).to.contain(
            `customer globex stays on plan premium, but the plan no longer includes what this DELETES: ${authors}.`,
        );
    });

    it("passes a confirmed downgrade, and the confirmation is never recorded", async () => {
        const olds = { customers: { acme: premium, globex: premium } };
        const news = { customers: { acme, globex: standard }, confirmDowngrades: ["globex"] };
        const partial = await handlers.check(olds, news);
        expect(partial.failures, "only acme is still refused").to.have.length(1);
        expect(partial.failures![0].reason).to.match(/^customer acme /);
        const ok = await handlers.check(olds, { ...news, confirmDowngrades: ["acme", "globex"] });
        expect(ok.failures).to.equal(undefined);
        expect(ok.inputs).to.not.have.property("confirmDowngrades");
        expect((ok.inputs as { customers: Record<string, unknown> }).customers.globex).to.deep.equal(standard);
        const created = await handlers.create(ok.inputs!);
        expect(created.outs).to.not.have.property("confirmDowngrades");
        const updated = await handlers.update("fleet-guard", olds, { ...ok.inputs!, confirmDowngrades: ["acme"] });
        expect(updated.outs).to.not.have.property("confirmDowngrades");
    });

    it("passes an upgrade, an unchanged fleet and a reordered list of the same pieces", async () => {
        const olds = { customers: { acme, globex: standard } };
        expect((await handlers.check(olds, { customers: { acme, globex: premium } })).failures).to.equal(undefined);
        const prem = { customers: { acme, globex: premium } };
        expect((await handlers.check(prem, prem)).failures).to.equal(undefined);
        const reordered = { customers: { acme, globex: { ...premium, planPieces: [authors, forecast] } } };
        expect((await handlers.check(prem, reordered)).failures).to.equal(undefined);
    });

    it("passes a record from before plans (no planPieces) and unknown pieces during a preview", async () => {
        const before = { customers: { globex: { region: "us", allowDeactivation: false } } };
        expect((await handlers.check(before, { customers: { globex: standard } })).failures).to.equal(undefined);
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const prem = { customers: { globex: premium } };
        expect(
            (await handlers.check(prem, { customers: { globex: { ...standard, planPieces: unknown } } })).failures,
        ).to.equal(undefined);
        expect(
            (await handlers.check(prem, { customers: { globex: { ...standard, planPieces: [unknown] } } })).failures,
        ).to.equal(undefined);
    });

    it("refuses a customer whose recorded pieces are no longer passed at all (planPieces left out, or a customers list)", async () => {
        // A program that writes `...(pieces.length ? { planPieces: pieces } : {})`, or goes back to a list of aliases,
        // deletes the pieces just the same: the guard must not be bypassed by how "none" is spelled.
        const prem = { customers: { globex: premium } };
        for (const globex of [{ region: "us", allowDeactivation: false, plan: "standard" }, { region: "us" }]) {
            const r = await handlers.check(prem, { customers: { globex } });
            expect(r.failures, JSON.stringify(globex)).to.have.length(1);
            expect(r.failures![0].reason).to.include(`DELETES: ${forecast}; ${authors}`);
        }
        expect(
            (
                await handlers.check(prem, {
                    customers: { globex: { region: "us", plan: "standard" } },
                    confirmDowngrades: ["globex"],
                })
            ).failures,
        ).to.equal(undefined);
    });

    it("keeps today's rules for an offboarded premium customer (no downgrade message)", async () => {
        const olds = { customers: { acme, globex: premium } };
        const r = await handlers.check(olds, { customers: { acme } });
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].reason).to.match(/customer globex is no longer declared \(offboarding\)/);
        expect(r.failures![0].reason).to.not.contain("DELETES");
        setProviderConfig({ "qlik:region": "us", "qlik:allowTenantDeactivation": "true" });
        expect((await handlers.check(olds, { customers: { acme } })).failures).to.equal(undefined);
        expect(planOf(olds, { customers: { acme } }, true).downgrades).to.deep.equal([]);
    });

    it("rejects malformed plan fields naming the field", async () => {
        const r = await handlers.check(
            {},
            { customers: { globex: { region: "us", plan: 3, planPieces: "shared space" } } },
        );
        expect(r.failures!.map((f) => f.property)).to.have.members([
            "customers.globex.planPieces",
            "customers.globex.plan",
        ]);
        expect(r.failures!.find((f) => f.property.endsWith("planPieces"))!.reason).to.match(/list of strings/);
    });
});

describe("FleetGuard and shards: a shard edit without a move, and a rebalance in progress", () => {
    beforeEach(() => setProviderConfig({ "qlik:region": "us", "qlik:allowTenantDeactivation": "true" }));
    afterEach(() => resetProviderConfig());

    it("refuses a customer whose customers.shard was edited (declared by another shard), even with every opt-in", async () => {
        const olds = { customers: fleet("acme", "globex") };
        const r = await handlers.check(olds, {
            customers: fleet("acme"),
            otherShards: { globex: 2, initech: 1 },
            confirmDeletions: ["globex"],
        });
        expect(r.failures).to.have.length(1);
        expect(r.failures![0].reason).to.match(
            /customer globex is now in shard 2 \(customers.shard\).*NOTHING of globex is changed.*rebalance --move globex --to 2 --yes/,
        );
        const p = planOf(olds, { customers: fleet("acme"), otherShards: { globex: 2 } }, true);
        expect(p.offboarded).to.deep.equal([]);
        expect(p.shardEdits).to.deep.equal([{ alias: "globex", shard: 2 }]);
        // A real offboarding next to it is still an offboarding (allowed here by the opt-in).
        const both = planOf(fleet3(), { customers: fleet("acme"), otherShards: { globex: 2 } }, true);
        expect(both.offboarded).to.deep.equal(["initech"]);
    });

    it("after a finished move (alias gone from the record) the source shard previews clean; otherShards is never recorded", async () => {
        const r = await handlers.check(
            { customers: fleet("acme") },
            { customers: fleet("acme"), otherShards: { globex: 1 } },
        );
        expect(r.failures).to.equal(undefined);
        expect(r.inputs).to.not.have.property("otherShards");
        const bad = await handlers.check({}, { customers: fleet("acme"), otherShards: { globex: -1 } });
        expect(bad.failures![0]).to.deep.include({ property: "otherShards" });
    });

    it("a record marked moving refuses every run of that stack, naming the command that finishes the move", async () => {
        const olds = {
            customers: { ...fleet("acme"), globex: { region: "us", moving: { from: "dev", to: "dev-1", shard: 1 } } },
        };
        for (const news of [{ customers: fleet("acme", "globex") }, { customers: fleet("acme") }]) {
            const r = await handlers.check(olds, news);
            expect(r.failures).to.have.length(1);
            expect(r.failures![0].reason).to.match(
                /customer globex is being moved from stack dev to dev-1 by a rebalance that did not finish.*rebalance --move globex --to 1 --yes/,
            );
        }
    });
});

const fleet3 = () => ({ customers: fleet("acme", "globex", "initech") });
