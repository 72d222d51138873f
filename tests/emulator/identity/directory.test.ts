import { expect } from "chai";
import { startFixture, type Fixture } from "../core/fixture";

describe("emulator users, groups, roles, licenses", () => {
    let f: Fixture;
    let t: { id: string; host: string; token: string };
    before(async () => {
        f = await startFixture();
        t = await f.createTenant();
    });
    after(async () => {
        await f.emu.close();
    });
    const req = (path: string, o: { method?: string; body?: unknown } = {}) =>
        f.req(path, { host: t.host, token: t.token, ...o });

    it("lists default roles and filters them", async () => {
        const r = await req("/api/v1/roles?limit=100");
        const names = r.body.data.map((x: { name: string }) => x.name);
        expect(names).to.include.members([
            "TenantAdmin",
            "AnalyticsAdmin",
            "DataAdmin",
            "Developer",
            "AuditAdmin",
            "SharedSpaceCreator",
            "ManagedSpaceCreator",
            "DataSpaceCreator",
            "PrivateAnalyticsContentCreator",
        ]);
        const one = await req(`/api/v1/roles?filter=${encodeURIComponent('name eq "AuditAdmin"')}`);
        expect(one.body.data).to.have.length(1);
        expect((await req(`/api/v1/roles/${one.body.data[0].id}`)).body.name).to.equal("AuditAdmin");
        const paged = await req("/api/v1/roles?limit=5");
        expect(paged.body.data).to.have.length(5);
        const next = new URL(paged.body.links.next.href);
        expect(next.host).to.equal(t.host);
        const page2 = await req(next.pathname + next.search);
        expect(page2.body.data[0].id).to.not.equal(paged.body.data[0].id);
        expect(page2.body.links.prev.href).to.be.a("string");
    });

    it("groups: create (409 duplicate, 400 unknown role), filter, patch with both path styles, settings, delete", async () => {
        const g = await req("/api/v1/groups", {
            method: "POST",
            body: { name: "Admins", status: "active", assignedRoles: [{ name: "TenantAdmin" }] },
        });
        expect(g.status).to.equal(201);
        expect(g.body.assignedRoles[0]).to.include({ name: "TenantAdmin", level: "admin", type: "default" });
        expect((await req("/api/v1/groups", { method: "POST", body: { name: "Admins" } })).status).to.equal(409);
        const unknown = await req("/api/v1/groups", {
            method: "POST",
            body: { name: "X", assignedRoles: [{ name: "Nope" }] },
        });
        expect(unknown.status).to.equal(400);
        expect(unknown.body.errors[0].status).to.equal(400);
        for (const path of ["assignedRoles", "/assignedRoles"]) {
            const p = await req(`/api/v1/groups/${g.body.id}`, {
                method: "PATCH",
                body: [{ op: "replace", path, value: [{ name: "AuditAdmin" }] }],
            });
            expect(p.status).to.equal(204);
        }
        const f1 = await req("/api/v1/groups/actions/filter", { method: "POST", body: { filter: 'name eq "Admins"' } });
        expect(f1.body.data[0].assignedRoles.map((r: { name: string }) => r.name)).to.deep.equal(["AuditAdmin"]);
        const s = await req("/api/v1/groups/settings");
        expect(s.body.autoCreateGroups).to.equal(false);
        expect(s.body.systemGroups["000000000000000000000001"].name).to.equal("com.qlik.Everyone");
        expect((await req(`/api/v1/groups/${g.body.id}`, { method: "DELETE" })).status).to.equal(204);
        expect((await req(`/api/v1/groups/${g.body.id}`)).body.errors[0].code).to.equal("GROUPS-7");
        expect((await req("/api/v1/groups?filter=name%20eq")).status).to.equal(400);
    });

    it("users: create (409 duplicate subject), filter, patch, count, delete", async () => {
        const u = await req("/api/v1/users", {
            method: "POST",
            body: {
                subject: "isv\\bob",
                name: "Bob",
                email: "bob@x.example",
                assignedRoles: [{ name: "TenantAdmin" }],
            },
        });
        expect(u.status).to.equal(201);
        expect((await req("/api/v1/users", { method: "POST", body: { subject: "isv\\bob" } })).status).to.equal(409);
        const byEmail = await req("/api/v1/users/actions/filter", {
            method: "POST",
            body: { filter: 'email eq "bob@x.example"' },
        });
        expect(byEmail.body.data.map((x: { subject: string }) => x.subject)).to.deep.equal(["isv\\bob"]);
        expect(
            (
                await req(`/api/v1/users/${u.body.id}`, {
                    method: "PATCH",
                    body: [{ op: "replace", path: "/name", value: "Robert" }],
                })
            ).status,
        ).to.equal(204);
        expect((await req(`/api/v1/users/${u.body.id}`)).body.name).to.equal("Robert");
        const count = await req("/api/v1/users/actions/count");
        expect(count.body.total).to.equal(2); // bot + bob
        expect((await req(`/api/v1/users/${u.body.id}`, { method: "DELETE" })).status).to.equal(204);
        expect((await req(`/api/v1/users/${u.body.id}`)).status).to.equal(404);
    });

    it("licenses: overview, 207 per-item add/update/delete, paging, settings", async () => {
        const o = await req("/api/v1/licenses/overview");
        expect(o.body.licenseKey).to.equal(f.emu.info.licenseKey);
        expect(o.body.allotments.find((a: { name: string }) => a.name === "professional").units).to.equal(100);
        expect((await req("/api/v1/licenses/status")).body.status).to.equal("Ok");
        const add = await req("/api/v1/licenses/assignments/actions/add", {
            method: "POST",
            body: {
                add: [
                    { subject: "a", type: "professional" },
                    { subject: "a", type: "analyzer" },
                    { subject: "b", type: "nope" },
                    { subject: "c", type: "analyzer" },
                ],
            },
        });
        expect(add.status).to.equal(207);
        expect(add.body.data.map((d: { status: number }) => d.status)).to.deep.equal([201, 409, 403, 201]);
        expect(add.body.data[2].code).to.equal("LICENSES-011");
        const upd = await req("/api/v1/licenses/assignments/actions/update", {
            method: "POST",
            body: {
                update: [
                    { subject: "c", type: "professional" },
                    { subject: "zz", type: "analyzer" },
                ],
            },
        });
        expect(upd.body.data.map((d: { status: number }) => d.status)).to.deep.equal([200, 404]);
        const page = await req("/api/v1/licenses/assignments?limit=1");
        expect(page.body.data).to.have.length(1);
        expect(new URL(page.body.links.next.href).searchParams.get("page")).to.be.a("string");
        const del = await req("/api/v1/licenses/assignments/actions/delete", {
            method: "POST",
            body: {
                delete: [
                    { subject: "a", type: "professional" },
                    { subject: "x", type: "analyzer" },
                ],
            },
        });
        expect(del.body.data.map((d: { status: number; code?: string }) => d.code ?? d.status)).to.deep.equal([
            200,
            "LICENSES-016",
        ]);
        const put = await req("/api/v1/licenses/settings", {
            method: "PUT",
            body: { autoAssignProfessional: false, autoAssignAnalyzer: true },
        });
        expect(put.body).to.deep.equal({ autoAssignProfessional: false, autoAssignAnalyzer: true });
        const bad = await req("/api/v1/licenses/settings", { method: "PUT", body: { autoAssignAnalyzer: "yes" } });
        expect(bad.status).to.equal(400);
        expect(bad.body).to.have.keys("error", "message", "errors");
    });
});
