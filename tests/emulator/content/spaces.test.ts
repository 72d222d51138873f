import { expect } from "chai";
import { Env } from "./helpers";

describe("emulator content: spaces", () => {
    let env: Env;
    before(async () => {
        env = await Env.start();
    });
    after(async () => {
        await env.close();
    });

    it("creates, lists (fuzzy name, type), gets with assignableRoles, patches, deletes", async () => {
        const t = env.source;
        const a = await env.req(t, "POST", "/api/v1/spaces", { name: "Griffin", type: "shared" });
        expect(a.status).to.equal(201);
        expect(a.body.id).to.match(/^[0-9a-f]{24}$/);
        const m = await env.req(t, "POST", "/api/v1/spaces", { name: "Managed One", type: "managed" });
        expect(m.status).to.equal(201);
        expect((await env.req(t, "POST", "/api/v1/spaces", { name: "Griffin", type: "shared" })).status).to.equal(409);
        expect((await env.req(t, "POST", "/api/v1/spaces", { name: "bad/name", type: "shared" })).status).to.equal(400);
        expect((await env.req(t, "POST", "/api/v1/spaces", { name: "x", type: "private" })).status).to.equal(400);
        const l = await env.req(t, "GET", "/api/v1/spaces?name=fin");
        expect(l.body.data.map((s: { name: string }) => s.name)).to.deep.equal(["Griffin"]);
        const lt = await env.req(t, "GET", "/api/v1/spaces?type=managed");
        expect(lt.body.data.map((s: { name: string }) => s.name)).to.deep.equal(["Managed One"]);
        const g = await env.req(t, "GET", `/api/v1/spaces/${m.body.id}`);
        expect(g.body.meta.assignableRoles).to.include("publisher").and.not.include("producer");
        const p = await env.req(t, "PATCH", `/api/v1/spaces/${a.body.id}`, [
            { op: "replace", path: "/description", value: "d" },
        ]);
        expect(p.status).to.equal(200);
        expect(p.body.description).to.equal("d");
        const app = await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "in space", spaceId: a.body.id } });
        expect(app.status).to.equal(200);
        const del = await env.req(t, "DELETE", `/api/v1/spaces/${a.body.id}`);
        expect(del.status).to.equal(412);
        expect(del.body.code).to.be.a("string");
        expect((await env.req(t, "DELETE", `/api/v1/apps/${app.body.attributes.id}`)).status).to.equal(200);
        expect((await env.req(t, "DELETE", `/api/v1/spaces/${a.body.id}`)).status).to.equal(204);
        expect((await env.req(t, "GET", `/api/v1/spaces/${a.body.id}`)).status).to.equal(404);
    });

    it("assignments: role validation, one per assignee (AssignmentConflict), PUT roles, member visibility", async () => {
        const t = env.source;
        const s = (await env.req(t, "POST", "/api/v1/spaces", { name: "Team", type: "managed" })).body;
        const u = env.user(t, "alice");
        expect((await env.req(u, "GET", `/api/v1/spaces/${s.id}`)).status).to.equal(404);
        expect(
            (
                await env.req(t, "POST", `/api/v1/spaces/${s.id}/assignments`, {
                    type: "user",
                    assigneeId: u.userId,
                    roles: ["producer"],
                })
            ).status,
        ).to.equal(400);
        const a = await env.req(t, "POST", `/api/v1/spaces/${s.id}/assignments`, {
            type: "user",
            assigneeId: u.userId,
            roles: ["consumer"],
        });
        expect(a.status).to.equal(201);
        const dup = await env.req(t, "POST", `/api/v1/spaces/${s.id}/assignments`, {
            type: "user",
            assigneeId: u.userId,
            roles: ["consumer"],
        });
        expect(dup.status).to.equal(409);
        expect(dup.body.code).to.equal("AssignmentConflict");
        const seen = await env.req(u, "GET", "/api/v1/spaces");
        expect(seen.body.data.map((x: { id: string }) => x.id)).to.deep.equal([s.id]);
        const put = await env.req(t, "PUT", `/api/v1/spaces/${s.id}/assignments/${a.body.id}`, {
            roles: ["consumer", "contributor"],
        });
        expect(put.status).to.equal(200);
        expect(put.body.roles).to.deep.equal(["consumer", "contributor"]);
        const list = await env.req(t, "GET", `/api/v1/spaces/${s.id}/assignments`);
        expect(list.body.data).to.have.length(1);
        expect((await env.req(t, "DELETE", `/api/v1/spaces/${s.id}/assignments/${a.body.id}`)).status).to.equal(204);
        expect((await env.req(u, "GET", `/api/v1/spaces/${s.id}`)).status).to.equal(404);
    });
});
