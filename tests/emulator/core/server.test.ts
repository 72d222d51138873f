import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../../emulator/index";
import { parseFaultFlag } from "../../../emulator/core/faults";
import { call, send, tokenFor } from "../../support/http";
import { startFixture, type Fixture } from "./fixture";

describe("emulator core: hosts, auth, limits, faults", () => {
    let f: Fixture;
    before(async () => {
        f = await startFixture();
    });
    after(async () => {
        await f.emu.close();
    });

    it("dispatches by Host: admin, register, tenant, unknown", async () => {
        const info = await f.req("/_emulator/info", { host: "127.0.0.1" });
        expect(info.status).to.equal(200);
        expect(info.body.registerHost).to.equal("register.us.qlikcloud.com");
        const unknown = await f.req("/api/v1/users/me", { host: "nope.us.qlikcloud.com" });
        expect(unknown.status).to.equal(404);
        expect(unknown.body.errors[0].code).to.equal("HTTP-404");
        // tenant-only route is not on the register host
        const tok = await f.token(f.register);
        const onRegister = await f.req("/api/v1/users", { host: f.register, token: tok });
        expect(onRegister.status).to.equal(404);
    });

    it("unknown path 404 and wrong verb 405 in the API's style", async () => {
        const tok = await f.token(f.source);
        const r = await f.req("/api/v1/groups/x/y/z", { host: f.source, token: tok });
        expect(r.status).to.equal(404);
        expect(r.body.errors[0].status).to.equal(404);
        const m = await f.req("/api/v1/users/actions/count", { method: "DELETE", host: f.source, token: tok });
        expect(m.status).to.equal(405);
        expect(m.headers.allow).to.contain("GET");
    });

    it("requires a bearer token and binds tokens to the host they were issued on", async () => {
        const none = await f.req("/api/v1/users/me", { host: f.source });
        expect(none.status).to.equal(401);
        // In the users API's own error shape (Errors.status is an integer there), not the login one.
        expect(none.body.errors[0]).to.include({ code: "LOGIN-1", status: 401 });
        const t = await f.createTenant();
        const cross = await f.req("/api/v1/users/me", { host: f.source, token: t.token });
        expect(cross.status).to.equal(401);
        const own = await f.req("/api/v1/users/me", { host: t.host, token: t.token });
        expect(own.status).to.equal(301);
        const me = await f.req(new URL(own.headers.location as string).pathname, { host: t.host, token: t.token });
        expect(me.body.tenantId).to.equal(t.id);
        expect(me.body.subject).to.match(/^qlikbot\\[0-9a-f]{32}$/);
        expect(me.body.assignedRoles.map((r: { name: string }) => r.name)).to.deep.equal(["TenantAdmin"]);
    });

    it("accepts the seeded API key on its tenant only", async () => {
        const key = f.emu.info.apiKeys[0].key;
        const r = await f.req("/api/v1/users/me", { host: f.source, token: key });
        expect(r.status).to.equal(301);
        const t = await f.createTenant();
        expect((await f.req("/api/v1/users/me", { host: t.host, token: key })).status).to.equal(401);
    });

    it("oauth: bad client 401, form body accepted, token expiry honoured", async () => {
        const bad = await f.req("/oauth/token", {
            method: "POST",
            host: f.source,
            body: { client_id: "x", client_secret: "y", grant_type: "client_credentials" },
        });
        expect(bad.status).to.equal(401);
        expect(bad.body.errors[0].status).to.equal("401");
        const c = f.emu.info.oauthClient;
        const form = await f.req("/oauth/token", {
            method: "POST",
            host: f.source,
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: `client_id=${c.clientId}&client_secret=${encodeURIComponent(c.clientSecret)}&grant_type=client_credentials`,
        });
        expect(form.status).to.equal(200);
        expect(form.body).to.include({ token_type: "bearer", expires_in: 21600 });
        f.emu.emu.clock.advance(21601 * 1000);
        const expired = await f.req("/api/v1/users/me", { host: f.source, token: form.body.access_token });
        expect(expired.status).to.equal(401);
    });

    it("faults: nth 503, 429 with Retry-After, drop; cleared by DELETE", async () => {
        const tok = await f.token(f.source);
        const add = await f.req("/_emulator/faults", {
            method: "POST",
            host: "127.0.0.1",
            body: {
                rules: [
                    { match: { path: "^/api/v1/roles$", nth: 2 }, action: "503" },
                    { match: { path: "^/api/v1/groups$" }, action: "429", retryAfter: 7 },
                ],
            },
        });
        expect(add.status).to.equal(201);
        expect((await f.req("/api/v1/roles", { host: f.source, token: tok })).status).to.equal(200);
        expect((await f.req("/api/v1/roles", { host: f.source, token: tok })).status).to.equal(503);
        expect((await f.req("/api/v1/roles", { host: f.source, token: tok })).status).to.equal(200);
        const limited = await f.req("/api/v1/groups", { host: f.source, token: tok });
        expect(limited.status).to.equal(429);
        expect(limited.headers["retry-after"]).to.equal("7");
        await f.req("/_emulator/faults", { method: "DELETE", host: "127.0.0.1" });
        await f.req("/_emulator/faults", {
            method: "POST",
            host: "127.0.0.1",
            body: { rules: [{ match: { path: "^/api/v1/roles$" }, action: "drop" }] },
        });
        let dropped = false;
        try {
            await f.req("/api/v1/roles", { host: f.source, token: tok });
        } catch {
            dropped = true;
        }
        expect(dropped).to.equal(true);
        await f.req("/_emulator/faults", { method: "DELETE", host: "127.0.0.1" });
        expect((await f.req("/api/v1/roles", { host: f.source, token: tok })).status).to.equal(200);
        const bad = await f.req("/_emulator/faults", {
            method: "POST",
            host: "127.0.0.1",
            body: { rules: [{ action: "boom" }] },
        });
        expect(bad.status).to.equal(400);
        const log = await f.req("/_emulator/requests?since=0", { host: "127.0.0.1" });
        expect(log.body.data.some((e: { status: number }) => e.status === 503)).to.equal(true);
    });

    it("state snapshot redacts secrets", async () => {
        const s = await f.req("/_emulator/state", { host: "localhost" });
        expect(s.status).to.equal(200);
        expect(JSON.stringify(s.body)).to.not.contain(f.emu.info.oauthClient.clientSecret);
        expect(s.body.tenants.length).to.be.greaterThan(0);
    });
});

