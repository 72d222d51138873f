// QlikTenant handlers in-process against the emulator: create/adopt/read/update/guarded delete.
import { expect } from "chai";
import { step } from "../../support/steps";
import { handlers } from "../../../provider/resources/qlikTenant";
import { UNKNOWN } from "../../../provider/resources/handlers";
import { pendingFor, recordPending } from "../../../provider/resources/tenantJournal";
import { asBot, EmuContext, lastSeq, requestLog, startEmu, type Outputs } from "../../support/handlerEmulator";
import type { JsonBody } from "../../support/http";

describe("QlikTenant handlers (emulator)", function () {
    this.timeout(300_000); // the lifecycle is one test of many steps; generous for a busy machine
    let ctx: EmuContext;
    const tenantCreates = async (since: number) =>
        (await requestLog(ctx.emu, since)).filter((r) => r.method === "POST" && r.path === "/api/v1/tenants");

    before(async () => {
        ctx = await startEmu();
    });
    after(async () => ctx?.restore());

    it("the lifecycle of one tenant, step by step (each step works on the tenant the previous ones left)", async () => {
        let outs: Outputs;
        await step("creates a tenant with name and alias, reading the license key from the source tenant", async () => {
            const since = await lastSeq(ctx.emu);
            const r = await handlers.create({
                alias: "acme",
                displayName: "Acme Corp",
                enableAppOpeningFeedback: false,
            });
            outs = r.outs as Outputs;
            expect(r.id).to.equal(outs.tenantId);
            expect(outs.hostname).to.equal(`acme.${ctx.emu.info.region}.${ctx.emu.info.domain}`);
            expect(outs.hostnames).to.deep.equal([outs.systemHostname, outs.hostname]);
            expect(outs).to.include({
                alias: "acme",
                displayName: "Acme Corp",
                status: "active",
                region: ctx.emu.info.region,
                enableAppOpeningFeedback: false,
            });
            const log = await requestLog(ctx.emu, since);
            expect(log.map((l) => `${l.method} ${l.host} ${l.path.split("?")[0]}`)).to.include.members([
                `GET ${ctx.emu.info.sourceTenant.hostname} /api/v1/licenses/overview`,
                `POST ${ctx.emu.info.registerHost} /api/v1/tenants`,
            ]);
            // the tenant answers on its alias
            const me = await asBot(ctx.emu, outs.hostname, `/api/v1/tenants/${outs.tenantId}`);
            expect(me.body.name).to.equal("Acme Corp");
        });

        await step("adopts the tenant that already owns the alias instead of creating a second one", async () => {
            const since = await lastSeq(ctx.emu);
            const r = await handlers.create({ alias: "acme", displayName: "Acme Renamed" });
            expect(r.id).to.equal(outs.tenantId);
            expect((r.outs as Outputs).displayName).to.equal("Acme Renamed");
            expect(await tenantCreates(since)).to.have.length(0);
            outs = r.outs as Outputs;
        });

        await step("read reports the live state and inputs that reproduce it; drift shows", async () => {
            const same = await handlers.read(outs.tenantId, outs);
            expect(same.id).to.equal(outs.tenantId);
            expect(same.props).to.deep.equal(outs);
            expect(same.inputs).to.include({ alias: "acme", displayName: "Acme Renamed" });
            expect(same.inputs).to.not.have.property("region");

            await asBot(ctx.emu, outs.hostname, `/api/v1/tenants/${outs.tenantId}`, {
                method: "PATCH",
                body: [{ op: "replace", path: "/name", value: "Hand edited" }],
            });
            const drifted = await handlers.read(outs.tenantId, outs);
            expect(drifted.props!.displayName).to.equal("Hand edited");
            const d = await handlers.diff(outs.tenantId, drifted.props!, {
                alias: "acme",
                displayName: "Acme Renamed",
            });
            expect(d.changes).to.equal(true);
            expect(d.replaces).to.deep.equal([]);
        });

        await step("diff: name/alias/flags update in place, region/datacenter replace, unknowns count", async () => {
            const base = { alias: "acme", displayName: outs.displayName };
            expect((await handlers.diff(outs.tenantId, outs, base)).changes).to.equal(false);
            expect(await handlers.diff(outs.tenantId, outs, { ...base, alias: "acme2" })).to.include({
                changes: true,
                deleteBeforeReplace: false,
            });
            expect((await handlers.diff(outs.tenantId, outs, { ...base, region: "eu" })).replaces).to.deep.equal([
                "region",
            ]);
            expect((await handlers.diff(outs.tenantId, outs, { ...base, datacenter: "us-east-1" })).changes).to.equal(
                outs.datacenter !== "us-east-1",
            );
            expect(
                (await handlers.diff(outs.tenantId, outs, { ...base, datacenter: "eu-west-1" })).replaces,
            ).to.deep.equal(["datacenter"]);
            expect((await handlers.diff(outs.tenantId, outs, { ...base, displayName: UNKNOWN })).changes).to.equal(
                true,
            );
            expect(
                (await handlers.diff(outs.tenantId, outs, { ...base, enableAppOpeningFeedback: true })).changes,
            ).to.equal(true);
            // A flag is compared only once it is managed (declared); declaring it is a change.
            expect(
                (
                    await handlers.diff(
                        outs.tenantId,
                        { ...outs, enableAppOpeningFeedback: false },
                        { ...base, enableAppOpeningFeedback: false },
                    )
                ).changes,
            ).to.equal(false);
        });

        await step("update renames and moves the alias in place", async () => {
            const r = await handlers.update(outs.tenantId, outs, {
                alias: "acme-two",
                displayName: "Acme Two",
                enableAppOpeningFeedback: true,
            });
            const o = r.outs as Outputs;
            expect(o).to.include({
                tenantId: outs.tenantId,
                alias: "acme-two",
                displayName: "Acme Two",
                enableAppOpeningFeedback: true,
            });
            expect(o.hostname).to.equal(`acme-two.${ctx.emu.info.region}.${ctx.emu.info.domain}`);
            expect(o.systemHostname).to.equal(outs.systemHostname);
            outs = o;
        });

        await step(
            "delete without the opt-in refuses, says so and how to allow it, and the tenant stays active",
            async () => {
                const since = await lastSeq(ctx.emu);
                let err: Error | undefined;
                try {
                    await handlers.delete(outs.tenantId, outs);
                } catch (e) {
                    err = e as Error;
                }
                expect(err?.message).to.match(/NOT deactivated/);
                expect(err?.message).to.include("pulumi config set qlik:allowTenantDeactivation true");
                expect(err?.message).to.include("allowDeactivation: true");
                expect(err?.message).to.include("pulumi state delete");
                expect((await requestLog(ctx.emu, since)).filter((l) => l.path.includes("deactivate"))).to.have.length(
                    0,
                );
                expect((await handlers.read(outs.tenantId, outs)).props!.status).to.equal("active");
            },
        );

        await step("a deactivated tenant reads as disabled and update reactivates it", async () => {
            await handlers.delete(outs.tenantId, { ...outs, allowDeactivation: true, purgeAfterDays: 12 });
            const reg = await asBot(ctx.emu, ctx.emu.info.registerHost, `/api/v1/tenants/${outs.tenantId}`);
            expect(reg.body.status).to.equal("disabled");
            const read = await handlers.read(outs.tenantId, outs);
            expect(read.id).to.equal(outs.tenantId);
            expect(read.props!.status).to.equal("disabled");
            const d = await handlers.diff(outs.tenantId, read.props!, { alias: "acme-two", displayName: "Acme Two" });
            expect(d.changes).to.equal(true);
            const up = await handlers.update(outs.tenantId, read.props!, {
                alias: "acme-two",
                displayName: "Acme Two",
            });
            expect((up.outs as Outputs).status).to.equal("active");
        });

        await step(
            "delete with the config opt-in deactivates with qlik-confirm-hostname and purgeAfterDays",
            async () => {
                process.env.QLIK_ALLOW_TENANT_DEACTIVATION = "true";
                process.env.QLIK_PURGE_AFTER_DAYS = "15";
                try {
                    await handlers.delete(outs.tenantId, outs);
                } finally {
                    delete process.env.QLIK_ALLOW_TENANT_DEACTIVATION;
                    delete process.env.QLIK_PURGE_AFTER_DAYS;
                }
                const reg = await asBot(ctx.emu, ctx.emu.info.registerHost, `/api/v1/tenants/${outs.tenantId}`);
                expect(reg.body.status).to.equal("disabled");
                // reactivate for the next case via the handlers
                await handlers.update(
                    outs.tenantId,
                    { ...outs, status: "disabled" },
                    { alias: "acme-two", displayName: "Acme Two" },
                );
            },
        );

        await step("create refuses an alias held by a deactivated tenant, naming it", async () => {
            await handlers.delete(outs.tenantId, { ...outs, allowDeactivation: true });
            const since = await lastSeq(ctx.emu);
            let err: Error | undefined;
            try {
                await handlers.create({ alias: "acme-two", displayName: "Again" });
            } catch (e) {
                err = e as Error;
            }
            expect(err?.message).to.match(/DEACTIVATED/);
            expect(await tenantCreates(since)).to.have.length(0);
        });
    });

    it("adopts a tenant that an interrupted run created but never named (the local create journal)", async () => {
        // What a run that died right after POST /api/v1/tenants leaves: a nameless tenant, and its journal entry.
        const reg = ctx.emu.info.registerHost;
        const made = await asBot(ctx.emu, reg, "/api/v1/tenants", {
            method: "POST",
            body: { licenseKey: ctx.emu.info.licenseKey },
        });
        expect(made.status, made.text).to.equal(201);
        const aliasHost = `orphan.${ctx.emu.info.region}.${ctx.emu.info.domain}`;
        recordPending({
            aliasHost,
            tenantId: made.body.id,
            systemHostname: made.body.hostnames[0],
            createdAt: new Date().toISOString(),
        });

        const since = await lastSeq(ctx.emu);
        const r = await handlers.create({ alias: "orphan", displayName: "Orphan Inc" });
        expect(r.id).to.equal(made.body.id);
        expect((r.outs as Outputs).hostname).to.equal(aliasHost);
        expect(await tenantCreates(since)).to.have.length(0);
        expect(pendingFor(aliasHost)).to.deep.equal([]);
    });
});

