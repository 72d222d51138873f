// Over 400 lines: the data-connections API has two create shapes, PATCH, bulk 207 results and secrets; every case
// shares one emulator (helpers.ts) and reads as one table of the documented behaviour.
import { expect } from "chai";
import { Env } from "./helpers";

describe("emulator content: data-connections", () => {
    let env: Env;
    before(async () => {
        env = await Env.start();
    });
    after(async () => {
        await env.close();
    });

    it("DCaaS shape: 201, synthesized statement, secrets never echoed, 409 duplicate, get by name", async () => {
        const t = env.source;
        const space = (await env.req(t, "POST", "/api/v1/spaces", { name: "Data", type: "shared" })).body;
        const c = await env.req(t, "POST", "/api/v1/data-connections", {
            dataSourceId: "mysql",
            qName: "crm",
            space: space.id,
            connectionProperties: {
                host: "db.example",
                port: 3306,
                database: "crm",
                username: "u",
                password: "S3cret!",
            },
        });
        expect(c.status).to.equal(201);
        expect(c.body.qID).to.match(/^[0-9a-f-]{36}$/);
        expect(c.body.qConnectStatement).to.match(
            /^CUSTOM CONNECT TO "provider=.*;sourceType=mysql;.*host=db\.example/,
        );
        expect(c.text).to.not.include("S3cret!");
        expect(c.body.connectionProperties).to.not.have.property("password");
        const dup = await env.req(t, "POST", "/api/v1/data-connections", {
            datasourceID: "mysql",
            qName: "crm",
            space: space.id,
            connectionProperties: {},
        });
        expect(dup.status).to.equal(409);
        expect(dup.body).to.not.have.property("traceId");
        expect(dup.body.errors[0].status).to.equal(409);
        const byName = await env.req(t, "GET", `/api/v1/data-connections/crm?type=connectionname&spaceId=${space.id}`);
        expect(byName.status).to.equal(200);
        expect(byName.body.qID).to.equal(c.body.qID);
        const list = await env.req(t, "GET", `/api/v1/data-connections?spaceId=${space.id}`);
        expect(list.body.data).to.have.length(1);
        expect(list.text).to.not.include("S3cret!");
        const patch = await env.req(t, "PATCH", `/api/v1/data-connections/${c.body.qID}`, [
            { op: "replace", path: "/connectionProperties/port", value: 3307 },
        ]);
        expect(patch.status).to.equal(204);
        const got = await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`);
        expect(got.body.connectionProperties.port).to.equal(3307);
        expect(got.text).to.not.include("S3cret!");
        // the secret survived the patch (stored, not returned)
        const stored = env.emu.emu.store.get<{ connectionProperties: { password: string } }>(
            "dataConnections",
            c.body.qID,
        );
        expect(stored?.connectionProperties.password).to.equal("S3cret!");
        expect((await env.req(t, "DELETE", `/api/v1/data-connections/${c.body.qID}`)).status).to.equal(204);
        expect((await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`)).status).to.equal(404);
    });

    it("classic shape and PUT; qPassword never echoed; validation", async () => {
        const t = env.source;
        const c = await env.req(t, "POST", "/api/v1/data-connections", {
            qName: "odbc",
            qConnectStatement: 'CUSTOM CONNECT TO "provider=QvOdbcConnectorPackage.exe;sourceType=snowflake;"',
            qType: "QvOdbcConnectorPackage.exe",
            datasourceID: "snowflake",
            qUsername: "me",
            qPassword: "pw-123",
        });
        expect(c.status).to.equal(201);
        expect(c.text).to.not.include("pw-123");
        // ConnectionUpdate's required fields: a name-only PUT is a 400, the full classic body a 204.
        expect((await env.req(t, "PUT", `/api/v1/data-connections/${c.body.qID}`, { qName: "odbc2" })).status).to.equal(
            400,
        );
        expect(
            (
                await env.req(t, "PUT", `/api/v1/data-connections/${c.body.qID}`, {
                    qID: c.body.qID,
                    qEngineObjectID: c.body.qID,
                    qName: "odbc2",
                    qType: c.body.qType,
                    qConnectStatement: c.body.qConnectStatement,
                })
            ).status,
        ).to.equal(204);
        expect((await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`)).body.qName).to.equal("odbc2");
        expect((await env.req(t, "POST", "/api/v1/data-connections", { qName: "x" })).status).to.equal(400);
        expect(
            (
                await env.req(t, "POST", "/api/v1/data-connections", {
                    qName: "s",
                    datasourceID: "sqlite",
                    connectionProperties: {},
                })
            ).status,
        ).to.equal(400);
    });

    it("PUT is ConnectionUpdate: the create tutorials' DCaaS body and connectionProperties are 400s, the secret is kept", async () => {
        const t = env.source;
        const space = (await env.req(t, "POST", "/api/v1/spaces", { name: "Put", type: "shared" })).body;
        const c = (
            await env.req(t, "POST", "/api/v1/data-connections", {
                datasourceID: "mysql",
                qName: "put-me",
                space: space.id,
                connectionProperties: { host: "a.example", password: "Put-S3cret" },
            })
        ).body;
        const dcaas = await env.req(t, "PUT", `/api/v1/data-connections/${c.qID}`, {
            qName: "put-me",
            datasourceID: "mysql",
            connectionProperties: { host: "b.example" },
        });
        expect(dcaas.status).to.equal(400);
        expect(dcaas.body.errors[0].detail).to.match(/qID.*qConnectStatement.*qType.*qEngineObjectID/);
        const full = {
            qID: c.qID,
            qEngineObjectID: c.qID,
            qName: "put-me",
            qType: c.qType,
            qConnectStatement: c.qConnectStatement,
        };
        const withProps = await env.req(t, "PUT", `/api/v1/data-connections/${c.qID}`, {
            ...full,
            connectionProperties: { host: "b.example" },
        });
        expect(withProps.status).to.equal(400);
        expect(withProps.body.errors[0].detail).to.include("PATCH");
        expect(
            (await env.req(t, "PUT", `/api/v1/data-connections/${c.qID}`, { ...full, qEngineObjectID: "other" }))
                .status,
        ).to.equal(400);
        // by name, as the spec's type/spaceId parameters allow
        expect(
            (
                await env.req(t, "PUT", `/api/v1/data-connections/put-me?type=connectionname&spaceId=${space.id}`, {
                    ...full,
                    qName: "put-me-2",
                })
            ).status,
        ).to.equal(204);
        const got = await env.req(t, "GET", `/api/v1/data-connections/${c.qID}`);
        expect(got.body.qName).to.equal("put-me-2");
        expect(got.body.connectionProperties.host).to.equal("a.example");
        const stored = env.emu.emu.store.get<{ connectionProperties: { password: string } }>("dataConnections", c.qID);
        expect(stored?.connectionProperties.password).to.equal("Put-S3cret");
    });

    describe("PATCH (JSON Patch, qlik.dev changelog 157)", () => {
        let space: string;
        let qID: string;
        const SECRET = "Patch-S3cret-77";
        before(async () => {
            space = (await env.req(env.source, "POST", "/api/v1/spaces", { name: "Patch", type: "shared" })).body.id;
            qID = (
                await env.req(env.source, "POST", "/api/v1/data-connections", {
                    datasourceID: "mysql",
                    qName: "pc",
                    space,
                    connectionProperties: {
                        host: "one.example",
                        port: 3306,
                        database: "crm",
                        username: "u",
                        password: "old-pw",
                    },
                })
            ).body.qID;
        });
        const stored = () =>
            env.emu.emu.store.get<{
                connectionProperties: Record<string, unknown>;
                qPassword: string;
                qUsername: string;
            }>("dataConnections", qID)!;

        it("replace/add/remove of /qName and /connectionProperties/<key> in one call: 204, statement rebuilt, version moves", async () => {
            const before = (await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`)).body;
            const r = await env.req(env.source, "PATCH", `/api/v1/data-connections/${qID}`, [
                { op: "replace", path: "/qName", value: "pc2" },
                { op: "replace", path: "/connectionProperties/host", value: "two.example" },
                { op: "add", path: "/connectionProperties/schema", value: "sales" },
                { op: "remove", path: "/connectionProperties/port" },
                { op: "replace", path: "/connectionProperties/password", value: SECRET },
            ]);
            expect(r.status).to.equal(204);
            expect(r.text).to.equal("");
            const got = await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`);
            expect(got.body.qName).to.equal("pc2");
            expect(got.body.connectionProperties).to.deep.equal({
                host: "two.example",
                database: "crm",
                username: "u",
                schema: "sales",
            });
            expect(got.body.qConnectStatement)
                .to.include("host=two.example")
                .and.include("schema=sales")
                .and.not.include("port=");
            expect(got.body.version).to.not.equal(before.version);
            expect(got.text).to.not.include(SECRET);
            expect(stored().connectionProperties.password).to.equal(SECRET);
        });

        it("credentials: /qUsername and /qPassword are stored, the password never returned", async () => {
            expect(
                (
                    await env.req(env.source, "PATCH", `/api/v1/data-connections/${qID}`, [
                        { op: "replace", path: "/qUsername", value: "svc" },
                        { op: "replace", path: "/qPassword", value: SECRET },
                    ])
                ).status,
            ).to.equal(204);
            const got = await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`);
            expect(got.body.qUsername).to.equal("svc");
            expect(got.text).to.not.include(SECRET);
            expect(stored().qPassword).to.equal(SECRET);
        });

        it("whole /connectionProperties object: replaced, a stored secret the client could not read is kept", async () => {
            expect(
                (
                    await env.req(env.source, "PATCH", `/api/v1/data-connections/${qID}`, [
                        {
                            op: "replace",
                            path: "/connectionProperties",
                            value: { host: "three.example", database: "crm" },
                        },
                    ])
                ).status,
            ).to.equal(204);
            expect(
                (await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`)).body.connectionProperties,
            ).to.deep.equal({ host: "three.example", database: "crm" });
            expect(stored().connectionProperties.password).to.equal(SECRET);
        });

        it("by name with type=connectionname (other type values are 400); unknown id or name 404", async () => {
            const ok = await env.req(
                env.source,
                "PATCH",
                `/api/v1/data-connections/pc2?type=connectionname&spaceId=${space}`,
                [{ op: "replace", path: "/connectionProperties/database", value: "crm2" }],
            );
            expect(ok.status).to.equal(204);
            expect(
                (await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`)).body.connectionProperties
                    .database,
            ).to.equal("crm2");
            const cred = await env.req(
                env.source,
                "PATCH",
                `/api/v1/data-connections/pc2?type=credentialname&spaceId=${space}`,
                [{ op: "replace", path: "/qName", value: "x" }],
            );
            expect(cred.status).to.equal(400);
            const ops = [{ op: "replace", path: "/qName", value: "x" }];
            expect(
                (
                    await env.req(
                        env.source,
                        "PATCH",
                        "/api/v1/data-connections/00000000-0000-4000-8000-000000000000",
                        ops,
                    )
                ).status,
            ).to.equal(404);
            expect(
                (
                    await env.req(
                        env.source,
                        "PATCH",
                        `/api/v1/data-connections/nope?type=connectionname&spaceId=${space}`,
                        ops,
                    )
                ).status,
            ).to.equal(404);
        });

        it("malformed bodies are 400 (never 5xx), change nothing and never echo a value", async () => {
            const before = stored();
            const bad: unknown[] = [
                {},
                [],
                "text",
                null,
                [null],
                [[]],
                ["op"],
                [{ op: "move", path: "/qName", value: "x" }],
                [{ op: "copy", from: "/qName", path: "/qType" }],
                [{ path: "/qName", value: "x" }],
                [{ op: "replace", value: "x" }],
                [{ op: "replace", path: 5, value: "x" }],
                [{ op: "replace", path: "qName", value: "x" }],
                [{ op: "replace", path: "/", value: "x" }],
                [{ op: "replace", path: "/qName" }],
                [{ op: "add", path: "/connectionProperties/a", value: null }],
                [{ op: "replace", path: "/qName", value: "" }],
                [{ op: "replace", path: "/qName", value: 7 }],
                [{ op: "remove", path: "/qName" }],
                [{ op: "replace", path: "/id", value: "x" }],
                [{ op: "replace", path: "/space", value: "x" }],
                [{ op: "replace", path: "/owner", value: "x" }],
                [{ op: "replace", path: "/connectionProperties/a/b", value: "x" }],
                [{ op: "replace", path: "/connectionProperties/missing", value: "x" }],
                [{ op: "remove", path: "/connectionProperties/missing" }],
                [{ op: "replace", path: "/connectionProperties", value: "x" }],
                [{ op: "replace", path: "/connectionProperties/host", value: { nested: 1 } }],
                [{ op: "replace", path: "/tags", value: [1] }],
                [{ op: "replace", path: "/qLogOn", value: 7 }],
                [{ op: "replace", path: "/qPassword", value: 5 }],
                // a valid first operation does not apply when a later one is bad
                [
                    { op: "replace", path: "/qName", value: "half" },
                    { op: "replace", path: "/nope", value: SECRET },
                ],
            ];
            for (const body of bad) {
                const r = await env.req(env.source, "PATCH", `/api/v1/data-connections/${qID}`, body);
                expect(r.status, JSON.stringify(body)).to.equal(400);
                expect(r.body.errors[0].status, JSON.stringify(body)).to.equal(400);
                expect(r.text).to.not.include(SECRET);
            }
            expect(stored()).to.deep.equal(before);
        });

        it("409 when the new name is taken in the space; 404 for a user who cannot see it, 403 for a consumer, 204 for a producer", async () => {
            await env.req(env.source, "POST", "/api/v1/data-connections", {
                datasourceID: "mysql",
                qName: "taken",
                space,
                connectionProperties: { host: "h" },
            });
            expect(
                (
                    await env.req(env.source, "PATCH", `/api/v1/data-connections/${qID}`, [
                        { op: "replace", path: "/qName", value: "taken" },
                    ])
                ).status,
            ).to.equal(409);
            const outsider = env.user(env.source, "patch-outsider");
            expect(
                (
                    await env.req(outsider, "PATCH", `/api/v1/data-connections/${qID}`, [
                        { op: "replace", path: "/qName", value: "mine" },
                    ])
                ).status,
            ).to.equal(404);
            expect(
                (
                    await env.req(outsider, "PUT", `/api/v1/data-connections/${qID}`, {
                        qID,
                        qEngineObjectID: qID,
                        qName: "mine",
                        qType: "t",
                        qConnectStatement: "s",
                    })
                ).status,
            ).to.equal(404);
            // a consumer of the space sees the connection but may not change it (403), a producer may
            const consumer = env.user(env.source, "patch-consumer");
            const producer = env.user(env.source, "patch-producer");
            for (const [u, role] of [
                [consumer, "consumer"],
                [producer, "producer"],
            ] as const) {
                expect(
                    (
                        await env.req(env.source, "POST", `/api/v1/spaces/${space}/assignments`, {
                            type: "user",
                            assigneeId: u.userId,
                            roles: [role],
                        })
                    ).status,
                ).to.equal(201);
            }
            expect((await env.req(consumer, "GET", `/api/v1/data-connections/${qID}`)).status).to.equal(200);
            const denied = await env.req(consumer, "PATCH", `/api/v1/data-connections/${qID}`, [
                { op: "replace", path: "/qName", value: "mine" },
            ]);
            expect(denied.status).to.equal(403);
            expect(
                (
                    await env.req(consumer, "PUT", `/api/v1/data-connections/${qID}`, {
                        qID,
                        qEngineObjectID: qID,
                        qName: "mine",
                        qType: "t",
                        qConnectStatement: "s",
                    })
                ).status,
            ).to.equal(403);
            expect((await env.req(env.source, "GET", `/api/v1/data-connections/${qID}`)).body.qName).to.equal("pc2");
            expect(
                (
                    await env.req(producer, "PATCH", `/api/v1/data-connections/${qID}`, [
                        { op: "replace", path: "/qName", value: "pc2" },
                    ])
                ).status,
            ).to.equal(204);
        });

        it("sqlite connections keep their database: removing it is a 400", async () => {
            const file = "/tmp/emulator-dc-patch.sqlite";
            const c = (
                await env.req(env.source, "POST", "/api/v1/data-connections", {
                    datasourceID: "sqlite",
                    qName: "lite",
                    space,
                    connectionProperties: { database: file },
                })
            ).body;
            expect(
                (
                    await env.req(env.source, "PATCH", `/api/v1/data-connections/${c.qID}`, [
                        { op: "remove", path: "/connectionProperties/database" },
                    ])
                ).status,
            ).to.equal(400);
            expect(
                (
                    await env.req(env.source, "PATCH", `/api/v1/data-connections/${c.qID}`, [
                        { op: "replace", path: "/connectionProperties/database", value: "/tmp/b.sqlite" },
                    ])
                ).status,
            ).to.equal(204);
            expect(
                (await env.req(env.source, "GET", `/api/v1/data-connections/${c.qID}`)).body.qConnectStatement,
            ).to.include("database=/tmp/b.sqlite;");
        });
    });
});
