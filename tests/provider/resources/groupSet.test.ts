// GroupSet handlers in-process against the emulator: create/adopt, roles fixed, removed groups
// deleted, unmanaged groups reported (and pruned only on request).
import { expect } from "chai";
import { step } from "../../support/steps";
import { handlers } from "../../../provider/resources/groupSet";
import { asBot, EmuContext, makeTenant, startEmu, type Outputs } from "../../support/handlerEmulator";
import { call, type JsonBody } from "../../support/http";
import { resetUnreachableReports } from "../../../provider/qlik/errors";

describe("GroupSet handlers (emulator)", function () {
    this.timeout(120_000); // the lifecycle is one test of four steps; generous for a busy machine
    let ctx: EmuContext;
    let host: string;
    const liveGroups = async () => {
        const r = await asBot(ctx.emu, host, "/api/v1/groups?limit=100");
        return Object.fromEntries(
            (r.body.data as JsonBody[]).map((g) => [
                g.name,
                (g.assignedRoles as { name: string }[]).map((x) => x.name).sort(),
            ]),
        );
    };

    before(async () => {
        ctx = await startEmu();
        host = (await makeTenant("grp-co")).hostname;
    });
    after(async () => ctx?.restore());

    it("the lifecycle of one GroupSet, step by step (each step works on the groups the previous ones left)", async () => {
        let id: string;
        let outs: Outputs;
        await step(
            "creates missing groups, adopts an existing one by name and fixes its roles, sets autoCreateGroups",
            async () => {
                const pre = await asBot(ctx.emu, host, "/api/v1/groups", {
                    method: "POST",
                    body: { name: "analysts", assignedRoles: [{ name: "Developer" }] },
                });
                const r = await handlers.create({
                    tenantHost: host,
                    autoCreateGroups: true,
                    groups: [
                        { name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] },
                        { name: "viewers", roles: [], description: "read only" },
                    ],
                });
                id = r.id;
                outs = r.outs as Outputs;
                expect(outs.groupIds.analysts).to.equal(pre.body.id);
                expect(outs.groupIds.viewers).to.match(/^[0-9a-f]{24}$/);
                expect(outs.groups).to.deep.equal([
                    { name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] },
                    { name: "viewers", roles: [], description: "read only" },
                ]);
                expect(outs.autoCreateGroups).to.equal(true);
                expect(outs.unmanagedGroups).to.deep.equal([]);
                expect(await liveGroups()).to.deep.equal({
                    analysts: ["AuditAdmin", "SharedSpaceCreator"],
                    viewers: [],
                });
            },
        );

        await step(
            "read: unchanged is identical; a hand-added group shows in unmanagedGroups; role drift shows",
            async () => {
                expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
                await asBot(ctx.emu, host, "/api/v1/groups", { method: "POST", body: { name: "by-hand" } });
                await asBot(ctx.emu, host, `/api/v1/groups/${outs.groupIds.analysts}`, {
                    method: "PATCH",
                    body: [{ op: "replace", path: "assignedRoles", value: [{ name: "TenantAdmin" }] }],
                });
                const r = await handlers.read(id, outs);
                expect(r.props!.unmanagedGroups).to.deep.equal(["by-hand"]);
                expect(r.props!.groups[0]).to.deep.equal({ name: "analysts", roles: ["TenantAdmin"] });
                const news = { tenantHost: host, autoCreateGroups: true, groups: outs.groups };
                expect((await handlers.diff(id, r.props!, news)).changes).to.equal(true);
                const up = await handlers.update(id, r.props!, news);
                expect((up.outs as Outputs).groups).to.deep.equal(outs.groups);
                // not pruned by default
                expect(await liveGroups()).to.have.property("by-hand");
                outs = up.outs as Outputs;
            },
        );

        await step("update removes a dropped group, adds a new one; pruneUnmanaged deletes strays", async () => {
            const news = {
                tenantHost: host,
                groups: [
                    { name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] },
                    { name: "admins", roles: ["TenantAdmin"] },
                ],
                pruneUnmanaged: true,
            };
            expect((await handlers.diff(id, outs, news)).changes).to.equal(true);
            const r = await handlers.update(id, outs, news);
            outs = r.outs as Outputs;
            expect(await liveGroups()).to.deep.equal({
                analysts: ["AuditAdmin", "SharedSpaceCreator"],
                admins: ["TenantAdmin"],
            });
            expect(outs.unmanagedGroups).to.deep.equal([]);
            expect(Object.keys(outs.groupIds).sort()).to.deep.equal(["admins", "analysts"]);
        });

        await step("delete removes the managed groups only", async () => {
            await asBot(ctx.emu, host, "/api/v1/groups", { method: "POST", body: { name: "outsider" } });
            await handlers.delete(id, outs);
            expect(await liveGroups()).to.deep.equal({ outsider: [] });
        });
    });
});

