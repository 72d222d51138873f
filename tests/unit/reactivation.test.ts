// Re-onboarding a deactivated customer (issue 9.7): QlikTenant's handlers in-process against the emulator.
// Without the opt-in the create fails and names it; with `reactivate: true` the same tenant (same id,
// same content) is reactivated and adopted, with no hand-made REST call.
import { expect } from "chai";
import { handlers } from "../../provider/resources/qlikTenant";
import { resetProviderConfig } from "../../provider/config";
import { asBot, EmuContext, lastSeq, requestLog, startEmu } from "../support/handlerEmulator";

describe("QlikTenant reactivation behind an opt-in", function () {
    this.timeout(60_000);
    let ctx: EmuContext;
    before(async () => {
        ctx = await startEmu();
    });
    after(async () => ctx?.restore());

    it("refuses without the opt-in, reactivates and adopts the same tenant with it", async () => {
        const made = await handlers.create({ alias: "phoenix", displayName: "Phoenix" });
        const id = made.id;
        const outs = made.outs as { hostname: string };
        // A space made in the tenant before offboarding: it must be there after re-onboarding.
        const space = await asBot(ctx.emu, outs.hostname, "/api/v1/spaces", {
            method: "POST",
            body: { name: "Kept", type: "shared" },
        });
        expect(space.status, space.text).to.equal(201);
        await handlers.delete(id, { ...outs, allowDeactivation: true });
        const gone = await asBot(ctx.emu, outs.hostname, "/api/v1/spaces").then(
            () => "answered",
            (e: Error) => e.message,
        );
        expect(gone, "the deactivated tenant answers nothing").to.match(/TENANT_DISABLED/);

        let refused: Error | undefined;
        try {
            await handlers.create({ alias: "phoenix", displayName: "Phoenix" });
        } catch (e) {
            refused = e as Error;
        }
        expect(refused?.message).to.match(/DEACTIVATED tenant.*reactivate: true.*qlik:reactivateTenants/);

        const check = await handlers.check({}, { alias: "phoenix", displayName: "Phoenix", reactivate: "not an id!" });
        expect(check.failures?.map((f) => f.property)).to.deep.equal(["reactivate"]);

        // The preview of that create names the tenant it will reactivate, from this machine's record and
        // without any API call; an existing resource's check never claims a reactivation.
        const beforeCheck = await lastSeq(ctx.emu);
        const preview = await handlers.check(
            {},
            { alias: "phoenix", displayName: "Phoenix", hostname: outs.hostname, reactivate: true },
        );
        expect(preview.failures ?? []).to.deep.equal([]);
        expect((preview.inputs as Record<string, unknown>).reactivatesTenant).to.equal(id);
        const byId = await handlers.check(
            {},
            { alias: "phoenix", displayName: "Phoenix", hostname: outs.hostname, reactivate: id },
        );
        expect((byId.inputs as Record<string, unknown>).reactivatesTenant).to.equal(id);
        const update = await handlers.check(
            { alias: "phoenix", displayName: "Old" },
            { alias: "phoenix", displayName: "Phoenix", hostname: outs.hostname, reactivate: true },
        );
        expect(update.inputs).to.not.have.property("reactivatesTenant");
        const optOut = await handlers.check({}, { alias: "phoenix", displayName: "Phoenix", hostname: outs.hostname });
        expect(optOut.inputs).to.not.have.property("reactivatesTenant");
        expect(await lastSeq(ctx.emu), "check() made no API call").to.equal(beforeCheck);

        const since = await lastSeq(ctx.emu);
        const again = await handlers.create({ alias: "phoenix", displayName: "Phoenix", reactivate: true });
        expect(again.id, "the same tenant, not a new one").to.equal(id);
        expect((again.outs as { status: string }).status).to.equal("active");
        const log = await requestLog(ctx.emu, since);
        expect(log.filter((r) => r.method === "POST" && r.path === "/api/v1/tenants")).to.have.length(0);
        expect(log.some((r) => r.path === `/api/v1/tenants/${id}/actions/reactivate`)).to.equal(true);
        const spaces = await asBot(ctx.emu, outs.hostname, "/api/v1/spaces");
        expect(spaces.status).to.equal(200);
        expect((spaces.body as { data: { name: string }[] }).data.map((s) => s.name)).to.include("Kept");
    });

    it("the stack setting qlik:reactivateTenants is the same opt-in", async () => {
        const made = await handlers.create({ alias: "lazarus", displayName: "Lazarus" });
        await handlers.delete(made.id, { ...(made.outs as Record<string, unknown>), allowDeactivation: true });
        resetProviderConfig();
        process.env.QLIK_REACTIVATE_TENANTS = "true";
        try {
            const again = await handlers.create({ alias: "lazarus", displayName: "Lazarus" });
            expect(again.id).to.equal(made.id);
        } finally {
            delete process.env.QLIK_REACTIVATE_TENANTS;
        }
    });
});
