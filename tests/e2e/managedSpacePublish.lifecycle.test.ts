// ManagedSpacePublish with the real Pulumi CLI: two customer tenants, each AppCopy -> ManagedSpacePublish.
// Lifecycle from the resource design, plus the template rollout: bump templateVersion, preview shows the
// update on both tenants, up republishes, published app ids and users' own sheets survive.
import { expect } from "chai";
import { step } from "../support/steps";
import { TempProject } from "./harness";
import { stackConfigFor } from "./emulatorFixture";
import { AppsEnv, TenantRef } from "../provider/resources/appsFixture";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { AppCopy, ManagedSpacePublish } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const tenants = JSON.parse(cfg.require("tenants"));
tenants.forEach((t, i) => {
    const app = new AppCopy("sales-" + i, {
        tenantHost: t.host, source: { appId: cfg.require("templateAppId") }, name: "Sales",
        templateVersion: cfg.require("templateVersion"), spaceName: "Staging",
    });
    const pub = new ManagedSpacePublish("pub-" + i, {
        tenantHost: t.host, spaceName: "Sales", spaceDescription: cfg.get("description") || "",
        members: [{ groupId: t.group, roles: ["consumer"] }], sourceAppId: app.appId, contentVersion: app.contentVersion, publishedAppName: "Sales",
    });
    exports["staged" + i] = app.appId;
    exports["published" + i] = pub.publishedAppId;
    exports["space" + i] = pub.spaceId;
});
`;

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: ManagedSpacePublish lifecycle and template rollout (two tenants)", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let env: AppsEnv;
    let tenants: (TenantRef & { group: string })[];
    let project: TempProject;
    const run = (args: string[], opts: { allowFailure?: boolean } = {}) => project.run(args, opts);
    const stackOutputs = async () => JSON.parse((await run(["stack", "output", "--json"])).stdout);
    const TYPE = "pulumi-nodejs:dynamic/qlik-tenant-fleet";

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenants = [];
        for (let i = 0; i < 2; i++) {
            const t = await env.newTenant();
            tenants.push({ ...t, group: await env.newGroup(t, "customers") });
        }
        project = new TempProject({ name: "publish-e2e", program: PROGRAM });
        const sc = stackConfigFor(env.emu);
        await project.initStack(
            "test",
            {
                ...sc.config,
                templateAppId: env.templateAppId,
                templateVersion: "1",
                tenants: JSON.stringify(tenants.map((t) => ({ host: t.host, group: t.group }))),
            },
            sc.secrets,
        );
    });
    after(async () => {
        project?.cleanup();
        await env?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up publishes on both tenants; preview and refresh then report no changes", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            const out = await stackOutputs();
            for (let i = 0; i < 2; i++) {
                const app = await env.ok(tenants[i], "GET", `/api/v1/apps/${out["published" + i]}`);
                expect(app.attributes).to.include({ spaceId: out["space" + i], originAppId: out["staged" + i] });
            }
            await project.expectNoChanges();
        });

        await step("a description change is an in-place update of exactly that field", async () => {
            await run(["config", "set", "description", "customer apps"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:ManagedSpacePublish: \(update\)/);
            expect(p.output, p.output).to.match(/[~+] spaceDescription\s*:.*"customer apps"/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            const out = await stackOutputs();
            // the user's description, followed by the ownership marker (docs/ownership.md)
            expect((await env.ok(tenants[0], "GET", `/api/v1/spaces/${out.space0}`)).description).to.match(
                /^customer apps \[qtf:organization\/publish-e2e\/test#[0-9a-f]+\]$/,
            );
        });

        await step("a tenantHost change is a replacement", async () => {
            const swapped = [tenants[1], tenants[0]].map((t) => ({ host: t.host, group: t.group }));
            await run(["config", "set", "tenants", JSON.stringify(swapped)]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(new RegExp(`\\+-\\s*${TYPE}:ManagedSpacePublish: \\(replace\\)`));
            await run([
                "config",
                "set",
                "tenants",
                JSON.stringify(tenants.map((t) => ({ host: t.host, group: t.group }))),
            ]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step(
            "template rollout: preview shows templateVersion changing on both tenants, up republishes in place",
            async () => {
                const before = await stackOutputs();
                // A consumer's own sheet in tenant 0's published app, and a new sheet in the ISV's template.
                await env.createObject(tenants[0], before.published0, {
                    qInfo: { qId: "users-sheet", qType: "sheet" },
                    qMetaDef: { title: "mine" },
                });
                await env.createObject(env.source, env.templateAppId, {
                    qInfo: { qId: "release-2-sheet", qType: "sheet" },
                    qMetaDef: { title: "new" },
                });
                await run(["config", "set", "templateVersion", "2"]);
                const p = await run(["preview", "--diff"]);
                const versionChanges = p.output.match(/~ templateVersion\s*: "1" => "2"/g) ?? [];
                expect(versionChanges, p.output).to.have.length(2);
                expect(p.output).to.not.match(/replace/);
                await run(["up", "--yes", "--skip-preview"]);
                const after = await stackOutputs();
                for (let i = 0; i < 2; i++) {
                    expect(after["published" + i], "published app id is stable").to.equal(before["published" + i]);
                    expect(after["staged" + i]).to.not.equal(before["staged" + i]);
                    const app = await env.ok(tenants[i], "GET", `/api/v1/apps/${after["published" + i]}`);
                    expect(app.attributes.originAppId).to.equal(after["staged" + i]);
                    expect((await env.req(tenants[i], "GET", `/api/v1/apps/${before["staged" + i]}`)).status).to.equal(
                        404,
                    );
                }
                const objs = await env.objects(tenants[0], after.published0);
                expect(objs).to.include({
                    "users-sheet": "sheet",
                    "release-2-sheet": "sheet",
                    "template-sheet-1": "sheet",
                });
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step("drift (a removed member) is detected by refresh and repaired by up", async () => {
            const out = await stackOutputs();
            const asg = (await env.ok(tenants[1], "GET", `/api/v1/spaces/${out.space1}/assignments`)).data;
            await env.ok(tenants[1], "DELETE", `/api/v1/spaces/${out.space1}/assignments/${asg[0].id}`);
            const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            expect(r.output).to.match(/ManagedSpacePublish pub-1 updated/);
            await run(["up", "--yes", "--skip-preview"]);
            const again = (await env.ok(tenants[1], "GET", `/api/v1/spaces/${out.space1}/assignments`)).data;
            expect(again.map((a: { assigneeId: string }) => a.assigneeId)).to.deep.equal([tenants[1].group]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("destroy leaves no apps or spaces in the customer tenants", async () => {
            await run(["destroy", "--yes", "--skip-preview"]);
            for (const t of tenants) {
                expect((await env.ok(t, "GET", "/api/v1/items?resourceType=app&limit=100")).data).to.deep.equal([]);
                expect(
                    (await env.ok(t, "GET", "/api/v1/spaces?limit=100")).data.map((s: { name: string }) => s.name),
                ).to.deep.equal([]);
            }
        });
    });
});
