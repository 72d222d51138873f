// Over 400 lines: the lifecycle is one test of 15 steps, each keeping its checks next to the change it makes.
// AppCopy handlers in-process against the emulator: deploy, adoption, refresh, rollout, failed reload, delete.
import { expect } from "chai";
import { step } from "../../support/steps";
import { AppsEnv, TenantRef } from "./appsFixture";
import { handlers } from "../../../provider/resources/appCopy";
import { connectionPatch } from "../../../provider/resources/appCopyConnections";
import type { Outputs as Props } from "../../support/handlerEmulator";

const PASSWORD = "pw-9f3a1c77-never-log";

describe("AppCopy handlers (emulator)", function () {
    this.timeout(600_000); // the lifecycle is one test of many steps; generous for a busy machine
    let env: AppsEnv;
    let tenant: TenantRef;
    let dbFile: string;
    /** The declared inputs; read-only (the lifecycle test works on its own copy). */
    let declared: Props;

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        tenant = await env.newTenant();
        dbFile = env.sqliteDb();
        declared = {
            tenantHost: tenant.host,
            owner: "test/apps/handlers",
            source: { appName: "Sales Template" },
            name: "Sales",
            templateVersion: "1.0.0",
            spaceName: "Staging",
            dataConnections: [
                {
                    name: "customer_db",
                    datasourceID: "sqlite",
                    connectionProperties: { database: dbFile, password: PASSWORD },
                },
            ],
            loadScript: "LIB CONNECT TO 'Staging:customer_db';\nSales:\nSQL SELECT region, amount FROM sales;\n",
        };
    });
    after(async () => env?.close());

    it("check accepts the inputs without calling the API", async () => {
        const seq = await env.lastSeq();
        const r = await handlers.check({}, declared);
        expect(r.failures ?? []).to.deep.equal([]);
        expect((await env.requests(seq)).filter((x) => x.host !== "127.0.0.1")).to.have.length(0);
    });

    it("a source appName with no app in the source tenant fails naming it and the fix", async () => {
        const err = await handlers.create({ ...declared, source: { appName: "No Such Template" } }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).to.match(/source\.appName: no app named "No Such Template" on .*place the template there/);
        const spaces = await env.ok(tenant, "GET", "/api/v1/spaces?type=shared");
        expect(
            (spaces.data as { name: string }[]).map((x) => x.name),
            "nothing made in the tenant",
        ).to.not.include(declared.spaceName);
    });

    it("the lifecycle of one app copy, step by step (each step works on the app the previous ones left)", async () => {
        let inputs: Props = declared;
        let outs: Props;
        let id: string;
        await step(
            "create imports the template into the shared space, creates the connection, sets the script and reloads",
            async () => {
                const seq = await env.lastSeq();
                const r = await handlers.create(inputs);
                id = r.id;
                outs = r.outs!;
                expect(outs.appId).to.equal(id);
                expect(outs).to.include({
                    reloadStatus: "SUCCEEDED",
                    templateVersion: "1.0.0",
                    spaceCreated: true,
                    name: "Sales",
                });
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
            },
        );

        await step("read returns exactly the stored outputs and matching inputs (refresh is clean)", async () => {
            const r = await handlers.read(id, outs);
            expect(r.id).to.equal(id);
            expect(r.props).to.deep.equal(outs);
            const d = await handlers.diff(id, r.props!, inputs);
            expect(d.changes).to.equal(false);
        });

        await step("diff: a name change updates in place, spaceName replaces, templateVersion updates", async () => {
            expect(await handlers.diff(id, outs, { ...inputs, name: "Sales 2" }))
                .to.include({ changes: true })
                .and.have.property("replaces")
                .that.deep.equals([]);
            expect((await handlers.diff(id, outs, { ...inputs, spaceName: "Other" })).replaces).to.deep.equal([
                "spaceName",
            ]);
            expect(outs.tenantId).to.equal(tenant.id);
            const other = await env.newTenant();
            expect(
                (await handlers.diff(id, outs, { ...inputs, tenantHost: other.host })).replaces,
                "another tenant replaces",
            ).to.deep.equal(["tenantHost"]);
            expect(await handlers.diff(id, outs, { ...inputs, templateVersion: "1.1.0" })).to.include({
                changes: true,
            });
            const pw = {
                ...inputs,
                dataConnections: [
                    { ...inputs.dataConnections[0], connectionProperties: { database: dbFile, password: "other" } },
                ],
            };
            expect((await handlers.diff(id, outs, pw)).changes).to.equal(true);
        });

        await step("a second create with the same inputs adopts the existing app (crash safety)", async () => {
            const r = await handlers.create(inputs);
            expect(r.id).to.equal(id);
            const items = await env.ok(tenant, "GET", `/api/v1/items?resourceType=app&spaceId=${outs.spaceId}`);
            expect(items.data).to.have.length(1);
            outs = { ...r.outs!, spaceCreated: true, createdConnections: outs.createdConnections };
        });

        await step("refresh detects a rename made outside Pulumi; update renames it back", async () => {
            await env.ok(tenant, "PUT", `/api/v1/apps/${id}`, { attributes: { name: "Renamed by hand" } });
            const r = await handlers.read(id, outs);
            expect(r.props!.name).to.equal("Renamed by hand");
            expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
            const u = await handlers.update(id, r.props!, inputs);
            expect(u.outs!.name).to.equal("Sales");
            expect((await env.ok(tenant, "GET", `/api/v1/apps/${id}`)).attributes.name).to.equal("Sales");
            outs = u.outs!;
        });

        await step(
            "a templateVersion bump deploys a new staged app, exports the template once for many tenants, deletes the old app",
            async () => {
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
                expect(
                    log.filter((x) => x.method === "POST" && /\/export$/.test(x.path)),
                    "one export for both tenants",
                ).to.have.length(1);
                expect(u1.outs!.appId).to.not.equal(outs.appId);
                expect(u1.outs!).to.include({ templateVersion: "2.0.0", reloadStatus: "SUCCEEDED" });
                expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.appId}`)).status).to.equal(404);
                expect(u2.outs!.appId).to.not.equal(c2.outs!.appId);
                outs = u1.outs!;
                inputs = next;
                await handlers.delete(c2.id, u2.outs!);
            },
        );

        await step("a failing reload throws the reload error and log, and carries the app id", async () => {
            const bad = {
                ...inputs,
                loadScript: "LIB CONNECT TO 'Staging:customer_db';\nX:\nSQL SELECT nope FROM missing_table;\n",
            };
            let err: (Error & { id?: string; properties?: Props }) | undefined;
            try {
                await handlers.update(id, outs, bad);
            } catch (e) {
                err = e as Error & { id?: string; properties?: Props };
            }
            expect(err, "update must fail").to.not.equal(undefined);
            expect(err!.id).to.equal(id);
            expect(err!.properties!.reloadStatus).to.equal("FAILED");
            expect(err!.message)
                .to.match(/FAILED/)
                .and.match(/missing_table/);
            expect(err!.message).to.not.include(PASSWORD);
            // the next update with a good script repairs it
            const u = await handlers.update(id, err!.properties!, inputs);
            expect(u.outs!.reloadStatus).to.equal("SUCCEEDED");
            outs = u.outs!;
        });

        await step(
            "a rollout whose reload fails keeps the old app in service and leaves no failed app behind",
            async () => {
                const bad = {
                    ...inputs,
                    templateVersion: "3.0.0-broken",
                    loadScript: "LIB CONNECT TO 'Staging:customer_db';\nX:\nSQL SELECT nope FROM missing_table;\n",
                };
                const err = await handlers.update(id, outs, bad).then(
                    () => undefined,
                    (e: Error & { properties?: Props }) => e,
                );
                expect(err, "update must fail").to.not.equal(undefined);
                expect(err!.message)
                    .to.match(/stays in service/)
                    .and.match(/missing_table/);
                expect(err!.properties!.appId, "the state keeps the app in service").to.equal(outs.appId);
                const items = await env.ok(tenant, "GET", `/api/v1/items?resourceType=app&spaceId=${outs.spaceId}`);
                const apps = (items.data as { resourceId: string }[]).map((i) => i.resourceId);
                // A failed app left behind would be owned by no state, and adopted with its broken content by the next rollout.
                expect(apps, "only the app in service is in the staging space").to.deep.equal([outs.appId]);
            },
        );

        await step(
            "refresh finds a load script changed by hand (its text in the diff); update restores it and reloads",
            async () => {
                // (after the rollout the resource id is the first app's; the staged app is outs.appId)
                await env.ok(tenant, "POST", `/api/v1/apps/${outs.appId}/scripts`, {
                    script: "Hacked: LOAD 1 AS x AUTOGENERATE 1;",
                });
                const r = await handlers.read(id, outs);
                expect(r.props!.loadScript).to.equal("Hacked: LOAD 1 AS x AUTOGENERATE 1;");
                expect(r.inputs!.loadScript).to.equal("Hacked: LOAD 1 AS x AUTOGENERATE 1;");
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
                const u = await handlers.update(id, r.props!, inputs);
                expect(u.outs!.reloadId).to.not.equal(outs.reloadId);
                expect((await env.ok(tenant, "GET", `/api/v1/apps/${outs.appId}/scripts/current`)).script).to.equal(
                    inputs.loadScript,
                );
                outs = u.outs!;
                const again = await handlers.read(id, outs);
                expect(again.props).to.deep.equal(outs);
                expect((await handlers.diff(id, again.props!, inputs)).changes).to.equal(false);
            },
        );

        await step(
            "refresh finds a connection re-pointed at another customer's database and warns without the secret; update repairs it",
            async () => {
                const other = env.sqliteDb("other-customer.sqlite");
                const cid = outs.connectionIds.customer_db;
                await env.ok(tenant, "PATCH", `/api/v1/data-connections/${cid}`, [
                    { op: "replace", path: "/connectionProperties/database", value: other },
                ]);
                const lines: string[] = [];
                const orig = console.error;
                console.error = (...a: unknown[]) => void lines.push(a.join(" "));
                let r;
                try {
                    r = await handlers.read(id, outs);
                } finally {
                    console.error = orig;
                }
                expect(r.props!.dataConnections[0].connectionProperties.database).to.equal(other);
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
                const warning = lines.find((l) => l.includes("customer_db"));
                expect(warning, lines.join("\n"))
                    .to.match(/points elsewhere/)
                    .and.include(other);
                expect(lines.join("\n")).to.not.include(PASSWORD);
                const seq = await env.lastSeq();
                const u = await handlers.update(id, r.props!, inputs);
                outs = u.outs!;
                const live = await env.ok(tenant, "GET", `/api/v1/data-connections/${cid}`);
                expect(live.connectionProperties.database).to.equal(dbFile);
                // repaired with PATCH (qlik.dev changelog 157), never with a PUT of the create body
                const writes = (await env.requests(seq)).filter(
                    (x) => x.path.startsWith(`/api/v1/data-connections/${cid}`) && x.method !== "GET",
                );
                expect(writes.map((x) => `${x.method} ${x.status}`)).to.deep.equal(["PATCH 204"]);
                expect(u.outs!.reloadId, "repaired connection is reloaded").to.not.equal(r.props!.reloadId);
                expect((await handlers.diff(id, (await handlers.read(id, outs)).props!, inputs)).changes).to.equal(
                    false,
                );
            },
        );

        await step(
            "refresh finds a credentials-only change (Qlik never returns the secret) and update writes the declared one back",
            async () => {
                const cid = outs.connectionIds.customer_db;
                await env.ok(tenant, "PATCH", `/api/v1/data-connections/${cid}`, [
                    { op: "replace", path: "/connectionProperties/password", value: "stolen" },
                ]);
                const r = await handlers.read(id, outs);
                expect(r.props!.dataConnections[0].connectionProperties.password).to.equal("<changed outside Pulumi>");
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
                outs = (await handlers.update(id, r.props!, inputs)).outs!;
                const stored = env.emu.emu.store.get<{ connectionProperties: Record<string, unknown> }>(
                    "dataConnections",
                    cid,
                );
                expect(stored?.connectionProperties.password, "the declared secret is written back").to.equal(PASSWORD);
                const again = await handlers.read(id, outs);
                expect(again.props).to.deep.equal(outs);
            },
        );

        await step(
            "a declared connection property added then removed: update PATCHes add, then remove; no PUT; the secret never in a message",
            async () => {
                const cid = outs.connectionIds.customer_db;
                const withMode = {
                    ...inputs,
                    dataConnections: [
                        {
                            ...inputs.dataConnections[0],
                            connectionProperties: { ...inputs.dataConnections[0].connectionProperties, mode: "ro" },
                        },
                    ],
                };
                const seq = await env.lastSeq();
                const lines: string[] = [];
                const orig = console.error;
                console.error = (...a: unknown[]) => void lines.push(a.join(" "));
                try {
                    outs = (await handlers.update(id, outs, withMode)).outs!;
                    expect(
                        (await env.ok(tenant, "GET", `/api/v1/data-connections/${cid}`)).connectionProperties,
                    ).to.deep.equal({ database: dbFile, mode: "ro" });
                    outs = (await handlers.update(id, outs, inputs)).outs!;
                } finally {
                    console.error = orig;
                }
                const live = await env.ok(tenant, "GET", `/api/v1/data-connections/${cid}`);
                expect(live.connectionProperties).to.deep.equal({ database: dbFile });
                expect(live.qConnectStatement).to.not.include("mode=");
                const writes = (await env.requests(seq)).filter(
                    (x) => x.path.startsWith("/api/v1/data-connections/") && x.method !== "GET",
                );
                expect(writes.map((x) => `${x.method} ${x.status}`)).to.deep.equal(["PATCH 204", "PATCH 204"]);
                expect(lines.join("\n")).to.not.include(PASSWORD);
                expect((await handlers.diff(id, (await handlers.read(id, outs)).props!, inputs)).changes).to.equal(
                    false,
                );
            },
        );

        await step(
            "an app deleted by hand keeps the resource (and what it owns); update re-imports it into the same space",
            async () => {
                await env.ok(tenant, "DELETE", `/api/v1/apps/${outs.appId}`);
                const r = await handlers.read(id, outs);
                expect(r.id).to.equal(id);
                expect(r.props).to.include({ appId: "", spaceCreated: true });
                expect(r.props!.createdConnections).to.deep.equal(["customer_db"]);
                expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(true);
                const u = await handlers.update(id, r.props!, inputs);
                expect(u.outs!.appId).to.be.a("string").and.not.equal("").and.not.equal(outs.appId);
                expect(u.outs!).to.include({ spaceId: outs.spaceId, spaceCreated: true, reloadStatus: "SUCCEEDED" });
                expect(u.outs!.createdConnections).to.deep.equal(["customer_db"]);
                outs = u.outs!;
            },
        );

        await step(
            "a replacement that adopts the same app, space and connection keeps them when the old resource is deleted",
            async () => {
                const successor = await handlers.create(inputs);
                expect(successor.outs!.appId).to.equal(outs.appId);
                expect(successor.outs!.claim).to.not.equal(outs.claim);
                await handlers.delete(id, outs);
                expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.appId}`)).status).to.equal(200);
                expect(
                    (await env.req(tenant, "GET", `/api/v1/data-connections/${outs.connectionIds.customer_db}`)).status,
                ).to.equal(200);
                expect((await env.req(tenant, "GET", `/api/v1/spaces/${outs.spaceId}`)).status).to.equal(200);
                outs = successor.outs!;
                id = successor.id;
                expect(outs).to.include({ spaceCreated: true });
                expect(outs.createdConnections, "the successor owns what its predecessor made").to.deep.equal([
                    "customer_db",
                ]);
            },
        );

        await step(
            "another owner's app is not adopted: create fails before any change, naming the owner and takeOverFrom",
            async () => {
                const seq = await env.lastSeq();
                let err: Error | undefined;
                try {
                    await handlers.create({ ...inputs, owner: "someone/else/prod" });
                } catch (e) {
                    err = e as Error;
                }
                expect(err?.message)
                    .to.match(/managed by "test\/apps\/handlers"/)
                    .and.match(/takeOverFrom: "test\/apps\/handlers"/);
                const writes = (await env.requests(seq)).filter((x) => x.host === tenant.host && x.method !== "GET");
                expect(writes, JSON.stringify(writes)).to.deep.equal([]);
            },
        );

        await step("delete removes the app, the connection it created and the space it created", async () => {
            await handlers.delete(id, outs);
            expect((await env.req(tenant, "GET", `/api/v1/apps/${outs.appId}`)).status).to.equal(404);
            expect(
                (await env.req(tenant, "GET", `/api/v1/data-connections/${outs.connectionIds.customer_db}`)).status,
            ).to.equal(404);
            expect((await env.req(tenant, "GET", `/api/v1/spaces/${outs.spaceId}`)).status).to.equal(404);
            expect((await handlers.read(id, outs)).id).to.equal("");
        });
    });
});

