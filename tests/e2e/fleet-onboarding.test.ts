// Example: onboarding. A row inserted into the master database becomes a tenant on the next `up`;
// nothing else in the fleet changes.
import { expect } from "chai";
import { step } from "../support/steps";
import Database = require("better-sqlite3");
import { Fleet, smallCustomer } from "./fleet-fixture";
import { addCustomer } from "../../scripts/seed";

describe("fleet example: onboarding one more customer", function () {
    this.timeout(600_000); // one test runs every step; generous for a busy machine
    let fleet: Fleet;
    before(async () => {
        fleet = await Fleet.start(["acme", "globex"]);
    });
    after(async () => fleet?.close());

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step("creates the two customers' tenants, and each user sees their own data", async () => {
            // --skip-preview: what up previews is not checked here, and it costs as much as the update (docs/benchmark.md)
            await fleet.project.run(["up", "--yes", "--skip-preview"]);
            const out = await fleet.outputs();
            expect(Object.keys(out.tenants).sort()).to.deep.equal(["acme", "globex"]);
            await fleet.expectEachSeesOwnData(["acme", "globex"], out);
        });

        await step("a new row creates exactly that customer's resources; the others are untouched", async () => {
            const before = await fleet.outputs();
            const db = new Database(fleet.masterDb);
            db.pragma("foreign_keys = ON");
            addCustomer(db, fleet.masterDb, smallCustomer("initech", 90));
            db.close();

            const preview = await fleet.project.run(["preview", "--diff"]);
            expect(preview.output).to.match(/\+ 7 to create/);
            expect(preview.output).to.not.match(/to update|to replace|to delete/);

            await fleet.project.run(["up", "--yes", "--skip-preview"]);
            const after = await fleet.outputs();
            expect(after.tenants.acme).to.deep.equal(before.tenants.acme);
            expect(after.tenants.globex).to.deep.equal(before.tenants.globex);
            expect(after.tenants.initech.hostname).to.equal("initech.us.qlikcloud.com");
            const d = await fleet.dashboardOf("initech", after);
            expect(d.sees.orders).to.equal(90);
            expect(d.sees.revenue).to.be.closeTo(d.truth.amount, 0.01);

            await fleet.project.run(["preview", "--expect-no-changes"]);
        });
    });
});
