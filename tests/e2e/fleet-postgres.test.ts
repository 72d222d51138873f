// The fleet stack with its master database in PostgreSQL: one connection setting (fleet:masterDb =
// postgres://user@host/db, password in the secret fleet:masterDbPassword) and the same stack program.
// The server is a real PostgreSQL engine (PGlite) reached by the stack program over the wire protocol.
import { expect } from "chai";
import { step } from "../support/steps";
import { Client } from "pg";
import { Fleet } from "./fleet-fixture";

describe("fleet example: master database in PostgreSQL", function () {
    this.timeout(600_000); // one test runs every step; generous for a busy machine
    let fleet: Fleet;
    before(async () => {
        fleet = await Fleet.start(["acme", "globex"], { masterDb: "postgres" });
    });
    after(async () => fleet?.close());

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step("provisions every customer of the PostgreSQL database; each user sees their own data", async () => {
            const up = await fleet.project.run(["up", "--yes"]);
            const out = await fleet.outputs();
            expect(Object.keys(out.tenants).sort()).to.deep.equal(["acme", "globex"]);
            await fleet.expectEachSeesOwnData(["acme", "globex"], out);
            // The master database's password is a secret: not in the state, not in what the CLI printed.
            const state = (await fleet.project.run(["stack", "export"])).stdout;
            const password = fleet.postgres!.password;
            expect(state).to.not.contain(password);
            expect(up.output).to.not.contain(password);
            expect((await fleet.project.run(["config"])).stdout).to.not.contain(password);
            await fleet.project.expectNoChanges();
        });

        await step(
            "a user added by a SQL INSERT shows as one in-place update of that customer's licenses",
            async () => {
                const c = new Client({ connectionString: fleet.masterDb });
                await c.connect();
                try {
                    await c.query(
                        "INSERT INTO users(customer_id, subject, name, email, license_type) VALUES ('cust-002', 'globex\\ben', 'Ben Ode', 'ben@globex.example', 'professional')",
                    );
                } finally {
                    await c.end();
                }
                const preview = await fleet.project.run(["preview", "--diff"]);
                expect(preview.output).to.match(/~ 1 to update/);
                expect(preview.output).to.match(/globex-licenses/);
                expect(preview.output).to.not.match(/to create|to replace|to delete/);
                // --skip-preview: what up previews is not checked here, and it costs as much as the update (docs/benchmark.md)
                await fleet.project.run(["up", "--yes", "--skip-preview"]);
                await fleet.project.run(["preview", "--expect-no-changes"]);
            },
        );
    });
});
