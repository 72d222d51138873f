// Example: offboarding. Deleting a customer's row makes `up` want to delete the tenant; the guard refuses
// (the tenant stays active and its users keep working) until the ISV opts in, then the tenant is deactivated.
import { expect } from "chai";
import Database = require("better-sqlite3");
import { describeFleet } from "./fixtures/fleetSuite";

interface TenantRecord {
    id: string;
    status: string;
}

describeFleet("fleet example: offboarding a customer", ["acme", "globex"], (current) => {
    it("refuses to deactivate without the opt-in, then deactivates with it", async () => {
        const fleet = current();
        const out = await fleet.outputs();
        const globexId = out.tenants.globex.tenantId;
        const db = new Database(fleet.masterDb);
        db.pragma("foreign_keys = ON");
        db.prepare("DELETE FROM customers WHERE alias = 'globex'").run();
        db.close();

        const refused = await fleet.project.run(["up", "--yes"], { allowFailure: true });
        expect(refused.code).to.not.equal(0);
        expect(refused.output).to.match(/allowTenantDeactivation|allowDeactivation/);
        const live = () => fleet.emu.emu.store.get<TenantRecord>("tenants", globexId)!;
        expect(live().status).to.equal("active");

        await fleet.project.run(["config", "set", "qlik:allowTenantDeactivation", "true"]);
        // --skip-preview: what up previews is not checked here, and it costs as much as the update (docs/benchmark.md)
        await fleet.project.run(["up", "--yes", "--skip-preview"]);
        expect(live().status).to.equal("disabled");
        const after = await fleet.outputs();
        expect(Object.keys(after.tenants)).to.deep.equal(["acme"]);
        // The remaining customer is unaffected.
        const d = await fleet.dashboardOf("acme", after);
        expect(d.sees.orders).to.equal(d.truth.orders);
    });
});
