// ManagedSpacePublish handlers in-process against the emulator: space + members + first publish, adoption,
// refresh, republish on a template rollout (published id and users' sheets kept), drift, delete.
import { expect } from "chai";
import { step } from "../../support/steps";
import { AppsEnv, TenantRef } from "./appsFixture";
import { handlers as appCopy } from "../../../provider/resources/appCopy";
import { handlers } from "../../../provider/resources/managedSpacePublish";
import { UNKNOWN } from "../../../provider/resources/handlers";
import type { Outputs as Props } from "../../support/handlerEmulator";

interface AssignmentJson {
    assigneeId: string;
    roles: string[];
}
interface MemberInput {
    groupId?: string;
    groupName?: string;
    roles: string[];
}

const OWNER = "test/publish/handlers";

describe("ManagedSpacePublish handlers (emulator)", function () {
    this.timeout(600_000); // the lifecycle is one test of many steps; generous for a busy machine
    let env: AppsEnv;
    let tenant: TenantRef;
    // Read-only fixtures: the lifecycle test works on its own copies.
    let stagedAtStart: Props;
    let stagedInputsAtStart: Props;
    let declared: Props;
    let g1: string;
    let g2: string;

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenant = await env.newTenant();
        const checked = await appCopy.check(
            {},
            {
                tenantHost: tenant.host,
                owner: OWNER,
                source: { appId: env.templateAppId },
                name: "Sales",
                templateVersion: "1",
                spaceName: "Staging",
            },
        );
        stagedInputsAtStart = checked.inputs!;
        stagedAtStart = (await appCopy.create(stagedInputsAtStart)).outs!;
        g1 = await env.newGroup(tenant, "analysts");
        g2 = await env.newGroup(tenant, "managers");
        declared = {
            tenantHost: tenant.host,
            owner: OWNER,
            spaceName: "Sales (customer)",
            spaceDescription: "published apps",
            members: [{ groupId: g1, roles: ["consumer"] }],
            sourceAppId: stagedAtStart.appId,
            publishedAppName: "Sales",
            contentVersion: stagedAtStart.contentVersion,
        };
    });
    after(async () => env?.close());

    it("the lifecycle of one managed space, step by step (each step works on the space and apps the previous ones left)", async () => {
        let staged: Props = stagedAtStart;
        let stagedInputs: Props = stagedInputsAtStart;
        let inputs: Props = declared;
        let outs: Props;
        let id: string;
        await step("create makes the managed space, the assignments and the first publish", async () => {
            const r = await handlers.create(inputs);
            id = r.id;
            outs = r.outs!;
            expect(outs.spaceId).to.equal(id);
            expect(outs.publishedSourceAppId).to.equal(staged.appId);
            expect(outs.assignmentIds).to.have.keys([g1]);
            const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
            expect(space).to.include({ name: "Sales (customer)", type: "managed" });
            expect(space.description).to.match(/^published apps \[qtf:test\/publish\/handlers#[0-9a-f]+\]$/);
            const app = await env.ok(tenant, "GET", `/api/v1/apps/${outs.publishedAppId}`);
            expect(app.attributes).to.include({ spaceId: id, originAppId: staged.appId, name: "Sales" });
            expect(app.attributes.publishTime).to.not.equal("");
        });

        await step("read equals the stored outputs, and diff is empty", async () => {
            const r = await handlers.read(id, outs);
            expect(r.props).to.deep.equal(outs);
            expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(false);
        });

        await step("a second create adopts the space and the published copy", async () => {
            const r = await handlers.create(inputs);
            expect(r.id).to.equal(id);
            expect(r.outs!.publishedAppId).to.equal(outs.publishedAppId);
            const items = await env.ok(tenant, "GET", `/api/v1/items?resourceType=app&spaceId=${id}`);
            expect(items.data).to.have.length(1);
        });

        await step("rename, description and members update in place", async () => {
            const next = {
                ...inputs,
                spaceName: "Sales Cust",
                spaceDescription: "v2",
                members: [
                    { groupId: g2, roles: ["consumer", "contributor"] },
                    { groupId: g1, roles: ["publisher"] },
                ],
            };
            const d = await handlers.diff(id, outs, next);
            expect(d.changes).to.equal(true);
            expect(d.replaces).to.deep.equal([]);
            const u = await handlers.update(id, outs, next);
            outs = u.outs!;
            inputs = next;
            const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
            expect(space).to.include({ name: "Sales Cust" });
            expect(space.description).to.match(/^v2 \[qtf:/);
            const asg = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data;
            expect((asg as AssignmentJson[]).map((a) => [a.assigneeId, [...a.roles].sort()]).sort()).to.deep.equal(
                [
                    [g1, ["publisher"]],
                    [g2, ["consumer", "contributor"]],
                ].sort(),
            );
            const shrink = { ...inputs, members: [{ groupId: g2, roles: ["consumer"] }] };
            outs = (await handlers.update(id, outs, shrink)).outs!;
            inputs = shrink;
            const after = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data;
            expect((after as AssignmentJson[]).map((a) => a.assigneeId)).to.deep.equal([g2]);
            expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
        });

        await step(
            "a template rollout republishes into the same app: id kept, user sheets kept, template sheets replaced",
            async () => {
                const published = outs.publishedAppId;
                await env.createObject(tenant, published, {
                    qInfo: { qId: "my-own-sheet", qType: "sheet" },
                    qMetaDef: { title: "Mine" },
                });
                // The ISV's new template release: a different sheet.
                await env.createObject(env.source, env.templateAppId, {
                    qInfo: { qId: "template-sheet-2", qType: "sheet" },
                    qMetaDef: { title: "New" },
                });
                const staged2Inputs = (await appCopy.check(stagedInputs, { ...stagedInputs, templateVersion: "2" }))
                    .inputs!;
                const staged2 = (await appCopy.update(staged.appId, staged, staged2Inputs)).outs!;
                expect(staged2.appId).to.not.equal(staged.appId);
                expect(staged2.contentVersion).to.not.equal(staged.contentVersion);
                const next = { ...inputs, sourceAppId: staged2.appId, contentVersion: staged2.contentVersion };
                stagedInputs = staged2Inputs;
                expect((await handlers.diff(id, outs, next)).changes).to.equal(true);
                const u = await handlers.update(id, outs, next);
                expect(u.outs!.publishedAppId).to.equal(published);
                expect(u.outs!.publishedSourceAppId).to.equal(staged2.appId);
                const objs = await env.objects(tenant, published);
                expect(objs).to.include({
                    "my-own-sheet": "sheet",
                    "template-sheet-1": "sheet",
                    "template-sheet-2": "sheet",
                });
                outs = u.outs!;
                inputs = next;
                staged = staged2;
            },
        );

        await step(
            "a staged-content change (same staged app id, new contentVersion) republishes into the same published app",
            async () => {
                const published = outs.publishedAppId;
                const script = "Sales:\nLOAD * INLINE [\nregion, amount\nwest, 99\n];\n";
                const nextStaged = (await appCopy.check(stagedInputs, { ...stagedInputs, loadScript: script })).inputs!;
                const s2 = (await appCopy.update(staged.appId, staged, nextStaged)).outs!;
                expect(s2.appId).to.equal(staged.appId);
                const next = { ...inputs, contentVersion: s2.contentVersion };
                expect((await handlers.diff(id, outs, next)).changes).to.equal(true);
                const u = await handlers.update(id, outs, next);
                expect(u.outs!.publishedAppId).to.equal(published);
                expect((await env.ok(tenant, "GET", `/api/v1/apps/${published}/scripts/current`)).script).to.equal(
                    script,
                );
                expect(await env.objects(tenant, published)).to.have.property("my-own-sheet", "sheet");
                outs = u.outs!;
                inputs = next;
                staged = s2;
                stagedInputs = nextStaged;
            },
        );

        await step(
            "preview exactness: an unknown sourceAppId with an unchanged contentVersion is no change; a new contentVersion is",
            async () => {
                expect((await handlers.diff(id, outs, { ...inputs, sourceAppId: UNKNOWN })).changes).to.equal(false);
                expect(
                    (await handlers.diff(id, outs, { ...inputs, sourceAppId: UNKNOWN, contentVersion: "sha256:other" }))
                        .changes,
                ).to.equal(true);
                expect(
                    (await handlers.diff(id, outs, { ...inputs, sourceAppId: UNKNOWN, contentVersion: UNKNOWN }))
                        .changes,
                ).to.equal(true);
                const reordered = {
                    ...inputs,
                    members: ([...inputs.members] as MemberInput[])
                        .reverse()
                        .map((m) => ({ ...m, roles: [...m.roles].reverse() })),
                };
                expect(
                    (await handlers.diff(id, outs, reordered)).changes,
                    "member and role order is no change",
                ).to.equal(false);
            },
        );

        await step(
            "refresh finds a republish made by hand (published content drift); update republishes the staged app again",
            async () => {
                // Republish the staged app by hand after changing its script: the origin stays, the content does not.
                await env.ok(tenant, "POST", `/api/v1/apps/${staged.appId}/scripts`, {
                    script: "Hand: LOAD 2 AS y AUTOGENERATE 1;",
                });
                await env.ok(tenant, "PUT", `/api/v1/apps/${staged.appId}/publish`, {
                    targetId: outs.publishedAppId,
                    data: "source",
                });
                const r = await handlers.read(id, outs);
                expect(r.props!.sourceAppId, "origin unchanged").to.equal(staged.appId);
                expect(r.props!.contentVersion).to.match(/republished outside Pulumi/);
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
                // AppCopy repairs the staged script first (its own drift), then the publish republishes it.
                const sr = await appCopy.read(staged.appId, staged);
                staged = (await appCopy.update(staged.appId, sr.props!, stagedInputs)).outs!;
                const u = await handlers.update(id, r.props!, inputs);
                expect(
                    (await env.ok(tenant, "GET", `/api/v1/apps/${u.outs!.publishedAppId}/scripts/current`)).script,
                ).to.equal(stagedInputs.loadScript);
                outs = u.outs!;
                const again = await handlers.read(id, outs);
                expect(again.props).to.deep.equal(outs);
            },
        );

        await step(
            "members by groupName: refresh keeps the name form and reports no change; read of undeclared description adds nothing",
            async () => {
                const next = { ...inputs, members: [{ groupName: "managers", roles: ["consumer"] }] };
                delete (next as Props).spaceDescription;
                outs = (await handlers.update(id, outs, next)).outs!;
                inputs = next;
                const r = await handlers.read(id, outs);
                expect(r.props!.members).to.deep.equal([{ groupName: "managers", roles: ["consumer"] }]);
                expect(r.inputs).to.not.have.property("spaceDescription");
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(false);
                const asg = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data;
                expect((asg as AssignmentJson[]).map((a) => a.assigneeId)).to.deep.equal([g2]);
            },
        );

        await step("refresh sees a deleted published app, and the next update publishes it again", async () => {
            await env.ok(tenant, "DELETE", `/api/v1/apps/${outs.publishedAppId}`);
            const r = await handlers.read(id, outs);
            expect(r.props!.publishedAppId).to.equal("");
            expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
            const u = await handlers.update(id, r.props!, inputs);
            expect(u.outs!.publishedAppId).to.be.a("string").and.not.equal("");
            expect(
                (await env.ok(tenant, "GET", `/api/v1/apps/${u.outs!.publishedAppId}`)).attributes.originAppId,
            ).to.equal(staged.appId);
            outs = u.outs!;
        });

        await step(
            "a successor that adopted the space keeps it when the old resource is deleted (replacement safety)",
            async () => {
                const successor = await handlers.create(inputs);
                expect(successor.id).to.equal(id);
                expect(successor.outs!.publishedAppId).to.equal(outs.publishedAppId);
                await handlers.delete(id, outs);
                expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(200);
                expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.publishedAppId}`)).status).to.equal(200);
                expect((await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`)).data).to.have.length(1);
                outs = successor.outs!;
            },
        );

        await step("delete removes the published app, the assignments and the space", async () => {
            await handlers.delete(id, outs);
            expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.publishedAppId}`)).status).to.equal(404);
            expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(404);
            expect((await handlers.read(id, outs)).id).to.equal("");
            await appCopy.delete(staged.appId, staged);
        });
    });
});
