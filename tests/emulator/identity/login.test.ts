import { expect } from "chai";
import * as crypto from "node:crypto";
import { startFixture, type Fixture } from "../core/fixture";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM_ONE_LINE = (publicKey.export({ type: "spki", format: "pem" }) as string).replace(/\n/g, "");
const ISS = "https://isv.example/jwt";

function sign(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
    key: crypto.KeyObject = privateKey,
): string {
    const h = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "k1", ...header })).toString("base64url");
    const p = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const sig = crypto.sign("sha256", Buffer.from(`${h}.${p}`), key).toString("base64url");
    return `${h}.${p}.${sig}`;
}

describe("emulator identity providers + jwt-session + csrf", () => {
    let f: Fixture;
    let t: { id: string; host: string; token: string };
    before(async () => {
        f = await startFixture();
        t = await f.createTenant();
    });
    after(async () => {
        await f.emu.close();
    });

    const claims = (over: Record<string, unknown> = {}) => {
        const now = Math.floor(f.emu.emu.clock.now() / 1000);
        return {
            sub: "cust\\alice",
            subType: "user",
            name: "Alice",
            email: "alice@cust.example",
            email_verified: true,
            groups: ["Consumers"],
            jti: crypto.randomUUID(),
            iat: now,
            nbf: now - 5,
            exp: now + 600,
            iss: ISS,
            aud: "qlik.api/login/jwt-session",
            ...over,
        };
    };

    it("validates and creates a JWT IdP (single-line pem), echoing interactive/active/jwtLoginEnabled", async () => {
        const bad = await f.req("/api/v1/identity-providers", {
            method: "POST",
            host: t.host,
            token: t.token,
            body: {
                provider: "external",
                protocol: "jwtAuth",
                options: {
                    issuer: ISS,
                    staticKeys: [{ kid: "k1", pem: "-----BEGIN PUBLIC KEY-----garbage-----END PUBLIC KEY-----" }],
                },
            },
        });
        expect(bad.status).to.equal(400);
        expect(bad.body.errors[0].status).to.equal(400);
        const two = await f.req("/api/v1/identity-providers", {
            method: "POST",
            host: t.host,
            token: t.token,
            body: {
                provider: "external",
                protocol: "jwtAuth",
                options: {
                    issuer: ISS,
                    staticKeys: [
                        { kid: "a", pem: PEM_ONE_LINE },
                        { kid: "b", pem: PEM_ONE_LINE },
                    ],
                },
            },
        });
        expect(two.status).to.equal(400);
        const r = await f.req("/api/v1/identity-providers", {
            method: "POST",
            host: t.host,
            token: t.token,
            body: {
                provider: "external",
                protocol: "jwtAuth",
                interactive: false,
                active: true,
                tenantIds: [t.id],
                description: "JWT",
                options: { issuer: ISS, jwtLoginEnabled: true, staticKeys: [{ kid: "k1", pem: PEM_ONE_LINE }] },
            },
        });
        expect(r.status).to.equal(201);
        expect(r.body).to.include({
            interactive: false,
            active: true,
            protocol: "jwtAuth",
            provider: "external",
            clockToleranceSec: 5,
        });
        expect(r.body.options.jwtLoginEnabled).to.equal(true);
        const list = await f.req("/api/v1/identity-providers", { host: t.host, token: t.token });
        expect(list.body.data).to.have.length(1);
        const p = await f.req(`/api/v1/identity-providers/${r.body.id}`, {
            method: "PATCH",
            host: t.host,
            token: t.token,
            body: [{ op: "replace", path: "/description", value: "new" }],
        });
        expect(p.status).to.equal(204);
        const p2 = await f.req(`/api/v1/identity-providers/${r.body.id}`, {
            method: "PATCH",
            host: t.host,
            token: t.token,
            body: [{ op: "replace", path: "/options/issuer", value: "x" }],
        });
        expect(p2.status).to.equal(400);
        expect(
            (await f.req(`/api/v1/identity-providers/${r.body.id}`, { host: t.host, token: t.token })).body.description,
        ).to.equal("new");
    });

    it("accepts an X.509 certificate pem", async () => {
        const x = await import("selfsigned");
        const pems = x.generate([{ name: "commonName", value: "jwt" }], { keySize: 2048, days: 1 });
        const one = pems.cert.replace(/\r?\n/g, "");
        const r = await f.req("/api/v1/identity-providers", {
            method: "POST",
            host: t.host,
            token: t.token,
            body: {
                provider: "external",
                protocol: "jwtAuth",
                options: { issuer: "cert-iss", staticKeys: [{ kid: "cert", pem: one }] },
            },
        });
        expect(r.status).to.equal(201);
        await f.req(`/api/v1/identity-providers/${r.body.id}`, { method: "DELETE", host: t.host, token: t.token });
    });

    it("logs in with a signed JWT, sets cookies, creates the user; groups only with autoCreateGroups", async () => {
        const r = await f.req("/login/jwt-session", { method: "POST", host: t.host, token: sign(claims()) });
        expect(r.status).to.equal(200);
        const cookies = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]);
        expect(cookies.map((c) => c.split("=")[0])).to.have.members([
            "eas.sid",
            "eas.sid.sig",
            "_csrfToken",
            "_csrfToken.sig",
        ]);
        const users = await f.req(`/api/v1/users?filter=${encodeURIComponent('subject eq "cust\\\\alice"')}`, {
            host: t.host,
            token: t.token,
        });
        expect(users.body.data).to.have.length(1);
        expect(users.body.data[0]).to.include({ name: "Alice", email: "alice@cust.example" });
        expect(users.body.data[0].assignedGroups).to.deep.equal([]);
        // cookie auth: GET works, csrf-token endpoint, non-GET needs the header
        const cookie = cookies.join("; ");
        const me = await f.req("/api/v1/users/me", { host: t.host, headers: { cookie } });
        expect(me.status).to.equal(301);
        const csrf = await f.req("/api/v1/csrf-token", { host: t.host, headers: { cookie } });
        expect(csrf.status).to.equal(204);
        const token = csrf.headers["qlik-csrf-token"] as string;
        expect(token).to.be.a("string");
        expect((await f.req("/api/v1/csrf-token", { host: t.host, token: t.token })).body.errors[0].code).to.equal(
            "CSRF-TOKEN-4",
        );
        // auto-create groups on
        await f.req("/api/v1/groups/settings", {
            method: "PATCH",
            host: t.host,
            token: t.token,
            body: [{ op: "replace", path: "/autoCreateGroups", value: true }],
        });
        const r2 = await f.req("/login/jwt-session", { method: "POST", host: t.host, token: sign(claims()) });
        expect(r2.status).to.equal(200);
        const g = await f.req(`/api/v1/groups?filter=${encodeURIComponent('name eq "Consumers"')}`, {
            host: t.host,
            token: t.token,
        });
        expect(g.body.data).to.have.length(1);
        const u = await f.req(`/api/v1/users/${me.headers.location?.split("/").pop()}`, {
            host: t.host,
            token: t.token,
        });
        expect(u.body.assignedGroups.map((x: { name: string }) => x.name)).to.deep.equal(["Consumers"]);
    });

    it("refuses replayed jti, wrong kid/iss/aud, too long or expired windows, HS256 and bad signatures", async () => {
        const c = claims();
        expect((await f.req("/login/jwt-session", { method: "POST", host: t.host, token: sign(c) })).status).to.equal(
            200,
        );
        const replay = await f.req("/login/jwt-session", { method: "POST", host: t.host, token: sign(c) });
        expect(replay.status).to.equal(401);
        expect(replay.body.errors[0].status).to.equal("401");
        const now = Math.floor(f.emu.emu.clock.now() / 1000);
        const cases: string[] = [
            sign(claims(), { kid: "other" }),
            sign(claims({ iss: "evil" })),
            sign(claims({ aud: "x" })),
            sign(claims({ nbf: now, exp: now + 3601 })),
            sign(claims({ nbf: now - 700, exp: now - 100 })),
            sign(claims({ nbf: now + 100, exp: now + 200 })),
            sign(claims(), {}, crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey),
            (() => {
                const h = Buffer.from(JSON.stringify({ alg: "HS256", kid: "k1" })).toString("base64url");
                const p = Buffer.from(JSON.stringify(claims())).toString("base64url");
                return `${h}.${p}.${crypto.createHmac("sha256", PEM_ONE_LINE).update(`${h}.${p}`).digest("base64url")}`;
            })(),
            "not-a-jwt",
        ];
        for (const tok of cases) {
            const r = await f.req("/login/jwt-session", { method: "POST", host: t.host, token: tok });
            expect(r.status, tok.slice(0, 40)).to.equal(401);
        }
    });
});