describe("GroupSet ownership, addressing and errors (emulator)", function () {
    this.timeout(30_000);
    let ctx: EmuContext;
    let tenant: Outputs;
    const names = async (host: string) =>
        ((await asBot(ctx.emu, host, "/api/v1/groups?limit=100")).body.data as JsonBody[]).map((g) => g.name).sort();

    before(async () => {
        ctx = await startEmu();
        tenant = await makeTenant("grp-own");
    });
    after(async () => ctx?.restore());

    it("another owner's group is not adopted: create fails before any change, naming the owner and takeOverFrom", async () => {
        const host = tenant.hostname;
        const a = await handlers.create({ tenantHost: host, owner: "org/p/a", groups: [{ name: "owned", roles: [] }] });
        const before = await asBot(ctx.emu, host, "/api/v1/groups?limit=100");
        let err: Error | undefined;
        try {
            await handlers.create({
                tenantHost: host,
                owner: "org/p/b",
                autoCreateGroups: false,
                groups: [
                    { name: "owned", roles: ["Developer"] },
                    { name: "fresh", roles: [] },
                ],
            });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.contain('managed by "org/p/a"').and.contain('takeOverFrom: "org/p/a"');
        expect((await asBot(ctx.emu, host, "/api/v1/groups?limit=100")).body.data).to.deep.equal(before.body.data);
        await handlers.delete(a.id, a.outs!);
    });

    it("a replacement that adopts the groups keeps them: the old resource's delete leaves the successor's groups", async () => {
        const host = tenant.hostname;
        const inputs = {
            tenantHost: host,
            owner: "org/p/a",
            groups: [
                { name: "keep-a", roles: [] },
                { name: "keep-b", roles: ["Developer"] },
            ],
        };
        const old = await handlers.create(inputs);
        const successor = await handlers.create(inputs); // create-before-delete: adopts by name, re-marks
        await handlers.delete(old.id, old.outs!);
        expect(await names(host)).to.include.members(["keep-a", "keep-b"]);
        await handlers.delete(successor.id, successor.outs!);
        expect(await names(host)).to.not.include.members(["keep-a"]);
    });

    it("a reorder of groups or roles is no change (no order-only noise)", async () => {
        const inputs = {
            tenantHost: tenant.hostname,
            owner: "org/p/a",
            groups: [
                { name: "o-1", roles: ["Developer", "Steward"] },
                { name: "o-2", roles: [] },
            ],
        };
        const r = await handlers.create(inputs);
        const reordered = {
            ...inputs,
            groups: [
                { name: "o-2", roles: [] },
                { name: "o-1", roles: ["Steward", "Developer"] },
            ],
        };
        expect((await handlers.diff(r.id, r.outs!, reordered)).changes).to.equal(false);
        expect(
            (
                await handlers.diff(r.id, r.outs!, {
                    ...inputs,
                    groups: [
                        { name: "o-1", roles: ["Steward"] },
                        { name: "o-2", roles: [] },
                    ],
                })
            ).changes,
        ).to.equal(true);
        await handlers.delete(r.id, r.outs!);
    });

    it("tenantHost switched between the alias host and the system host is an in-place update; nothing is lost", async () => {
        const inputs = { tenantHost: tenant.hostname, owner: "org/p/a", groups: [{ name: "sw-1", roles: [] }] };
        const r = await handlers.create(inputs);
        const o = r.outs as Outputs;
        expect(o.tenantId).to.equal(tenant.tenantId);
        const news = { ...inputs, tenantHost: tenant.systemHostname };
        expect(await handlers.diff(r.id, o, news)).to.deep.include({ changes: true, replaces: [] });
        const up = (await handlers.update(r.id, o, news)).outs as Outputs;
        expect(up).to.include({ tenantHost: tenant.systemHostname, tenantId: tenant.tenantId });
        expect(up.groupIds).to.deep.equal(o.groupIds);
        expect(await names(tenant.systemHostname)).to.include("sw-1");
        expect((await handlers.diff(r.id, up, news)).changes).to.equal(false);
        await handlers.delete(r.id, up);
    });

    it("a failed create keeps the resource and carries the API's status, code and message", async () => {
        const host = tenant.hostname;
        await asBotAdmin(ctx, { rules: [{ match: { method: "POST", path: "^/api/v1/groups$" }, action: "500" }] });
        let err: (Error & { id?: string; properties?: Outputs; reasons?: string[] }) | undefined;
        try {
            await handlers.create({ tenantHost: host, owner: "org/p/a", groups: [{ name: "never", roles: [] }] });
        } catch (e) {
            err = e as typeof err;
        } finally {
            await asBotAdmin(ctx, undefined);
        }
        expect(err?.id).to.equal(`${host}/groups`);
        expect(err?.message).to.contain("GroupSet: creating the groups").and.contain("HTTP 500").and.contain("POST");
        expect(err?.reasons?.[0]).to.equal(err?.message);
        expect(err?.properties).to.include({ tenantHost: host, owner: "org/p/a" });
    });
});

/** Sets (or with undefined clears) emulator fault rules through its admin endpoint. */
async function asBotAdmin(ctx: EmuContext, body: unknown): Promise<void> {
    await call(ctx.emu.info.httpUrl, "/_emulator/faults", {
        host: "127.0.0.1",
        method: body === undefined ? "DELETE" : "POST",
        body,
    });
}

describe("GroupSet when the Qlik endpoint stops answering (emulator stopped)", function () {
    this.timeout(60_000);
    it("the first failure names the unreachable endpoint and the fix once; the others point at it", async () => {
        const ctx = await startEmu();
        let host: string;
        let endpoint: string;
        try {
            host = (await makeTenant("grp-gone")).hostname;
            endpoint = ctx.emu.info.httpUrl;
        } finally {
            await ctx.emu.close();
        }
        resetUnreachableReports();
        const errors: string[] = [];
        try {
            for (const name of ["a", "b"]) {
                try {
                    await handlers.create({ tenantHost: host, groups: [{ name, roles: [] }] });
                } catch (e) {
                    errors.push((e as Error).message);
                }
            }
        } finally {
            await ctx.restore().catch(() => undefined);
        }
        expect(errors).to.have.length(2);
        const origin = endpoint.replace(/\/$/, "");
        expect(errors[0]).to.contain(`cannot connect to ${origin}`).and.contain("ECONNREFUSED").and.contain("FIX:");
        expect(errors[1]).to.not.contain(origin).and.not.contain("FIX:");
        expect(errors[1]).to.contain("the Qlik endpoint is unreachable");
    });
});
