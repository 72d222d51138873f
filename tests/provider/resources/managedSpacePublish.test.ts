// ManagedSpacePublish handlers in-process against the emulator: space + members + first publish, adoption,
// refresh, republish on a template rollout (published id and users' sheets kept), drift, delete.
import { expect } from "chai";
import { AppsEnv, TenantRef } from "./appsFixture";
import { handlers as appCopy } from "../../../provider/resources/appCopy";
import { handlers } from "../../../provider/resources/managedSpacePublish";

describe("ManagedSpacePublish handlers (emulator)", function () {
    this.timeout(60_000);
    let env: AppsEnv;
    let tenant: TenantRef;
    let staged: Record<string, any>;
    let stagedInputs: Record<string, any>;
    let inputs: Record<string, any>;
    let outs: Record<string, any>;
    let id: string;
    let g1: string;
    let g2: string;

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenant = await env.newTenant();
        stagedInputs = { tenantHost: tenant.host, source: { appId: env.templateAppId }, name: "Sales", templateVersion: "1", spaceName: "Staging" };
        staged = (await appCopy.create(stagedInputs)).outs!;
        g1 = await env.newGroup(tenant, "analysts");
        g2 = await env.newGroup(tenant, "managers");
        inputs = {
            tenantHost: tenant.host, spaceName: "Sales (customer)", spaceDescription: "published apps",
            members: [{ groupId: g1, roles: ["consumer"] }], sourceAppId: staged.appId, publishedAppName: "Sales",
        };
    });
    after(async () => env?.close());

    it("create makes the managed space, the assignments and the first publish", async () => {
        const r = await handlers.create(inputs);
        id = r.id;
        outs = r.outs!;
        expect(outs.spaceId).to.equal(id);
        expect(outs.publishedSourceAppId).to.equal(staged.appId);
        expect(outs.assignmentIds).to.have.keys([g1]);
        const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
        expect(space).to.include({ name: "Sales (customer)", type: "managed", description: "published apps" });
        const app = await env.ok(tenant, "GET", `/api/v1/apps/${outs.publishedAppId}`);
        expect(app.attributes).to.include({ spaceId: id, originAppId: staged.appId, name: "Sales" });
        expect(app.attributes.publishTime).to.not.equal("");
    });

    it("read equals the stored outputs, and diff is empty", async () => {
        const r = await handlers.read(id, outs);
        expect(r.props).to.deep.equal(outs);
        expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(false);
    });

    it("a second create adopts the space and the published copy", async () => {
        const r = await handlers.create(inputs);
        expect(r.id).to.equal(id);
        expect(r.outs!.publishedAppId).to.equal(outs.publishedAppId);
        const items = await env.ok(tenant, "GET", `/api/v1/items?resourceType=app&spaceId=${id}`);
        expect(items.data).to.have.length(1);
    });

    it("rename, description and members update in place", async () => {
        const next = { ...inputs, spaceName: "Sales Cust", spaceDescription: "v2", members: [{ groupId: g2, roles: ["consumer", "contributor"] }, { groupId: g1, roles: ["publisher"] }] };
        const d = await handlers.diff(id, outs, next);
        expect(d.changes).to.equal(true);
        expect(d.replaces).to.deep.equal([]);
        const u = await handlers.update(id, outs, next);
        outs = u.outs!;
        inputs = next;
        const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
        expect(space).to.include({ name: "Sales Cust", description: "v2" });
        const asg = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data;
        expect(asg.map((a: any) => [a.assigneeId, [...a.roles].sort()]).sort()).to.deep.equal([[g1, ["publisher"]], [g2, ["consumer", "contributor"]]].sort());
        const shrink = { ...inputs, members: [{ groupId: g2, roles: ["consumer"] }] };
        outs = (await handlers.update(id, outs, shrink)).outs!;
        inputs = shrink;
        const after = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data;
        expect(after.map((a: any) => a.assigneeId)).to.deep.equal([g2]);
        expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
    });

    it("a template rollout republishes into the same app: id kept, user sheets kept, template sheets replaced", async () => {
        const published = outs.publishedAppId;
        await env.createObject(tenant, published, { qInfo: { qId: "my-own-sheet", qType: "sheet" }, qMetaDef: { title: "Mine" } });
        // The ISV's new template release: a different sheet.
        await env.createObject(env.source, env.templateAppId, { qInfo: { qId: "template-sheet-2", qType: "sheet" }, qMetaDef: { title: "New" } });
        const staged2 = (await appCopy.update(staged.appId, staged, { ...stagedInputs, templateVersion: "2" })).outs!;
        expect(staged2.appId).to.not.equal(staged.appId);
        const next = { ...inputs, sourceAppId: staged2.appId };
        expect((await handlers.diff(id, outs, next)).changes).to.equal(true);
        const u = await handlers.update(id, outs, next);
        expect(u.outs!.publishedAppId).to.equal(published);
        expect(u.outs!.publishedSourceAppId).to.equal(staged2.appId);
        const objs = await env.objects(tenant, published);
        expect(objs).to.include({ "my-own-sheet": "sheet", "template-sheet-1": "sheet", "template-sheet-2": "sheet" });
        outs = u.outs!;
        inputs = next;
        staged = staged2;
    });

    it("refresh sees a deleted published app, and the next update publishes it again", async () => {
        await env.ok(tenant, "DELETE", `/api/v1/apps/${outs.publishedAppId}`);
        const r = await handlers.read(id, outs);
        expect(r.props!.publishedAppId).to.equal("");
        expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
        const u = await handlers.update(id, r.props!, inputs);
        expect(u.outs!.publishedAppId).to.be.a("string").and.not.equal("");
        expect((await env.ok(tenant, "GET", `/api/v1/apps/${u.outs!.publishedAppId}`)).attributes.originAppId).to.equal(staged.appId);
        outs = u.outs!;
    });

    it("delete removes the published app, the assignments and the space", async () => {
        await handlers.delete(id, outs);
        expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.publishedAppId}`)).status).to.equal(404);
        expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(404);
        expect((await handlers.read(id, outs)).id).to.equal("");
        await appCopy.delete(staged.appId, staged);
    });
});