describe("AppCopy connectionPatch (the PATCH body for a declared connection)", () => {
    const live = {
        id: "c1",
        qName: "db",
        datasourceID: "mysql",
        connectionProperties: { host: "a", port: 1, "x/y~z": "k", old: "gone" },
    };

    it("replace for changed keys, add for new and for every secret, remove for undeclared visible keys; keys escaped", () => {
        const ops = connectionPatch(
            {
                name: "db",
                datasourceID: "mysql",
                connectionProperties: { host: "b", port: 1, "x/y~z": "k2", database: "d", password: PASSWORD },
            },
            live,
        );
        expect(ops).to.deep.equal([
            { op: "replace", path: "/connectionProperties/host", value: "b" },
            { op: "replace", path: "/connectionProperties/x~1y~0z", value: "k2" },
            { op: "add", path: "/connectionProperties/database", value: "d" },
            { op: "add", path: "/connectionProperties/password", value: PASSWORD },
            { op: "remove", path: "/connectionProperties/old" },
        ]);
    });

    it("nothing to write when the visible target matches and no secret is declared; name and datasource changes are replaces", () => {
        expect(
            connectionPatch(
                {
                    name: "db",
                    datasourceID: "mysql",
                    connectionProperties: { host: "a", port: 1, "x/y~z": "k", old: "gone" },
                },
                live,
            ),
        ).to.deep.equal([]);
        expect(
            connectionPatch(
                {
                    name: "db2",
                    datasourceID: "postgres",
                    connectionProperties: { host: "a", port: 1, "x/y~z": "k", old: "gone" },
                },
                live,
            ),
        ).to.deep.equal([
            { op: "replace", path: "/qName", value: "db2" },
            { op: "replace", path: "/datasourceID", value: "postgres" },
        ]);
    });
});
