// Contract scenarios: OAuth token, Tenants, Licenses (every response validated against the specs).
import { expect } from "chai";
import { ContractFixture, type Host } from "./fixture";

describe("contract: oauth + tenants + licenses", () => {
    let f: ContractFixture;
    let t: Host;
    before(async () => {
        f = await ContractFixture.start();
        t = await f.newTenant();
    });
    after(async () => {
        await f?.close();
    });

    describe("POST /oauth/token", () => {
        it("accepts JSON and form client_credentials on tenant and register hosts", async () => {
            const { clientId, clientSecret } = f.emu.info.oauthClient;
            const r = await f.c.request(
                {
                    method: "POST",
                    host: f.register,
                    path: "/oauth/token",
                    form: { client_id: clientId, client_secret: clientSecret, grant_type: "client_credentials" },
                },
                200,
            );
            expect(r.body.token_type).to.equal("bearer");
            await f.c.request(
                {
                    method: "POST",
                    host: t.host,
                    path: "/oauth/token",
                    body: {
                        client_id: clientId,
                        client_secret: clientSecret,
                        grant_type: "client_credentials",
                        scope: "user_default",
                    },
                },
                200,
            );
        });
        it("401 on bad credentials, 400 without grant_type", async () => {
            await f.c.request(
                {
                    method: "POST",
                    host: t.host,
                    path: "/oauth/token",
                    body: {
                        client_id: f.emu.info.oauthClient.clientId,
                        client_secret: "wrong",
                        grant_type: "client_credentials",
                    },
                },
                401,
            );
            await f.c.request(
                {
                    method: "POST",
                    host: t.host,
                    path: "/oauth/token",
                    requestBody: "invalid",
                    body: { client_id: f.emu.info.oauthClient.clientId },
                },
                400,
            );
        });
    });

    describe("tenants", () => {
        it("create -> get -> me (302) -> patch name -> 404 unknown", async () => {
            const g = await f.req(t, "GET", `/api/v1/tenants/${t.id}`, {}, 200);
            expect(g.body.hostnames[0]).to.equal(t.host);
            const reg = await f.token(f.register);
            await f.c.request({ host: f.register, token: reg, path: `/api/v1/tenants/${t.id}` }, 200);
            const me = await f.req(t, "GET", "/api/v1/tenants/me", {}, 302);
            expect(String(me.headers.location)).to.contain(`/api/v1/tenants/${t.id}`);
            await f.req(
                t,
                "PATCH",
                `/api/v1/tenants/${t.id}`,
                { body: [{ op: "replace", path: "/name", value: "contractname" }] },
                204,
            );
            await f.req(t, "GET", "/api/v1/tenants/doesnotexist00000000000000000000", {}, 404);
        });
        it("a token of one tenant is rejected on another (401)", async () => {
            await f.c.request({ host: t.host, token: f.source.token, path: `/api/v1/tenants/${t.id}` }, 401);
        });
        it("400 on a bad create body and a bad patch", async () => {
            const reg = await f.token(f.register);
            await f.c.request({ method: "POST", host: f.register, token: reg, path: "/api/v1/tenants", body: {} }, 400);
            await f.req(
                t,
                "PATCH",
                `/api/v1/tenants/${t.id}`,
                { requestBody: "invalid", body: [{ op: "remove", path: "/name" }] },
                400,
            );
        });
        it("deactivate (412 without confirm header) and reactivate on the register host", async () => {
            const victim = await f.newTenant();
            const reg = await f.token(f.register);
            const path = `/api/v1/tenants/${victim.id}/actions/deactivate`;
            await f.c.request(
                { method: "POST", host: f.register, token: reg, path, body: { purgeAfterDays: 30 } },
                412,
            );
            const d = await f.c.request(
                {
                    method: "POST",
                    host: f.register,
                    token: reg,
                    path,
                    body: { purgeAfterDays: 30 },
                    headers: { "qlik-confirm-hostname": victim.host },
                },
                200,
            );
            expect(d.body.status).to.equal("disabled");
            // every call on a deactivated tenant's host: 401 TENANT_DISABLED
            const off = await f.req(victim, "GET", `/api/v1/tenants/${victim.id}`, {}, 401);
            expect(off.body.errors[0].code).to.equal("TENANT_DISABLED");
            await f.req(victim, "GET", "/api/v1/spaces", {}, 401);
            await f.c.request(
                {
                    method: "POST",
                    host: f.register,
                    token: reg,
                    path: `/api/v1/tenants/nope/actions/deactivate`,
                    body: {},
                    headers: { "qlik-confirm-hostname": victim.host },
                },
                404,
            );
            const r = await f.c.request(
                {
                    method: "POST",
                    host: f.register,
                    token: reg,
                    path: `/api/v1/tenants/${victim.id}/actions/reactivate`,
                    body: {},
                    headers: { "qlik-confirm-hostname": victim.host },
                },
                200,
            );
            expect(r.body.status).to.equal("active");
        });
    });

    describe("licenses", () => {
        it("overview, status, settings get/put", async () => {
            const o = await f.req(f.source, "GET", "/api/v1/licenses/overview", {}, 200);
            expect(o.body.licenseKey).to.be.a("string");
            await f.req(t, "GET", "/api/v1/licenses/status", {}, 200);
            await f.req(t, "GET", "/api/v1/licenses/settings", {}, 200);
            const s = await f.req(
                t,
                "PUT",
                "/api/v1/licenses/settings",
                { body: { autoAssignProfessional: false, autoAssignAnalyzer: true } },
                200,
            );
            expect(s.body.autoAssignAnalyzer).to.equal(true);
        });
        it("assignments add/update/list/delete (207 multi-status)", async () => {
            const subject = "contract\\lic-user";
            await f.req(
                t,
                "POST",
                "/api/v1/users",
                { body: { name: "Lic User", email: "lic@customer.example", subject } },
                201,
            );
            await f.req(
                t,
                "POST",
                "/api/v1/licenses/assignments/actions/add",
                { body: { add: [{ subject, type: "analyzer" }] } },
                207,
            );
            const l = await f.req(t, "GET", "/api/v1/licenses/assignments", {}, 200);
            expect(l.body.data.map((a: { subject: string }) => a.subject)).to.include(subject);
            await f.req(
                t,
                "POST",
                "/api/v1/licenses/assignments/actions/update",
                { body: { update: [{ subject, sourceType: "analyzer", type: "professional" }] } },
                207,
            );
            await f.req(
                t,
                "POST",
                "/api/v1/licenses/assignments/actions/delete",
                { body: { delete: [{ subject, type: "professional" }] } },
                207,
            );
        });
        it("400 on a bad settings body", async () => {
            await f.req(
                t,
                "PUT",
                "/api/v1/licenses/settings",
                { requestBody: "invalid", body: { autoAssignAnalyzer: "yes" } },
                400,
            );
        });
    });
});
