// Contract tests of issue 10 (emulator fidelity round 2): operations Qlik's own clients call, spec-conformant
// responses and the input validation of the specs' parameter schemas. Every request is validated against the
// OpenAPI documents by ContractClient; the assertions pin down the behaviour each item describes.
import { expect } from "chai";
import { ContractFixture, type Host } from "./fixture";

describe("contract: fidelity round 2 (issue 10)", () => {
    let f: ContractFixture;
    let t: Host;
    let space: string;
    let other: string;
    let appId: string;
    before(async () => {
        f = await ContractFixture.start();
        t = await f.newTenant();
        space = (await f.req(t, "POST", "/api/v1/spaces", { body: { name: "Fidelity", type: "shared" } }, 201)).body.id;
        other = (await f.req(t, "POST", "/api/v1/spaces", { body: { name: "Fidelity 2", type: "shared" } }, 201)).body
            .id;
        appId = (
            await f.req(
                t,
                "POST",
                "/api/v1/apps",
                { body: { attributes: { name: "Fidelity app", spaceId: space } } },
                200,
            )
        ).body.attributes.id;
    });
    after(async () => {
        await f?.close();
    });

    describe("operations that used to fall into a parameter route", () => {
        it("GET /spaces/types lists the space types", async () => {
            const r = await f.req(t, "GET", "/api/v1/spaces/types", {}, 200);
            expect(r.body.data).to.have.members(["shared", "managed", "data"]);
        });

        it("GET /identity-providers/status counts Qlik's interactive IdP and lists JWT IdPs as non-interactive", async () => {
            const before = await f.req(t, "GET", "/api/v1/identity-providers/status", {}, 200);
            expect(before.body).to.deep.equal({
                idps_metadata: [{ active: true, provider: "qlik", interactive: true }],
                active_interactive_idps_count: 1,
            });
            const pem = (await import("node:crypto"))
                .generateKeyPairSync("rsa", { modulusLength: 2048 })
                .publicKey.export({ type: "spki", format: "pem" })
                .toString()
                .replace(/\n/g, "");
            await f.req(
                t,
                "POST",
                "/api/v1/identity-providers",
                {
                    body: {
                        provider: "external",
                        protocol: "jwtAuth",
                        tenantIds: [t.id],
                        options: { issuer: "https://fidelity.example", staticKeys: [{ kid: "k", pem }] },
                    },
                },
                201,
            );
            const after = await f.req(t, "GET", "/api/v1/identity-providers/status", {}, 200);
            expect(after.body.idps_metadata).to.deep.include({
                active: true,
                provider: "external",
                interactive: false,
            });
            expect(after.body.active_interactive_idps_count).to.equal(1);
        });

        it("GET /licenses/consumption: empty for user-based licences; limit up to 200, sort and filter validated", async () => {
            const r = await f.req(t, "GET", "/api/v1/licenses/consumption?limit=200&sort=-endTime", {}, 200);
            expect(r.body.data).to.deep.equal([]);
            await f.req(t, "GET", "/api/v1/licenses/consumption?limit=201", {}, 400);
            await f.req(t, "GET", "/api/v1/licenses/consumption?sort=null", {}, 400);
            await f.req(t, "GET", "/api/v1/licenses/consumption?filter=endTime%20%3D%3D", {}, 400);
        });

        it("GET /apps/privileges and POST /apps/validatescript", async () => {
            const p = await f.req(t, "GET", "/api/v1/apps/privileges", {}, 200);
            expect(p.body).to.include("can_create_app");
            const ok = await f.req(
                t,
                "POST",
                "/api/v1/apps/validatescript",
                { body: { script: "T:\nLOAD * INLINE [\nA\n1\n];\n" } },
                200,
            );
            expect(ok.body).to.deep.equal({ Errors: [], Warnings: [] });
            const bad = await f.req(
                t,
                "POST",
                "/api/v1/apps/validatescript",
                { body: { script: "T:\nLOAD A, FROM x.csv;\n" } },
                200,
            );
            expect(bad.body.Errors).to.have.length(1);
            expect(bad.body.Errors[0].Line).to.equal(2);
        });

        it("PATCH /apps/{id}/scripts/{scriptId} changes only the version message", async () => {
            await f.req(
                t,
                "POST",
                `/api/v1/apps/${appId}/scripts`,
                { body: { script: "T:\nLOAD 1 AS A AutoGenerate 1;\n", versionMessage: "v1" } },
                200,
            );
            const list = await f.req(t, "GET", `/api/v1/apps/${appId}/scripts`, {}, 200);
            const id = list.body.scripts[0].scriptId as string;
            await f.req(
                t,
                "PATCH",
                `/api/v1/apps/${appId}/scripts/${id}`,
                { body: [{ Op: "replace", Path: "/versionMessage", Value: '"renamed"' }] },
                200,
            );
            expect(
                (await f.req(t, "GET", `/api/v1/apps/${appId}/scripts/${id}`, {}, 200)).body.versionMessage,
            ).to.equal("renamed");
            await f.req(
                t,
                "PATCH",
                `/api/v1/apps/${appId}/scripts/${id}`,
                { body: [{ Op: "replace", Path: "/script", Value: '"x"' }] },
                400,
            );
            await f.req(
                t,
                "PATCH",
                `/api/v1/apps/${appId}/scripts/000000000000000000000000`,
                { body: [{ Op: "remove", Path: "/versionMessage" }] },
                404,
            );
        });

        it("data-connections actions/duplicate, actions/update (207) and actions/delete (207)", async () => {
            const c = await f.req(
                t,
                "POST",
                "/api/v1/data-connections",
                {
                    body: {
                        qName: "dup-src",
                        datasourceID: "sqlite",
                        space,
                        connectionProperties: { database: "/tmp/x.sqlite" },
                    },
                },
                201,
            );
            const d = await f.req(
                t,
                "POST",
                "/api/v1/data-connections/actions/duplicate",
                { body: { id: c.body.qID } },
                201,
            );
            expect(d.body.qName).to.equal("dup-src - Copy");
            expect(d.body.qID).to.not.equal(c.body.qID);
            await f.req(
                t,
                "POST",
                "/api/v1/data-connections/actions/duplicate",
                { body: { id: c.body.qID, name: "dup-src" } },
                409,
            );
            const u = await f.req(
                t,
                "POST",
                "/api/v1/data-connections/actions/update",
                {
                    body: {
                        connections: [
                            { id: d.body.qID, spaceId: other, spaceType: "shared" },
                            { id: "00000000-0000-0000-0000-000000000000", spaceId: other, spaceType: "shared" },
                        ],
                    },
                },
                207,
            );
            expect(u.body.data.map((x: { status: number }) => x.status)).to.deep.equal([204, 404]);
            expect((await f.req(t, "GET", `/api/v1/data-connections/${d.body.qID}`, {}, 200)).body.space).to.equal(
                other,
            );
            const del = await f.req(
                t,
                "POST",
                "/api/v1/data-connections/actions/delete",
                { body: { connections: [{ id: d.body.qID }, { id: c.body.qID }] } },
                207,
            );
            expect(del.body.data.map((x: { status: number }) => x.status)).to.deep.equal([204, 204]);
            await f.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`, {}, 404);
            await f.req(
                t,
                "POST",
                "/api/v1/data-connections/actions/delete",
                { requestBody: "invalid", body: { connections: [{ name: "no id" }] } },
                400,
            );
        });
    });

    describe("responses as the specs document them", () => {
        it('a never-reloaded app has no lastReloadTime (absent, not ""); a reloaded one has a date-time', async () => {
            const app = await f.req(t, "GET", `/api/v1/apps/${appId}`, {}, 200);
            expect(app.body.attributes).to.not.have.property("lastReloadTime");
        });

        it("an app name must not be empty (create, update and copy)", async () => {
            await f.req(t, "POST", "/api/v1/apps", { body: { attributes: { name: "" } } }, 400);
            await f.req(t, "PUT", `/api/v1/apps/${appId}`, { body: { attributes: { name: "  " } } }, 400);
            await f.req(t, "POST", `/api/v1/apps/${appId}/copy`, { body: { attributes: { name: "" } } }, 400);
        });

        it("qLogOn: a string in the create response, an integer from GET and the list", async () => {
            const c = await f.req(
                t,
                "POST",
                "/api/v1/data-connections",
                {
                    body: {
                        qName: "logon",
                        datasourceID: "sqlite",
                        space,
                        qLogOn: "1",
                        connectionProperties: { database: "/tmp/y.sqlite" },
                    },
                },
                201,
            );
            expect(c.body.qLogOn).to.equal("1");
            expect((await f.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`, {}, 200)).body.qLogOn).to.equal(1);
            const list = await f.req(t, "GET", `/api/v1/data-connections?spaceId=${space}`, {}, 200);
            expect(list.body.data.find((x: { qID: string }) => x.qID === c.body.qID).qLogOn).to.equal(1);
        });

        it("401 in each API's own error shape", async () => {
            const groups = await f.req({ ...t, token: "" }, "GET", "/api/v1/groups", {}, 401);
            expect(groups.body.errors[0].status).to.equal(401);
            const idp = await f.req({ ...t, token: "" }, "GET", "/api/v1/identity-providers", {}, 401);
            expect(idp.body.errors[0].status).to.equal(401);
            const lic = await f.req({ ...t, token: "" }, "GET", "/api/v1/licenses/assignments", {}, 401);
            expect(lic.body).to.include.keys("error", "message", "errors");
            const tenants = await f.req({ ...t, token: "not-a-token" }, "GET", `/api/v1/tenants/${t.id}`, {}, 401);
            expect(tenants.body.errors[0].status).to.equal("401");
        });

        it("redirects carry Content-Type text/html (users/me 301, tenants/me 302)", async () => {
            const me = await f.req(t, "GET", "/api/v1/users/me", {}, 301);
            expect(me.headers["content-type"]).to.match(/^text\/html/);
            expect(me.text).to.contain(String(me.headers.location));
            const tm = await f.req(t, "GET", "/api/v1/tenants/me", {}, 302);
            expect(tm.headers["content-type"]).to.match(/^text\/html/);
        });
    });

    describe("input validation from the spec's parameter and body schemas", () => {
        it("boolean and enum query values: active=null, sort=null are 400; valid values pass", async () => {
            await f.req(t, "GET", "/api/v1/identity-providers?active=null", {}, 400);
            await f.req(t, "GET", "/api/v1/identity-providers?active=true", {}, 200);
            await f.req(t, "GET", "/api/v1/users?sort=null", {}, 400);
            await f.req(t, "GET", "/api/v1/users?sort=-name", {}, 200);
            await f.req(t, "GET", "/api/v1/spaces?sort=null", {}, 400);
            await f.req(t, "GET", "/api/v1/spaces?sort=-createdAt", {}, 200);
            await f.req(t, "GET", "/api/v1/data-connections?sort=null", {}, 400);
            await f.req(t, "GET", "/api/v1/reloads?appId=x&log=maybe", {}, 400);
        });

        it("limits as typed: spaces has no maximum, a fractional IdP limit is a number", async () => {
            const s = await f.req(t, "GET", "/api/v1/spaces?limit=500", {}, 200);
            expect(s.body.data.length).to.be.greaterThan(1);
            await f.req(t, "GET", "/api/v1/identity-providers?limit=2.5", {}, 200);
            await f.req(t, "GET", "/api/v1/identity-providers?limit=0.5", {}, 400);
            await f.req(t, "GET", "/api/v1/users?limit=abc", {}, 400);
        });

        it("paging cursors the client did not get from us are 400; ours work", async () => {
            const first = await f.req(t, "GET", "/api/v1/spaces?limit=1", {}, 200);
            const next = new URL(first.body.links.next.href);
            const second = await f.req(t, "GET", `${next.pathname}${next.search}`, {}, 200);
            expect(second.body.data[0].id).to.not.equal(first.body.data[0].id);
            const forged = Buffer.from("o:1").toString("base64url");
            await f.req(t, "GET", `/api/v1/spaces?limit=1&next=${forged}`, {}, 400);
            await f.req(t, "GET", "/api/v1/spaces?next=%E2%82%AC", {}, 400);
            await f.req(t, "GET", "/api/v1/licenses/assignments?page=anything", {}, 400);
        });

        it("PUT /data-connections/{id} without its required fields is 400; POST /temp-contents without a body is 400", async () => {
            const c = await f.req(
                t,
                "POST",
                "/api/v1/data-connections",
                {
                    body: {
                        qName: "put-me",
                        datasourceID: "sqlite",
                        space,
                        connectionProperties: { database: "/tmp/z.sqlite" },
                    },
                },
                201,
            );
            await f.req(
                t,
                "PUT",
                `/api/v1/data-connections/${c.body.qID}`,
                { requestBody: "invalid", body: { qName: "only-name" } },
                400,
            );
            await f.req(
                t,
                "PUT",
                `/api/v1/data-connections/${c.body.qID}`,
                {
                    body: {
                        qID: c.body.qID,
                        qEngineObjectID: c.body.qID,
                        qName: "put-me-2",
                        qType: c.body.qType,
                        qConnectStatement: c.body.qConnectStatement,
                    },
                },
                204,
            );
            // The create tutorials' DCaaS shape is not a ConnectionUpdate: properties change with PATCH (qlik.dev changelog 157).
            await f.req(
                t,
                "PUT",
                `/api/v1/data-connections/${c.body.qID}`,
                {
                    requestBody: "invalid",
                    body: {
                        qName: "put-me-3",
                        datasourceID: "sqlite",
                        space,
                        connectionProperties: { database: "/tmp/z2.sqlite" },
                    },
                },
                400,
            );
            await f.req(t, "POST", "/api/v1/temp-contents", { requestBody: "invalid" }, 400);
        });

        it("a licence-assignment subject that is not a string fails the whole call", async () => {
            await f.req(
                t,
                "POST",
                "/api/v1/licenses/assignments/actions/add",
                { requestBody: "invalid", body: { add: [{ subject: { a: 1 }, type: "professional" }] } },
                400,
            );
        });

        it("JSON-Patch items that are null or not objects are 400, never 500", async () => {
            await f.req(t, "PATCH", `/api/v1/spaces/${space}`, { requestBody: "invalid", body: [null] }, 400);
            await f.req(t, "PATCH", `/api/v1/spaces/${space}`, { requestBody: "invalid", body: [1, "x"] }, 400);
        });
    });
});
