// GroupSet handlers in-process against the emulator: create/adopt, roles fixed, removed groups
// deleted, unmanaged groups reported (and pruned only on request).
import { expect } from "chai";
import { handlers } from "../../../provider/resources/groupSet";
import { asBot, EmuContext, makeTenant, startEmu } from "./r1Helpers";

describe("GroupSet handlers (emulator)", function () {
    this.timeout(30_000);
    let ctx: EmuContext;
    let host: string;
    let id: string;
    let outs: Record<string, any>;
    const liveGroups = async () => {
        const r = await asBot(ctx.emu, host, "/api/v1/groups?limit=100");
        return Object.fromEntries((r.body.data as any[]).map((g) => [g.name, (g.assignedRoles as { name: string }[]).map((x) => x.name).sort()]));
    };

    before(async () => {
        ctx = await startEmu();
        host = (await makeTenant("grp-co")).hostname;
    });
    after(async () => ctx?.restore());

    it("creates missing groups, adopts an existing one by name and fixes its roles, sets autoCreateGroups", async () => {
        const pre = await asBot(ctx.emu, host, "/api/v1/groups", { method: "POST", body: { name: "analysts", assignedRoles: [{ name: "Developer" }] } });
        const r = await handlers.create({ tenantHost: host, autoCreateGroups: true, groups: [
            { name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] },
            { name: "viewers", roles: [], description: "read only" },
        ] });
        id = r.id;
        outs = r.outs as Record<string, any>;
        expect(outs.groupIds.analysts).to.equal(pre.body.id);
        expect(outs.groupIds.viewers).to.match(/^[0-9a-f]{24}$/);
        expect(outs.groups).to.deep.equal([{ name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] }, { name: "viewers", roles: [], description: "read only" }]);
        expect(outs.autoCreateGroups).to.equal(true);
        expect(outs.unmanagedGroups).to.deep.equal([]);
        expect(await liveGroups()).to.deep.equal({ analysts: ["AuditAdmin", "SharedSpaceCreator"], viewers: [] });
    });

    it("read: unchanged is identical; a hand-added group shows in unmanagedGroups; role drift shows", async () => {
        expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
        await asBot(ctx.emu, host, "/api/v1/groups", { method: "POST", body: { name: "by-hand" } });
        await asBot(ctx.emu, host, `/api/v1/groups/${outs.groupIds.analysts}`, { method: "PATCH", body: [{ op: "replace", path: "assignedRoles", value: [{ name: "TenantAdmin" }] }] });
        const r = await handlers.read(id, outs);
        expect(r.props!.unmanagedGroups).to.deep.equal(["by-hand"]);
        expect(r.props!.groups[0]).to.deep.equal({ name: "analysts", roles: ["TenantAdmin"] });
        const news = { tenantHost: host, autoCreateGroups: true, groups: outs.groups };
        expect((await handlers.diff(id, r.props!, news)).changes).to.equal(true);
        const up = await handlers.update(id, r.props!, news);
        expect((up.outs as any).groups).to.deep.equal(outs.groups);
        // not pruned by default
        expect(await liveGroups()).to.have.property("by-hand");
        outs = up.outs as Record<string, any>;
    });

    it("update removes a dropped group, adds a new one; pruneUnmanaged deletes strays", async () => {
        const news = { tenantHost: host, groups: [{ name: "analysts", roles: ["SharedSpaceCreator", "AuditAdmin"] }, { name: "admins", roles: ["TenantAdmin"] }], pruneUnmanaged: true };
        expect((await handlers.diff(id, outs, news)).changes).to.equal(true);
        const r = await handlers.update(id, outs, news);
        outs = r.outs as Record<string, any>;
        expect(await liveGroups()).to.deep.equal({ analysts: ["AuditAdmin", "SharedSpaceCreator"], admins: ["TenantAdmin"] });
        expect(outs.unmanagedGroups).to.deep.equal([]);
        expect(Object.keys(outs.groupIds).sort()).to.deep.equal(["admins", "analysts"]);
    });

    it("delete removes the managed groups only", async () => {
        await asBot(ctx.emu, host, "/api/v1/groups", { method: "POST", body: { name: "outsider" } });
        await handlers.delete(id, outs);
        expect(await liveGroups()).to.deep.equal({ outsider: [] });
    });
});