describe("QlikTenant ownership (emulator)", function () {
    this.timeout(120_000); // one test of three steps; generous for a busy machine
    let ctx: EmuContext;
    const A = "org/fleet/stack-a";
    const B = "org/fleet/stack-b";
    before(async () => {
        ctx = await startEmu();
    });
    after(async () => ctx?.restore());

    // Writes to the Qlik APIs (an OAuth token request is not a change).
    const writes = async (since: number) =>
        (await requestLog(ctx.emu, since)).filter((r) => r.method !== "GET" && r.path.startsWith("/api/"));

    it("two owners of one tenant, step by step (each step works on the tenant the previous ones left)", async () => {
        let a: Outputs;
        await step("create marks the tenant with its owner and claim (a marker space inside the tenant)", async () => {
            a = (await handlers.create({ alias: "owned", displayName: "Owned", owner: A })).outs as Outputs;
            expect(a.owner).to.equal(A);
            expect(a.claim).to.match(/^[0-9a-f]{12}$/);
            const spaces = await asBot(ctx.emu, a.systemHostname, "/api/v1/spaces?limit=100");
            const marker = (spaces.body.data as JsonBody[]).find((s) => s.name === "qlik-tenant-fleet.owner.tenant");
            expect(marker?.description).to.equal(`[qtf:${A}#${a.claim}]`);
            const same = await handlers.read(a.tenantId, a);
            expect(same.inputs).to.include({ owner: A });
            expect(
                (await handlers.diff(a.tenantId, same.props!, { alias: "owned", displayName: "Owned", owner: A }))
                    .changes,
            ).to.equal(false);
        });

        await step("another owner's create fails before any change, naming the owner and takeOverFrom", async () => {
            const since = await lastSeq(ctx.emu);
            let err: Error | undefined;
            try {
                await handlers.create({ alias: "owned", displayName: "Taken", owner: B });
            } catch (e) {
                err = e as Error;
            }
            expect(err?.message)
                .to.contain(`managed by "${A}"`)
                .and.contain(`takeOverFrom: "${A}"`)
                .and.contain("nothing was changed");
            expect(await writes(since)).to.deep.equal([]);
            const t = await asBot(ctx.emu, a.systemHostname, `/api/v1/tenants/${a.tenantId}`);
            expect(t.body.name).to.equal("Owned");
        });

        await step(
            "takeOverFrom adopts and re-marks; the first owner's refresh shows the owner drift and its update refuses",
            async () => {
                const b = (await handlers.create({ alias: "owned", displayName: "Taken", owner: B, takeOverFrom: A }))
                    .outs as Outputs;
                expect(b).to.include({ tenantId: a.tenantId, owner: B, displayName: "Taken" });
                const refreshed = await handlers.read(a.tenantId, a);
                expect(refreshed.inputs).to.include({ owner: B });
                expect(
                    (
                        await handlers.diff(a.tenantId, refreshed.props!, {
                            alias: "owned",
                            displayName: "Owned",
                            owner: A,
                        })
                    ).changes,
                ).to.equal(true);
                const since = await lastSeq(ctx.emu);
                let err: Error | undefined;
                try {
                    await handlers.update(a.tenantId, refreshed.props!, {
                        alias: "owned",
                        displayName: "Owned",
                        owner: A,
                    });
                } catch (e) {
                    err = e as Error;
                }
                expect(err?.message).to.contain(`managed by "${B}"`);
                expect(await writes(since)).to.deep.equal([]);
                // Replacement safety: A's delete sees B's claim and leaves the tenant active.
                await handlers.delete(a.tenantId, { ...a, allowDeactivation: true });
                const t = await asBot(ctx.emu, a.systemHostname, `/api/v1/tenants/${a.tenantId}`);
                expect(t.body.status).to.equal("active");
            },
        );
    });

    it("a tenant without a marker (made by hand) is adopted and marked", async () => {
        const made = await asBot(ctx.emu, ctx.emu.info.registerHost, "/api/v1/tenants", {
            method: "POST",
            body: { licenseKey: ctx.emu.info.licenseKey },
        });
        const sys = made.body.hostnames[0];
        await asBot(ctx.emu, sys, `/api/v1/tenants/${made.body.id}`, {
            method: "PATCH",
            body: [
                { op: "replace", path: "/hostnames/1", value: `byhand.${ctx.emu.info.region}.${ctx.emu.info.domain}` },
            ],
        });
        const r = (await handlers.create({ alias: "byhand", displayName: "By hand", owner: B })).outs as Outputs;
        expect(r.tenantId).to.equal(made.body.id);
        expect((await handlers.read(r.tenantId, r)).inputs).to.include({ owner: B });
    });
});
