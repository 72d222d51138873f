// The by-id routes groups, users, roles and identity-providers share (emulator/core/byId.ts): each API keeps its
// own 404 code, its verbs (roles are read-only) and, for the writable ones, a 204 on PATCH and DELETE.
import { expect } from "chai";
import { startFixture, type Fixture } from "../core/fixture";

describe("emulator directory records by id (groups, users, roles, identity-providers)", () => {
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
    const unknownId = "0123456789abcdef01234567";

    for (const [api, code] of [
        ["groups", "GROUPS-7"],
        ["users", "USERS-7"],
        ["roles", "ROLES-404"],
        ["identity-providers", "IDENTITY-PROVIDERS-404"],
    ] as const) {
        it(`${api}: an unknown id is a 404 ${code} for every verb the resource has`, async () => {
            const verbs = api === "roles" ? ["GET"] : ["GET", "PATCH", "DELETE"];
            for (const method of verbs) {
                const r = await req(`/api/v1/${api}/${unknownId}`, {
                    method,
                    body: method === "PATCH" ? [{ op: "replace", path: "/description", value: "x" }] : undefined,
                });
                expect(r.status, `${method} ${api}`).to.equal(404);
                expect(r.body.errors[0]).to.include({ code, title: "Not found" });
            }
            const wrong = await req(`/api/v1/${api}/${unknownId}`, { method: "POST", body: {} });
            expect(wrong.status).to.equal(405);
            expect(wrong.headers.allow).to.equal(verbs.join(", "));
        });
    }

    it("groups: PATCH then DELETE of a record answer 204 and the change is visible, then gone", async () => {
        const g = await req("/api/v1/groups", { method: "POST", body: { name: "ById", status: "active" } });
        expect(g.status).to.equal(201);
        const path = `/api/v1/groups/${g.body.id}`;
        const p = await req(path, { method: "PATCH", body: [{ op: "replace", path: "/description", value: "d" }] });
        expect(p.status).to.equal(204);
        expect((await req(path)).body).to.include({ id: g.body.id, description: "d" });
        expect((await req(path, { method: "DELETE" })).status).to.equal(204);
        expect((await req(path)).status).to.equal(404);
    });
});
