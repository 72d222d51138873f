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
