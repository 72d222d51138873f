// JwtIdentityProvider handlers in-process against the emulator, including a real JWT login with the
// generated key (proves the IdP the provider made actually lets users in).
import { expect } from "chai";
import { step } from "../../support/steps";
import * as crypto from "crypto";
import { parseMarker } from "../../../provider/resources/ownership";
import { handlers, JWT_AUDIENCE } from "../../../provider/resources/jwtIdentityProvider";
import { call, type JsonBody } from "../../support/http";
import {
    asBot,
    EmuContext,
    lastSeq,
    makeTenant,
    requestLog,
    startEmu,
    type Outputs,
} from "../../support/handlerEmulator";

function b64url(v: unknown): string {
    return Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
}

function signJwt(privateKeyPem: string, kid: string, issuer: string, sub: string): string {
    const now = Math.floor(Date.now() / 1000);
    const head = b64url({ alg: "RS256", typ: "JWT", kid });
    const body = b64url({
        iss: issuer,
        aud: JWT_AUDIENCE,
        sub,
        subType: "user",
        name: sub,
        email: `${sub}@example.com`,
        email_verified: true,
        jti: crypto.randomUUID(),
        iat: now,
        nbf: now - 5,
        exp: now + 300,
    });
    const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), privateKeyPem).toString("base64url");
    return `${head}.${body}.${sig}`;
}

