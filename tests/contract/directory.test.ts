// Contract scenarios: Users, Roles, Groups (+ settings), Identity providers, JWT login, CSRF.
import { expect } from "chai";
import { ContractFixture, JwtSigner, type Host } from "./fixture";

describe("contract: users + roles + groups + identity providers + login", () => {
    let f: ContractFixture;
    let t: Host;
    const jwt = new JwtSigner();
    before(async () => {
        f = await ContractFixture.start();
        t = await f.newTenant();
    });
    after(async () => {
        await f?.close();
    });

    describe("users", () => {
        it("me (301) -> get -> list -> count -> filter", async () => {
            const me = await f.req(t, "GET", "/api/v1/users/me", {}, [301, 302]);
            const loc = new URL(String(me.headers.location));
            const u = await f.req(t, "GET", loc.pathname, {}, 200);
            expect(u.body.tenantId).to.equal(t.id);
            expect(u.body.roles ?? u.body.assignedRoles?.map((r: { name: string }) => r.name)).to.include(
                "TenantAdmin",
            );
            await f.req(t, "GET", "/api/v1/users?limit=5", {}, 200);
            await f.req(t, "GET", "/api/v1/users/actions/count", {}, 200);
            await f.req(
                t,
                "POST",
                "/api/v1/users/actions/filter",
                { body: { filter: `subject eq "${u.body.subject.replace(/\\/g, "\\\\")}"` } },
                200,
            );
        });
        it("create -> patch -> delete; 404 unknown; 400 bad body; 409 duplicate subject", async () => {
            const body = {
                name: "Contract User",
                email: "cu@customer.example",
                subject: "contract\\cu",
                assignedRoles: [{ name: "Developer" }],
            };
            const c = await f.req(t, "POST", "/api/v1/users", { body }, 201);
            await f.req(t, "POST", "/api/v1/users", { body }, [409, 400]);
            await f.req(
                t,
                "PATCH",
                `/api/v1/users/${c.body.id}`,
                { body: [{ op: "replace", path: "/name", value: "Renamed" }] },
                204,
            );
            await f.req(t, "GET", `/api/v1/users/${c.body.id}`, {}, 200);
            await f.req(t, "DELETE", `/api/v1/users/${c.body.id}`, {}, 204);
            await f.req(t, "GET", `/api/v1/users/${c.body.id}`, {}, 404);
            await f.req(t, "DELETE", `/api/v1/users/${c.body.id}`, {}, 404);
            await f.req(
                t,
                "PATCH",
                `/api/v1/users/${c.body.id}`,
                { body: [{ op: "replace", path: "/name", value: "x" }] },
                404,
            );
            await f.req(t, "POST", "/api/v1/users", { requestBody: "invalid", body: { name: 42 } }, 400);
            await f.req(t, "POST", "/api/v1/users/actions/filter", { body: { filter: "name eq" } }, 400);
        });
    });

    it("users: cursor paging through links.next (full URLs on the tenant host)", async () => {
        for (const n of [1, 2]) {
            await f.req(
                t,
                "POST",
                "/api/v1/users",
                { body: { name: `Pager ${n}`, email: `pager${n}@customer.example`, subject: `contract\\pager${n}` } },
                201,
            );
        }
        const first = await f.req(t, "GET", "/api/v1/users?limit=1", {}, 200);
        expect(first.body.data).to.have.length(1);
        const next = new URL(first.body.links.next.href);
        expect(next.host).to.equal(t.host);
        const second = await f.req(t, "GET", next.pathname + next.search, {}, 200);
        expect(second.body.data[0].id).to.not.equal(first.body.data[0].id);
    });

    describe("roles", () => {
        it("list, get TenantAdmin, 404 unknown", async () => {
            const l = await f.req(t, "GET", "/api/v1/roles", {}, 200);
            const admin = l.body.data.find((r: { name: string }) => r.name === "TenantAdmin");
            expect(admin, "TenantAdmin role").to.not.equal(undefined);
            await f.req(t, "GET", `/api/v1/roles/${admin.id}`, {}, 200);
            await f.req(t, "GET", "/api/v1/roles/000000000000000000000000", {}, 404);
        });
    });

    describe("groups", () => {
        it("settings get/patch (configure-a-tenant)", async () => {
            await f.req(t, "GET", "/api/v1/groups/settings", {}, 200);
            await f.req(
                t,
                "PATCH",
                "/api/v1/groups/settings",
                {
                    body: [
                        { op: "replace", path: "/autoCreateGroups", value: true },
                        { op: "replace", path: "/syncIdpGroups", value: true },
                    ],
                },
                204,
            );
        });
        it("create -> 409 duplicate -> list/filter/get -> patch roles -> delete -> 404", async () => {
            const g = await f.req(
                t,
                "POST",
                "/api/v1/groups",
                { body: { name: "Contract Consumers", status: "active" } },
                201,
            );
            await f.req(t, "POST", "/api/v1/groups", { body: { name: "Contract Consumers", status: "active" } }, 409);
            await f.req(t, "GET", "/api/v1/groups", {}, 200);
            await f.req(
                t,
                "POST",
                "/api/v1/groups/actions/filter",
                { body: { filter: 'name eq "Contract Consumers"' } },
                200,
            );
            await f.req(t, "GET", `/api/v1/groups/${g.body.id}`, {}, 200);
            await f.req(
                t,
                "PATCH",
                `/api/v1/groups/${g.body.id}`,
                { body: [{ op: "replace", path: "/assignedRoles", value: [{ name: "AuditAdmin" }] }] },
                204,
            );
            await f.req(t, "DELETE", `/api/v1/groups/${g.body.id}`, {}, 204);
            await f.req(t, "GET", `/api/v1/groups/${g.body.id}`, {}, 404);
            await f.req(t, "DELETE", `/api/v1/groups/${g.body.id}`, {}, 404);
            await f.req(
                t,
                "PATCH",
                `/api/v1/groups/${g.body.id}`,
                { body: [{ op: "replace", path: "/assignedRoles", value: [{ name: "AuditAdmin" }] }] },
                404,
            );
            await f.req(t, "POST", "/api/v1/groups", { requestBody: "invalid", body: { status: "active" } }, 400);
        });
    });

    describe("identity providers + jwt-session + csrf-token", () => {
        it("create JWT IdP -> list -> get -> patch description; 400 bad body; 404 unknown", async () => {
            const p = await f.req(t, "POST", "/api/v1/identity-providers", { body: jwt.idpBody(t.id) }, 201);
            expect(p.body.protocol).to.equal("jwtAuth");
            await f.req(t, "GET", "/api/v1/identity-providers", {}, 200);
            await f.req(t, "GET", `/api/v1/identity-providers/${p.body.id}`, {}, 200);
            await f.req(
                t,
                "PATCH",
                `/api/v1/identity-providers/${p.body.id}`,
                { body: [{ op: "replace", path: "/description", value: "rotated" }] },
                204,
            );
            await f.req(
                t,
                "POST",
                "/api/v1/identity-providers",
                { requestBody: "invalid", body: { provider: "external", protocol: "jwtAuth" } },
                400,
            );
            await f.req(t, "GET", "/api/v1/identity-providers/000000000000000000000000", {}, 404);
        });
        it("JWT login -> cookie session -> csrf token (204); bearer csrf -> 400; bad JWT -> 401", async () => {
            const r = await f.c.request(
                { method: "POST", host: t.host, path: "/login/jwt-session", token: jwt.sign("contract-user-1") },
                200,
            );
            const cookies = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
            expect(cookies).to.contain("eas.sid=");
            const csrf = await f.c.request(
                { host: t.host, path: "/api/v1/csrf-token", headers: { cookie: cookies } },
                204,
            );
            expect(csrf.headers["qlik-csrf-token"]).to.be.a("string");
            await f.req(t, "GET", "/api/v1/csrf-token", {}, 400);
            await f.c.request({ method: "POST", host: t.host, path: "/login/jwt-session", token: "not.a.jwt" }, 401);
        });
        it("a non-admin cookie user: 403 without csrf header, 403 on admin-only writes", async () => {
            const r = await f.c.request(
                { method: "POST", host: t.host, path: "/login/jwt-session", token: jwt.sign("contract-user-2") },
                200,
            );
            const cookie = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
            const csrf = String(
                (await f.c.request({ host: t.host, path: "/api/v1/csrf-token", headers: { cookie } }, 204)).headers[
                    "qlik-csrf-token"
                ],
            );
            const body = { name: "Not Allowed", status: "active" };
            await f.c.request({ method: "POST", host: t.host, path: "/api/v1/groups", headers: { cookie }, body }, 403);
            await f.c.request(
                {
                    method: "POST",
                    host: t.host,
                    path: "/api/v1/groups",
                    headers: { cookie, "qlik-csrf-token": csrf },
                    body,
                },
                403,
            );
            await f.c.request(
                {
                    method: "POST",
                    host: t.host,
                    path: "/api/v1/users",
                    headers: { cookie, "qlik-csrf-token": csrf },
                    body: { name: "X", email: "x@customer.example", subject: "contract\\x" },
                },
                403,
            );
            await f.c.request({ host: t.host, path: "/api/v1/identity-providers", headers: { cookie } }, 403);
            await f.c.request(
                { host: t.host, path: "/api/v1/identity-providers/000000000000000000000000", headers: { cookie } },
                403,
            );
            await f.c.request(
                {
                    method: "PUT",
                    host: t.host,
                    path: "/api/v1/licenses/settings",
                    headers: { cookie, "qlik-csrf-token": csrf },
                    body: { autoAssignAnalyzer: false },
                },
                403,
            );
        });
        it("delete IdP -> 204 then 404", async () => {
            const l = await f.req(t, "GET", "/api/v1/identity-providers", {}, 200);
            const id = l.body.data[0].id as string;
            await f.req(t, "DELETE", `/api/v1/identity-providers/${id}`, {}, 204);
            await f.req(t, "DELETE", `/api/v1/identity-providers/${id}`, {}, 404);
        });
    });
});
