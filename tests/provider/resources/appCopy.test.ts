// AppCopy handlers in-process against the emulator: deploy, adoption, refresh, rollout, failed reload, delete.
import { expect } from "chai";
import { AppsEnv, TenantRef } from "./appsFixture";
import { handlers } from "../../../provider/resources/appCopy";

const PASSWORD = "pw-9f3a1c77-never-log";

describe("AppCopy handlers (emulator)", function () {
    this.timeout(60_000);
    let env: AppsEnv;
    let tenant: TenantRef;
    let dbFile: string;
    let inputs: Record<string, any>;
    let outs: Record<string, any>;
    let id: string;

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenant = await env.newTenant();
        dbFile = env.sqliteDb();
        inputs = {
            tenantHost: tenant.host,
            source: { appName: "Sales Template" },
            name: "Sales",
            templateVersion: "1.0.0",
            spaceName: "Staging",
            dataConnections: [{ name: "customer_db", datasourceID: "sqlite", connectionProperties: { database: dbFile, password: PASSWORD } }],
            loadScript: "LIB CONNECT TO 'Staging:customer_db';\nSales:\nSQL SELECT region, amount FROM sales;\n",
        };
    });
    after(async () => env?.close());

    it("check accepts the inputs without calling the API", async () => {
        const seq = await env.lastSeq();
        const r = await handlers.check({}, inputs);
        expect(r.failures ?? []).to.deep.equal([]);
        expect((await env.requests(seq)).filter((x) => x.host !== "127.0.0.1")).to.have.length(0);
    });

    it("create imports the template into the shared space, creates the connection, sets the script and reloads", async () => {
        const seq = await env.lastSeq();
        const r = await handlers.create(inputs);
        id = r.id;
        outs = r.outs!;
        expect(outs.appId).to.equal(id);
        expect(outs).to.include({ reloadStatus: "SUCCEEDED", templateVersion: "1.0.0", spaceCreated: true, name: "Sales" });
        expect(outs.connectionIds).to.have.keys(["customer_db"]);
        expect(outs.lastReloadTime).to.be.a("string").and.not.equal("");
        expect(JSON.stringify(outs)).to.not.include(PASSWORD);
        const app = await env.ok(tenant, "GET", `/api/v1/apps/${id}`);
        expect(app.attributes.spaceId).to.equal(outs.spaceId);
        const space = await env.ok(tenant, "GET", `/api/v1/spaces/${outs.spaceId}`);
        expect(space).to.include({ name: "Staging", type: "shared" });
        const script = await env.ok(tenant, "GET", `/api/v1/apps/${id}/scripts/current`);
        expect(script.script).to.include("LIB CONNECT TO 'Staging:customer_db'");
        // the template's sheet came along
        expect(await env.objects(tenant, id)).to.have.property("template-sheet-1", "sheet");
        const log = await env.requests(seq);
        expect(log.filter((x) => x.method === "POST" && /\/export$/.test(x.path))).to.have.length(1);
        expect(log.some((x) => x.method === "POST" && x.path.startsWith("/api/v1/apps/import"))).to.equal(true);
    });

    it("read returns exactly the stored outputs and matching inputs (refresh is clean)", async () => {
        const r = await handlers.read(id, outs);
        expect(r.id).to.equal(id);
        expect(r.props).to.deep.equal(outs);
        const d = await handlers.diff(id, r.props!, inputs);
        expect(d.changes).to.equal(false);
    });

    it("diff: a name change updates in place, spaceName replaces, templateVersion updates", async () => {
        expect(await handlers.diff(id, outs, { ...inputs, name: "Sales 2" })).to.include({ changes: true }).and.have.property("replaces").that.deep.equals([]);
        expect((await handlers.diff(id, outs, { ...inputs, spaceName: "Other" })).replaces).to.deep.equal(["spaceName"]);
        expect(await handlers.diff(id, outs, { ...inputs, templateVersion: "1.1.0" })).to.include({ changes: true });
        const pw = { ...inputs, dataConnections: [{ ...inputs.dataConnections[0], connectionProperties: { database: dbFile, password: "other" } }] };
        expect((await handlers.diff(id, outs, pw)).changes).to.equal(true);
    });

    it("a second create with the same inputs adopts the existing app (crash safety)", async () => {
        const r = await handlers.create(inputs);
        expect(r.id).to.equal(id);
        const items = await env.ok(tenant, "GET", `/api/v1/items?resourceType=app&spaceId=${outs.spaceId}`);
        expect(items.data).to.have.length(1);
        outs = { ...r.outs!, spaceCreated: true, createdConnections: outs.createdConnections };
    });

    it("refresh detects a rename made outside Pulumi; update renames it back", async () => {
        await env.ok(tenant, "PUT", `/api/v1/apps/${id}`, { attributes: { name: "Renamed by hand" } });
        const r = await handlers.read(id, outs);
        expect(r.props!.name).to.equal("Renamed by hand");
        expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
        const u = await handlers.update(id, r.props!, inputs);
        expect(u.outs!.name).to.equal("Sales");
        expect((await env.ok(tenant, "GET", `/api/v1/apps/${id}`)).attributes.name).to.equal("Sales");
        outs = u.outs!;
    });

    it("a templateVersion bump deploys a new staged app, exports the template once for many tenants, deletes the old app", async () => {
        const tenant2 = await env.newTenant();
        const inputs2 = { ...inputs, tenantHost: tenant2.host, dataConnections: [], loadScript: undefined };
        const c2 = await handlers.create(inputs2);
        const seq = await env.lastSeq();
        const next = { ...inputs, templateVersion: "2.0.0" };
        const [u1, u2] = await Promise.all([
            handlers.update(id, outs, next),
            handlers.update(c2.id, c2.outs!, { ...inputs2, templateVersion: "2.0.0" }),
        ]);
        const log = await env.requests(seq);
        expect(log.filter((x) => x.method === "POST" && /\/export$/.test(x.path)), "one export for both tenants").to.have.length(1);
        expect(u1.outs!.appId).to.not.equal(outs.appId);
        expect(u1.outs!).to.include({ templateVersion: "2.0.0", reloadStatus: "SUCCEEDED" });
        expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.appId}`)).status).to.equal(404);
        expect(u2.outs!.appId).to.not.equal(c2.outs!.appId);
        outs = u1.outs!;
        inputs = next;
        await handlers.delete(c2.id, u2.outs!);
    });

    it("a failing reload throws the reload error and log, and carries the app id", async () => {
        const bad = { ...inputs, loadScript: "LIB CONNECT TO 'Staging:customer_db';\nX:\nSQL SELECT nope FROM missing_table;\n" };
        let err: any;
        try {
            await handlers.update(id, outs, bad);
        } catch (e) {
            err = e;
        }
        expect(err, "update must fail").to.not.equal(undefined);
        expect(err.id).to.equal(id);
        expect(err.properties.reloadStatus).to.equal("FAILED");
        expect(err.message).to.match(/FAILED/).and.match(/missing_table/);
        expect(err.message).to.not.include(PASSWORD);
        // the next update with a good script repairs it
        const u = await handlers.update(id, err.properties, inputs);
        expect(u.outs!.reloadStatus).to.equal("SUCCEEDED");
        outs = u.outs!;
    });

    it("delete removes the app, the connection it created and the space it created", async () => {
        await handlers.delete(id, outs);
        expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.appId}`)).status).to.equal(404);
        expect((await env.req(tenant, "GET", `/api/v1/data-connections/${outs.connectionIds.customer_db}`)).status).to.equal(404);
        expect((await env.req(tenant, "GET", `/api/v1/spaces/${outs.spaceId}`)).status).to.equal(404);
        expect((await handlers.read(id, outs)).id).to.equal("");
    });
});