describe("JwtIdentityProvider handlers (emulator)", function () {
    this.timeout(120_000); // the lifecycle is one test of five steps; generous for a busy machine
    let ctx: EmuContext;
    let host: string;
    let tenantId: string;

    before(async () => {
        ctx = await startEmu();
        const t = await makeTenant("jwt-co");
        host = t.hostname;
        tenantId = t.tenantId;
    });
    after(async () => ctx?.restore());

    it("the lifecycle of one IdP, step by step (each step works on the IdPs the previous ones left)", async () => {
        let outs: Outputs;
        let id: string;
        await step("generates a key pair, creates the IdP, and a JWT signed with the private key logs in", async () => {
            const r = await handlers.create({
                tenantHost: host,
                issuer: "https://isv.example/issuer",
                generateKeyPair: true,
                description: "web app",
            });
            id = r.id;
            outs = r.outs as Outputs;
            expect(outs).to.include({
                idpId: id,
                tenantId,
                issuer: "https://isv.example/issuer",
                audience: JWT_AUDIENCE,
                description: "web app",
            });
            expect(outs.keyId).to.match(/^qtf-[0-9a-f]{10}-[0-9a-f]{16}$/);
            expect(outs.privateKeyPem).to.match(/^-----BEGIN PRIVATE KEY-----/);
            expect(crypto.createPublicKey(outs.publicKeyPem).asymmetricKeyType).to.equal("rsa");
            // sent single-line as Qlik requires
            const live = await asBot(ctx.emu, host, `/api/v1/identity-providers/${id}`);
            expect(live.body.options.staticKeys[0].pem).to.not.include("\n");
            const login = await call(ctx.emu.info.httpUrl, "/login/jwt-session", {
                method: "POST",
                host,
                headers: { authorization: `Bearer ${signJwt(outs.privateKeyPem, outs.keyId, outs.issuer, "user-1")}` },
            });
            expect(login.status, login.text).to.equal(200);
        });

        await step(
            "read returns the same state; description drift is seen and update repairs it in place",
            async () => {
                const same = await handlers.read(id, outs);
                expect(same.props).to.deep.equal(outs);
                await asBot(ctx.emu, host, `/api/v1/identity-providers/${id}`, {
                    method: "PATCH",
                    body: [{ op: "replace", path: "/description", value: "edited" }],
                });
                const drift = await handlers.read(id, outs);
                expect(drift.props!.description).to.equal("edited");
                const news = { tenantHost: host, issuer: outs.issuer, generateKeyPair: true, description: "web app" };
                const d = await handlers.diff(id, drift.props!, news);
                expect(d).to.deep.include({ changes: true, replaces: [] });
                const up = await handlers.update(id, drift.props!, news);
                expect((up.outs as Outputs).description).to.equal("web app");
                expect((up.outs as Outputs).privateKeyPem).to.equal(outs.privateKeyPem);
                // Qlik keeps the user's text followed by the ownership marker (docs/ownership.md).
                const live = parseMarker(
                    (await asBot(ctx.emu, host, `/api/v1/identity-providers/${id}`)).body.description,
                );
                expect(live.text).to.equal("web app");
                expect(live.marker).to.deep.equal({ owner: "", claim: outs.claim });
            },
        );

        await step(
            "diff: issuer/keyId/publicKey/clockTolerance replace (create-before-delete), an unset keyId is no change",
            async () => {
                const news = { tenantHost: host, issuer: outs.issuer, generateKeyPair: true, description: "web app" };
                expect((await handlers.diff(id, outs, news)).changes).to.equal(false);
                expect(await handlers.diff(id, outs, { ...news, issuer: "other" })).to.deep.include({
                    replaces: ["issuer"],
                    deleteBeforeReplace: false,
                });
                expect((await handlers.diff(id, outs, { ...news, keyId: "k2" })).replaces).to.deep.equal(["keyId"]);
                expect((await handlers.diff(id, outs, { ...news, clockToleranceSec: 5 })).changes).to.equal(false);
                expect((await handlers.diff(id, outs, { ...news, clockToleranceSec: 30 })).replaces).to.deep.equal([
                    "clockToleranceSec",
                ]);
            },
        );

        await step(
            "with a given certificate-style public key: adopts an existing IdP with the same issuer+kid",
            async () => {
                const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
                const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
                const inputs = { tenantHost: host, issuer: "iss-2", keyId: "k-2", publicKey: pem };
                const first = await handlers.create(inputs);
                const since = await lastSeq(ctx.emu);
                const again = await handlers.create(inputs);
                expect(again.id).to.equal(first.id);
                expect((await requestLog(ctx.emu, since)).filter((l) => l.method === "POST")).to.have.length(0);
                // two JWT IdPs coexist (the create-before-delete swap needs that)
                const list = await asBot(ctx.emu, host, "/api/v1/identity-providers");
                expect(list.body.data.filter((p: JsonBody) => p.protocol === "jwtAuth")).to.have.length(2);
                const read = await handlers.read(first.id, first.outs!);
                expect(read.inputs!.publicKey).to.equal(pem);
                // Replacement safety: the adoption re-marked the IdP with its own claim, so the delete of
                // the first resource (the replaced one) leaves it; the delete of the adopter removes it.
                await handlers.delete(first.id, first.outs!);
                expect((await handlers.read(first.id, first.outs!)).id).to.equal(first.id);
                await handlers.delete(again.id, again.outs!);
                expect((await handlers.read(first.id, first.outs!)).id).to.equal("");
            },
        );

        await step("delete removes the IdP and tolerates it being gone", async () => {
            await handlers.delete(id, outs);
            expect((await asBot(ctx.emu, host, `/api/v1/identity-providers/${id}`)).status).to.equal(404);
            await handlers.delete(id, outs);
        });
    });

    it("a create whose run died before Pulumi recorded it leaves no second IdP behind", async () => {
        const inputs = { tenantHost: host, issuer: "https://isv.example/crash", generateKeyPair: true };
        const lost = await handlers.create(inputs); // the run that crashed: its private key is gone
        const kept = await handlers.create(inputs);
        const list = (await asBot(ctx.emu, host, "/api/v1/identity-providers?limit=100")).body as {
            data: { id: string; options: { issuer: string } }[];
        };
        const ours = list.data.filter((p) => p.options.issuer === inputs.issuer).map((p) => p.id);
        expect(ours).to.deep.equal([kept.id]);
        expect(ours).to.not.include(lost.id);
        // An IdP with the ISV's own keyId is never treated as an orphan.
        const own = await handlers.create({ ...inputs, keyId: "own-kid", generateKeyPair: true });
        await handlers.create(inputs);
        expect((await asBot(ctx.emu, host, `/api/v1/identity-providers/${own.id}`)).status).to.equal(200);
    });

    it("another owner's IdP is not adopted: create fails before any change, naming the owner and takeOverFrom", async () => {
        const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
        const a = await handlers.create({
            tenantHost: host,
            issuer: "iss-owned",
            keyId: "k-owned",
            publicKey: pem,
            owner: "org/p/a",
        });
        const since = await lastSeq(ctx.emu);
        let err: Error | undefined;
        try {
            await handlers.create({
                tenantHost: host,
                issuer: "iss-owned",
                keyId: "k-owned",
                publicKey: pem,
                owner: "org/p/b",
            });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.contain('managed by "org/p/a"').and.contain('takeOverFrom: "org/p/a"');
        expect(
            (await requestLog(ctx.emu, since)).filter((l) => l.method !== "GET" && l.path.startsWith("/api/")),
        ).to.deep.equal([]);
        const b = await handlers.create({
            tenantHost: host,
            issuer: "iss-owned",
            keyId: "k-owned",
            publicKey: pem,
            owner: "org/p/b",
            takeOverFrom: "org/p/a",
        });
        expect(b.id).to.equal(a.id);
        expect((await handlers.read(a.id, a.outs!)).inputs).to.include({ owner: "org/p/b" });
        await handlers.delete(a.id, a.outs!); // a's claim is gone: b's IdP stays
        expect((await asBot(ctx.emu, host, `/api/v1/identity-providers/${a.id}`)).status).to.equal(200);
        await handlers.delete(b.id, b.outs!);
    });

    it("tenantHost switched to another name of the same tenant (system host) is an in-place update, not a replacement", async () => {
        const r = await handlers.create({ tenantHost: host, issuer: "iss-readdress", generateKeyPair: true });
        const o = r.outs as Outputs;
        const t = await asBot(ctx.emu, host, `/api/v1/tenants/${tenantId}`);
        const system = t.body.hostnames[0] as string;
        const news = { tenantHost: system, issuer: "iss-readdress", generateKeyPair: true };
        const d = await handlers.diff(r.id, o, news);
        expect(d).to.deep.include({ changes: true, replaces: [] });
        const up = (await handlers.update(r.id, o, news)).outs as Outputs;
        expect(up).to.include({ tenantHost: system, tenantId, idpId: r.id, keyId: o.keyId });
        expect((await asBot(ctx.emu, system, `/api/v1/identity-providers/${r.id}`)).status).to.equal(200);
        // and back, and a host of ANOTHER tenant is a replacement
        expect((await handlers.diff(r.id, up, { ...news, tenantHost: host })).replaces).to.deep.equal([]);
        const other = await makeTenant("jwt-other");
        expect((await handlers.diff(r.id, up, { ...news, tenantHost: other.hostname })).replaces).to.deep.equal([
            "tenantHost",
        ]);
    });
});
