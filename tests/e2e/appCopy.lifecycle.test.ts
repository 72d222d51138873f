// AppCopy with the real Pulumi CLI against an in-process emulator: the lifecycle from the resource design.
import { expect } from "chai";
import { step } from "../support/steps";
import { TempProject } from "./harness";
import { stackConfigFor } from "./emulatorFixture";
import { AppsEnv, TenantRef } from "../provider/resources/appsFixture";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { AppCopy } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const spaceName = cfg.require("spaceName");
const app = new AppCopy("sales", {
    tenantHost: cfg.require("tenantHost"),
    source: { appName: "Sales Template" },
    name: cfg.require("appName"),
    templateVersion: "1.0.0",
    spaceName,
    dataConnections: [{ name: "customer_db", datasourceID: "sqlite",
        connectionProperties: { database: cfg.require("dbFile"), password: cfg.requireSecret("dbPassword") } }],
    loadScript: "LIB CONNECT TO '" + spaceName + ":customer_db';\\nSales:\\nSQL SELECT region, amount FROM sales;\\n",
});
exports.appId = app.appId;
exports.reloadStatus = app.reloadStatus;
`;

const DB_PASSWORD = "db-pw-5d1e77b2";

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: AppCopy lifecycle", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let env: AppsEnv;
    let tenant: TenantRef;
    let project: TempProject;
    const outputs: string[] = [];
    const run = async (args: string[], opts: { allowFailure?: boolean } = {}) => {
        const r = await project.run(args, opts);
        outputs.push(r.output);
        return r;
    };
    const stackOutputs = async () => JSON.parse((await run(["stack", "output", "--json"])).stdout);

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenant = await env.newTenant();
        project = new TempProject({ name: "appcopy-e2e", program: PROGRAM });
        const sc = stackConfigFor(env.emu);
        await project.initStack(
            "test",
            { ...sc.config, tenantHost: tenant.host, appName: "Sales", spaceName: "Staging", dbFile: env.sqliteDb() },
            { ...sc.secrets, dbPassword: DB_PASSWORD },
        );
    });
    after(async () => {
        project?.cleanup();
        await env?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up deploys, and preview/refresh then report no changes", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            const out = await stackOutputs();
            expect(out.reloadStatus).to.equal("SUCCEEDED");
            expect((await env.ok(tenant, "GET", `/api/v1/apps/${out.appId}`)).attributes.name).to.equal("Sales");
            await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("a name change is an in-place update of exactly that field", async () => {
            await run(["config", "set", "appName", "Sales v2"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:AppCopy: \(update\)/);
            expect(p.output).to.match(/~ name\s*: "Sales" => "Sales v2"/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            const out = await stackOutputs();
            expect((await env.ok(tenant, "GET", `/api/v1/apps/${out.appId}`)).attributes.name).to.equal("Sales v2");
        });

        await step("a spaceName change is a replacement", async () => {
            await run(["config", "set", "spaceName", "Staging2"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:AppCopy: \(replace\)/);
            await run(["config", "set", "spaceName", "Staging"]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("drift (a rename in Qlik) is detected by refresh and repaired by up", async () => {
            const out = await stackOutputs();
            await env.ok(tenant, "PUT", `/api/v1/apps/${out.appId}`, { attributes: { name: "hand edited" } });
            const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            if (!/AppCopy sales updated .*\[diff: [^\]]*~name/.test(r.output)) console.log(r.output);
            expect(r.output).to.match(/AppCopy sales updated .*\[diff: [^\]]*~name/);
            await run(["up", "--yes", "--skip-preview"]);
            expect((await env.ok(tenant, "GET", `/api/v1/apps/${out.appId}`)).attributes.name).to.equal("Sales v2");
            await run(["preview", "--expect-no-changes"]);
        });

        await step("destroy removes the app, its connection and its staging space", async () => {
            const out = await stackOutputs();
            await run(["destroy", "--yes", "--skip-preview"]);
            expect((await env.req(tenant, "GET", `/api/v1/apps/${out.appId}`)).status).to.equal(404);
            const spaces = await env.ok(tenant, "GET", "/api/v1/spaces?limit=100");
            expect(spaces.data.map((s: { name: string }) => s.name)).to.not.include("Staging");
            const conns = await env.ok(tenant, "GET", "/api/v1/data-connections?limit=100");
            expect(conns.data.map((c: { qName: string }) => c.qName)).to.not.include("customer_db");
        });

        await step("no command printed the database password, and state has no plaintext copy", async () => {
            expect(outputs.join("\n")).to.not.include(DB_PASSWORD);
            const exported = (await project.run(["stack", "export"])).stdout;
            expect(exported).to.not.include(DB_PASSWORD);
        });
    });
});
