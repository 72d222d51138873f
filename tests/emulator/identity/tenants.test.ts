import { expect } from "chai";
import { startFixture, type Fixture } from "../core/fixture";

describe("emulator tenants API", () => {
    let f: Fixture;
    let reg: string;
    before(async () => {
        f = await startFixture();
        reg = await f.token(f.register);
    });
    after(async () => {
        await f.emu.close();
    });

    it("creates a tenant with a generated name/hostname and 32-char id", async () => {
        const r = await f.req("/api/v1/tenants", {
            method: "POST",
            host: f.register,
            token: reg,
            body: { licenseKey: f.emu.info.licenseKey },
        });
        expect(r.status).to.equal(201);
        expect(r.body.id).to.match(/^[A-Za-z0-9_-]{32}$/);
        expect(r.body.name).to.match(/^[a-z0-9]{15}$/);
        expect(r.body.hostnames).to.deep.equal([`${r.body.name}.us.qlikcloud.com`]);
        expect(r.body).to.include({ status: "active", datacenter: "us-east-1" });
        expect(r.body.links.self.href).to.equal(`https://register.us.qlikcloud.com/api/v1/tenants/${r.body.id}`);
    });

    it("rejects a missing (TENANTS-21) or invalid (TENANTS-23) license key, and tenant hosts", async () => {
        const missing = await f.req("/api/v1/tenants", { method: "POST", host: f.register, token: reg, body: {} });
        expect(missing.status).to.equal(400);
        expect(missing.body.errors[0]).to.include({ code: "TENANTS-21", status: "400" });
        const forged = f.emu.info.licenseKey.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
        const invalid = await f.req("/api/v1/tenants", {
            method: "POST",
            host: f.register,
            token: reg,
            body: { licenseKey: forged },
        });
        expect(invalid.status).to.equal(403);
        expect(invalid.body.errors[0].code).to.equal("TENANTS-23");
        const src = await f.token(f.source);
        expect(
            (
                await f.req("/api/v1/tenants", {
                    method: "POST",
                    host: f.source,
                    token: src,
                    body: { licenseKey: f.emu.info.licenseKey },
                })
            ).status,
        ).to.equal(404);
    });

    it("gets, redirects /me, patches name and alias, releasing the old alias", async () => {
        const a = await f.createTenant();
        const b = await f.createTenant();
        const me = await f.req("/api/v1/tenants/me", { host: a.host, token: a.token });
        expect(me.status).to.equal(302);
        expect(me.headers.location).to.equal(`https://${a.host}/api/v1/tenants/${a.id}`);
        expect((await f.req(`/api/v1/tenants/${b.id}`, { host: a.host, token: a.token })).status).to.equal(404);
        const alias = "acme.us.qlikcloud.com";
        const p = await f.req(`/api/v1/tenants/${a.id}`, {
            method: "PATCH",
            host: a.host,
            token: a.token,
            body: [
                { op: "replace", path: "/name", value: "Acme" },
                { op: "replace", path: "/hostnames/1", value: alias },
            ],
        });
        expect(p.status).to.equal(204);
        const got = await f.req(`/api/v1/tenants/${a.id}`, { host: a.host, token: a.token });
        expect(got.body).to.include({ name: "Acme" });
        expect(got.body.hostnames).to.deep.equal([a.host, alias]);
        // alias is a host of the tenant now (a token must be minted for it)
        const aliasTok = await f.token(alias);
        expect((await f.req("/api/v1/tenants/me", { host: alias, token: aliasTok })).status).to.equal(302);
        // taken by a -> b cannot have it
        const clash = await f.req(`/api/v1/tenants/${b.id}`, {
            method: "PATCH",
            host: b.host,
            token: b.token,
            body: [{ op: "replace", path: "/hostnames/1", value: alias }],
        });
        expect(clash.status).to.equal(400);
        const wrongForm = await f.req(`/api/v1/tenants/${b.id}`, {
            method: "PATCH",
            host: b.host,
            token: b.token,
            body: [{ op: "replace", path: "/hostnames/1", value: "acme.eu.qlikcloud.com" }],
        });
        expect(wrongForm.status).to.equal(400);
        // a moves to another alias: the old one is free again
        await f.req(`/api/v1/tenants/${a.id}`, {
            method: "PATCH",
            host: a.host,
            token: a.token,
            body: [{ op: "replace", path: "/hostnames/1", value: "acme2.us.qlikcloud.com" }],
        });
        const now = await f.req(`/api/v1/tenants/${b.id}`, {
            method: "PATCH",
            host: b.host,
            token: b.token,
            body: [{ op: "replace", path: "/hostnames/1", value: alias }],
        });
        expect(now.status).to.equal(204);
        const bad = await f.req(`/api/v1/tenants/${a.id}`, {
            method: "PATCH",
            host: a.host,
            token: a.token,
            body: [{ op: "add", path: "/name", value: "x" }],
        });
        expect(bad.status).to.equal(400);
    });

    it("deactivates with qlik-confirm-hostname (412 on mismatch), disables the host, reactivates", async () => {
        const t = await f.createTenant();
        const path = `/api/v1/tenants/${t.id}/actions/deactivate`;
        const mismatch = await f.req(path, {
            method: "POST",
            host: f.register,
            token: reg,
            headers: { "qlik-confirm-hostname": "other.us.qlikcloud.com" },
            body: {},
        });
        expect(mismatch.status).to.equal(412);
        const badDays = await f.req(path, {
            method: "POST",
            host: f.register,
            token: reg,
            headers: { "qlik-confirm-hostname": t.host },
            body: { purgeAfterDays: 5 },
        });
        expect(badDays.status).to.equal(400);
        const d = await f.req(path, {
            method: "POST",
            host: f.register,
            token: reg,
            headers: { "qlik-confirm-hostname": t.host },
            body: {},
        });
        expect(d.status).to.equal(200);
        expect(d.body.status).to.equal("disabled");
        const days = (Date.parse(d.body.estimatedPurgeDate) - f.emu.emu.clock.now()) / 86_400_000;
        expect(days).to.be.within(29.9, 30.1);
        const blocked = await f.req("/api/v1/users/me", { host: t.host, token: t.token });
        expect(blocked.status).to.equal(401);
        expect(blocked.body.errors[0]).to.include({ code: "TENANT_DISABLED", status: "401" });
        const r = await f.req(`/api/v1/tenants/${t.id}/actions/reactivate`, {
            method: "POST",
            host: f.register,
            token: reg,
            headers: { "qlik-confirm-hostname": t.host },
            body: {},
        });
        expect(r.status).to.equal(200);
        expect(r.body).to.deep.equal({ id: t.id, status: "active" });
        expect((await f.req("/api/v1/users/me", { host: t.host, token: t.token })).status).to.equal(301);
    });

    it("enforces the license quota (TENANTS-22)", async () => {
        const small = await startFixture({ seed: { license: { quota: 1 } } });
        try {
            await small.createTenant();
            const tok = await small.token(small.register);
            const r = await small.req("/api/v1/tenants", {
                method: "POST",
                host: small.register,
                token: tok,
                body: { licenseKey: small.emu.info.licenseKey },
            });
            expect(r.status).to.equal(403);
            expect(r.body.errors[0].code).to.equal("TENANTS-22");
        } finally {
            await small.emu.close();
        }
    });
});