describe("emulator core: rate limits", () => {
    it("answers 429 + Retry-After when the scaled tier budget of the 5-minute window is used up", async () => {
        const f = await startFixture({ rateLimitScale: 0.006 }); // tier 2: 100/min x 5 min x 0.006 -> 3 per 5 min
        try {
            const tok = await f.token(f.source);
            const statuses: number[] = [];
            for (let i = 0; i < 3; i++) {
                statuses.push(
                    (
                        await f.req("/api/v1/groups", {
                            method: "POST",
                            host: f.source,
                            token: tok,
                            body: { name: `g${i}` },
                        })
                    ).status,
                );
                f.emu.emu.clock.advance(60_000); // one call a minute: a per-minute window would never refuse
            }
            expect(statuses).to.deep.equal([201, 201, 201]);
            const r = await f.req("/api/v1/groups", {
                method: "POST",
                host: f.source,
                token: tok,
                body: { name: "g9" },
            });
            expect(r.status).to.equal(429);
            // The oldest call leaves the 5-minute window 2 minutes from now: Retry-After says so, not 5 minutes.
            expect(Number(r.headers["retry-after"])).to.equal(120);
            expect(r.body.errors[0]).to.include({ code: "HTTP-429", title: "API rate limit reached." });
            // tier 1 is a separate bucket (1000 x 5 x 0.006 = 30)
            expect((await f.req("/api/v1/groups", { host: f.source, token: tok })).status).to.equal(200);
            f.emu.emu.clock.advance(119_000);
            expect(
                (await f.req("/api/v1/groups", { method: "POST", host: f.source, token: tok, body: { name: "g10" } }))
                    .status,
            ).to.equal(429);
            f.emu.emu.clock.advance(1_000);
            expect(
                (await f.req("/api/v1/groups", { method: "POST", host: f.source, token: tok, body: { name: "g10" } }))
                    .status,
            ).to.equal(201);
        } finally {
            await f.emu.close();
        }
    });

    it("counts a special tier per endpoint over one minute", async () => {
        const f = await startFixture({ rateLimitScale: 0.04 }); // POST /reloads: 50/min x 0.04 -> 2 per minute
        try {
            const tok = await f.token(f.source);
            const app = await f.req("/api/v1/apps", {
                method: "POST",
                host: f.source,
                token: tok,
                body: { attributes: { name: "Limited" } },
            });
            const body = { appId: app.body.attributes.id };
            const first = await f.req("/api/v1/reloads", { method: "POST", host: f.source, token: tok, body });
            const second = await f.req("/api/v1/reloads", { method: "POST", host: f.source, token: tok, body });
            expect([first.status, second.status]).to.deep.equal([201, 201]);
            const third = await f.req("/api/v1/reloads", { method: "POST", host: f.source, token: tok, body });
            expect(third.status).to.equal(429);
            expect(Number(third.headers["retry-after"])).to.be.within(59, 60);
            f.emu.emu.clock.advance(60_000);
            expect(
                (await f.req("/api/v1/reloads", { method: "POST", host: f.source, token: tok, body })).status,
            ).to.equal(201);
        } finally {
            await f.emu.close();
        }
    });
});

