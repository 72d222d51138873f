// The tenant and license settings a customer plan flips (issue 12), as the emulator APPLIES them, not only stores
// them: license auto-assignment at JWT sign-in while units are free, the roles professionals get through the
// tenant's three autoAssign*RoleToProfessionals flags, and the Shared Space Creator role that creating a shared
// space needs (403 without it).
import { expect } from "chai";
import * as crypto from "node:crypto";
import { startFixture, type Fixture } from "../core/fixture";
import { usersModel } from "../../../emulator/apis/users/model";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = (publicKey.export({ type: "spki", format: "pem" }) as string).replace(/\n/g, "");
const ISS = "https://isv.example/plans";

function sign(claims: Record<string, unknown>): string {
    const h = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "plans" })).toString("base64url");
    const p = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${h}.${p}.${crypto.sign("sha256", Buffer.from(`${h}.${p}`), privateKey).toString("base64url")}`;
}

describe("emulator: settings a plan flips are applied (license auto-assign, professional roles, shared space creation)", () => {
    let f: Fixture;
    let t: { id: string; host: string; token: string };
    // A small license so "while units are free" is reachable: 2 professional, 1 analyzer unit per tenant.
    before(async () => {
        f = await startFixture({ seed: { license: { professional: 2, analyzer: 1 } } });
        t = await f.createTenant();
        const idp = await req("/api/v1/identity-providers", {
            method: "POST",
            body: {
                provider: "external",
                protocol: "jwtAuth",
                interactive: false,
                active: true,
                options: { issuer: ISS, staticKeys: [{ kid: "plans", pem: PEM }] },
            },
        });
        expect(idp.status).to.equal(201);
    });
    after(async () => {
        await f.emu.close();
    });

    const req = (path: string, o: { method?: string; body?: unknown } = {}) =>
        f.req(path, { host: t.host, token: t.token, ...o });

    /** Signs `sub` in by JWT; its cookie and CSRF token, as a browser session would hold them. */
    async function login(sub: string): Promise<{ cookie: string; csrf: string }> {
        const now = Math.floor(f.emu.emu.clock.now() / 1000);
        const r = await f.req("/login/jwt-session", {
            method: "POST",
            host: t.host,
            token: sign({
                sub,
                subType: "user",
                name: sub,
                jti: crypto.randomUUID(),
                iat: now,
                nbf: now - 5,
                exp: now + 600,
                iss: ISS,
                aud: "qlik.api/login/jwt-session",
            }),
        });
        expect(r.status, r.text).to.equal(200);
        const cookie = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
        const csrf = await f.req("/api/v1/csrf-token", { host: t.host, headers: { cookie } });
        return { cookie, csrf: csrf.headers["qlik-csrf-token"] as string };
    }

    async function assignments(): Promise<Record<string, string>> {
        const r = await req("/api/v1/licenses/assignments?limit=100");
        expect(r.status).to.equal(200);
        return Object.fromEntries(r.body.data.map((a: { subject: string; type: string }) => [a.subject, a.type]));
    }

    const settings = (body: Record<string, boolean>) =>
        req("/api/v1/licenses/settings", { method: "PUT", body }).then((r) => expect(r.status).to.equal(200));

    const patchTenant = (path: string, value: boolean) =>
        req(`/api/v1/tenants/${t.id}`, { method: "PATCH", body: [{ op: "replace", path, value }] }).then((r) =>
            expect(r.status, r.text).to.equal(204),
        );

    async function createSharedSpace(s: { cookie: string; csrf: string }, name: string) {
        return f.req("/api/v1/spaces", {
            method: "POST",
            host: t.host,
            headers: { cookie: s.cookie, "qlik-csrf-token": s.csrf },
            body: { name, type: "shared" },
        });
    }

    function rolesOf(subject: string): string[] {
        const users = usersModel(f.emu.emu);
        const u = users.bySubject(t.id, subject);
        if (!u) throw new Error(`no user ${subject}`);
        return users.effectiveRoles(u);
    }

    it("assigns no license at sign-in while both auto-assign settings are off (the emulator's default)", async () => {
        await login("cust\\nobody");
        expect(await assignments()).to.not.have.property("cust\\nobody");
    });

    it("autoAssignProfessional: a new user gets professional while units are free, then analyzer (autoAssignAnalyzer), then none", async () => {
        await settings({ autoAssignProfessional: true, autoAssignAnalyzer: true });
        const add = await req("/api/v1/licenses/assignments/actions/add", {
            method: "POST",
            body: { add: [{ subject: "cust\\kept", type: "analyzer" }] },
        });
        expect(add.body.data[0].status).to.equal(201);
        await login("cust\\p1");
        await login("cust\\p2");
        await login("cust\\kept"); // assigned already: keeps its type, takes no unit
        await login("cust\\p3"); // both professional units gone, the analyzer unit too (kept holds it)
        const a = await assignments();
        expect(a).to.include({ "cust\\p1": "professional", "cust\\p2": "professional", "cust\\kept": "analyzer" });
        expect(a).to.not.have.property("cust\\p3");
        // A freed analyzer unit goes to the next sign-in without an assignment.
        await req("/api/v1/licenses/assignments/actions/delete", {
            method: "POST",
            body: { delete: [{ subject: "cust\\kept", type: "analyzer" }] },
        });
        await login("cust\\p3");
        expect((await assignments())["cust\\p3"]).to.equal("analyzer");
    });

    it("autoAssignAnalyzer alone never hands out professional", async () => {
        await settings({ autoAssignProfessional: false, autoAssignAnalyzer: true });
        await req("/api/v1/licenses/assignments/actions/delete", {
            method: "POST",
            body: { delete: [{ subject: "cust\\p1", type: "professional" }] },
        });
        await login("cust\\analyst"); // the one analyzer unit is held by p3: nothing
        expect(await assignments()).to.not.have.property("cust\\analyst");
        await login("cust\\p1"); // professional unit free, but only analyzers are auto-assigned
        expect(await assignments()).to.not.have.property("cust\\p1");
        await settings({ autoAssignProfessional: false, autoAssignAnalyzer: false });
    });

    it("professionals hold SharedSpaceCreator, PrivateAnalyticsContentCreator, DataServicesContributor while the tenant flags are on", async () => {
        // p2 is professional, p3 analyzer (above). The flags default to true (Tenant schema, tenants spec).
        const tenant = await req(`/api/v1/tenants/${t.id}`);
        expect(tenant.body).to.include({
            autoAssignCreateSharedSpacesRoleToProfessionals: true,
            autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
            autoAssignDataServicesContributorRoleToProfessionals: true,
        });
        expect(rolesOf("cust\\p2")).to.include.members([
            "SharedSpaceCreator",
            "PrivateAnalyticsContentCreator",
            "DataServicesContributor",
        ]);
        expect(rolesOf("cust\\p3")).to.deep.equal([]);
        await patchTenant("/autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals", false);
        await patchTenant("/autoAssignDataServicesContributorRoleToProfessionals", false);
        expect(rolesOf("cust\\p2")).to.deep.equal(["SharedSpaceCreator"]);
        await patchTenant("/autoAssignCreateSharedSpacesRoleToProfessionals", false);
        expect(rolesOf("cust\\p2")).to.deep.equal([]);
        // The users API lists only roles assigned to the user itself, none of these.
        const u = await req(`/api/v1/users?filter=${encodeURIComponent('subject eq "cust\\\\p2"')}`);
        expect(u.body.data[0].assignedRoles).to.deep.equal([]);
        for (const p of [
            "/autoAssignCreateSharedSpacesRoleToProfessionals",
            "/autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
            "/autoAssignDataServicesContributorRoleToProfessionals",
        ])
            await patchTenant(p, true);
        expect(rolesOf("cust\\p2")).to.have.length(3);
    });

    it("a shared space needs SharedSpaceCreator: 403 for an analyzer and with the flag off, 201 for a professional or through a group role", async () => {
        const pro = await login("cust\\p2");
        const analyzer = await login("cust\\p3");
        const refused = await createSharedSpace(analyzer, "Analyzer space");
        expect(refused.status, refused.text).to.equal(403);
        expect(refused.body.errors[0].detail).to.match(/Not allowed to create shared spaces/);
        const made = await createSharedSpace(pro, "Authors");
        expect(made.status, made.text).to.equal(201);
        expect(made.body).to.include({ name: "Authors", type: "shared" });

        await patchTenant("/autoAssignCreateSharedSpacesRoleToProfessionals", false);
        expect((await createSharedSpace(pro, "Authors 2")).status, "flag off").to.equal(403);
        // The role itself, through a group, works whatever the flag says.
        const g = await req("/api/v1/groups", {
            method: "POST",
            body: { name: "Space creators", assignedRoles: [{ name: "SharedSpaceCreator" }] },
        });
        expect(g.status).to.equal(201);
        const p3 = usersModel(f.emu.emu).bySubject(t.id, "cust\\p3")!;
        const patched = await req(`/api/v1/users/${p3.id}`, {
            method: "PATCH",
            body: [{ op: "replace", path: "/assignedGroups", value: [{ id: g.body.id }] }],
        });
        expect(patched.status, patched.text).to.be.oneOf([200, 204]);
        expect((await createSharedSpace(analyzer, "Analyzer space")).status, "group role").to.equal(201);
        await patchTenant("/autoAssignCreateSharedSpacesRoleToProfessionals", true);
        expect((await createSharedSpace(pro, "Authors 2")).status, "flag on again").to.equal(201);
    });

    it("managed and data spaces still need their own creator roles", async () => {
        const pro = await login("cust\\p2");
        for (const type of ["managed", "data"]) {
            const r = await f.req("/api/v1/spaces", {
                method: "POST",
                host: t.host,
                headers: { cookie: pro.cookie, "qlik-csrf-token": pro.csrf },
                body: { name: `Pro ${type}`, type },
            });
            expect(r.status, type).to.equal(403);
        }
    });
});