describe("emulator core: persistence, TLS, emulator.json", () => {
    it("keeps tenants, tokens and seed across a restart with the same data dir", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-persist-"));
        try {
            const a = await startEmulator({ dataDir: dir, quiet: true });
            const json = JSON.parse(fs.readFileSync(path.join(dir, "emulator.json"), "utf8"));
            expect(json.httpUrl).to.equal(a.url);
            const reg = await tokenFor(a.url, a.info.registerHost, a.info.oauthClient);
            const created = await call(a.url, "/api/v1/tenants", {
                method: "POST",
                host: a.info.registerHost,
                token: reg,
                body: { licenseKey: a.info.licenseKey },
            });
            const host = created.body.hostnames[0];
            const tok = await tokenFor(a.url, host, a.info.oauthClient);
            await call(a.url, "/api/v1/groups", { method: "POST", host, token: tok, body: { name: "Sales" } });
            await a.close();
            expect(fs.existsSync(path.join(dir, "emulator.json"))).to.equal(false);
            const b = await startEmulator({ dataDir: dir, quiet: true });
            try {
                expect(b.info.oauthClient).to.deep.equal(a.info.oauthClient);
                expect(b.info.licenseKey).to.equal(a.info.licenseKey);
                const g = await call(b.url, "/api/v1/groups", { host, token: tok });
                expect(g.status).to.equal(200);
                expect(g.body.data.map((x: { name: string }) => x.name)).to.deep.equal(["Sales"]);
            } finally {
                await b.close();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("serves HTTPS with a certificate trusted through caCertFile", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-tls-"));
        const e = await startEmulator({ dataDir: dir, tlsPort: 0, quiet: true });
        try {
            expect(e.info.httpsUrl).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
            const ca = fs.readFileSync(e.info.caCertFile as string);
            const host = e.info.sourceTenant.hostname;
            const tls = { ca, servername: host };
            const { status } = await send(e.info.httpsUrl as string, { host, path: "/api/v1/users/me", tls });
            expect(status).to.equal(401);
        } finally {
            await e.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("emulator core: fault flags", () => {
    it("parses --fault shorthand and JSON rules", () => {
        expect(parseFaultFlag("429@0.1")).to.deep.equal({ action: "429", match: {}, rate: 0.1, retryAfter: 1 });
        expect(parseFaultFlag("503@0.02:^/api/v1/tenants")).to.deep.equal({
            action: "503",
            match: { path: "^/api/v1/tenants" },
            rate: 0.02,
        });
        expect(parseFaultFlag('{"action":"drop","match":{"nth":2}}')).to.deep.equal({
            action: "drop",
            match: { nth: 2 },
        });
        expect(() => parseFaultFlag("418@1")).to.throw(/--fault 418@1/);
    });

    it("rules given at start-up are active from the first request", async () => {
        const emu = await startEmulator({ quiet: true, faults: [parseFaultFlag("503:^/api/v1/users/me$")] });
        try {
            const host = emu.info.sourceTenant.hostname;
            const token = await tokenFor(emu.url, host, emu.info.oauthClient);
            expect((await call(emu.url, "/api/v1/users/me", { host, token })).status).to.equal(503);
            expect((await call(emu.url, "/api/v1/groups", { host, token })).status).to.equal(200);
        } finally {
            await emu.close();
        }
    });
});
