// Emulator behaviour of issue 10 that is not a plain REST contract: auth as Qlik's own clients use it (IdP JWT
// bearer next to the session cookie, the CSRF header on the engine websocket), the TLS edge redirect, the seed's
// Qlik Account admin subject, crash fixes (Content-Disposition, trace ids), Allow headers, session objects and
// the per-emulator reload tracker.
import { expect } from "chai";
import * as fs from "node:fs";
import WebSocket = require("ws");
import { startEmulator } from "../../../emulator/index";
import { spacesModel } from "../../../emulator/apis/spaces/model";
import { reloadTracker } from "../../../emulator/engine/qix/reloads";
import { JwtSigner } from "../../contract/fixture";
import { call, send, type CallOptions } from "../../support/http";
import { startFixture, type Fixture } from "./fixture";

const enigma = require("enigma.js");
const schema = require("enigma.js/schemas/12.2027.0.json");

interface Login {
    cookie: string;
    csrf: string;
    jwt: string;
    userId: string;
}

describe("emulator fidelity round 2 (issue 10)", function () {
    this.timeout(60_000);
    let f: Fixture;
    let t: { id: string; host: string; token: string };
    const signer = new JwtSigner();
    let spaceId: string;
    let appId: string;

    const bot = (path: string, method = "GET", body?: unknown) =>
        f.req(path, { method, host: t.host, token: t.token, body });

    async function login(sub: string): Promise<Login> {
        const jwt = signer.sign(sub);
        const r = await f.req("/login/jwt-session", { method: "POST", host: t.host, token: jwt });
        expect(r.status, r.text).to.equal(200);
        const cookie = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
        const csrf = await f.req("/api/v1/csrf-token", { host: t.host, headers: { cookie } });
        const me = await f.req("/api/v1/users/me", { host: t.host, headers: { cookie } });
        return {
            cookie,
            csrf: String(csrf.headers["qlik-csrf-token"]),
            jwt,
            userId: String(me.headers.location).split("/").pop() as string,
        };
    }

    before(async () => {
        f = await startFixture();
        t = await f.createTenant();
        expect((await bot("/api/v1/identity-providers", "POST", signer.idpBody(t.id))).status).to.equal(201);
        spaceId = (await bot("/api/v1/spaces", "POST", { name: "Mashup", type: "shared" })).body.id;
        appId = (await bot("/api/v1/apps", "POST", { attributes: { name: "Mashup app", spaceId } })).body.attributes.id;
    });
    after(async () => {
        await f?.emu.close();
    });

    describe("auth as Qlik's own clients use it", () => {
        let alice: Login;
        before(async () => {
            alice = await login("cust\\alice");
            const a = await bot(`/api/v1/spaces/${spaceId}/assignments`, "POST", {
                type: "user",
                assigneeId: alice.userId,
                roles: ["consumer"],
            });
            expect(a.status, a.text).to.equal(201);
        });

        it("the signed IdP JWT as bearer next to the session cookie is answered from the session (2xx)", async () => {
            const headers = { cookie: alice.cookie, authorization: `Bearer ${alice.jwt}` };
            const me = await f.req("/api/v1/users/me", { host: t.host, headers });
            expect(me.status).to.equal(301);
            const user = await f.req(new URL(String(me.headers.location)).pathname, { host: t.host, headers });
            expect(user.status, user.text).to.equal(200);
            expect(user.body.subject).to.equal("cust\\alice");
            expect((await f.req(`/api/v1/apps/${appId}`, { host: t.host, headers })).status).to.equal(200);
            // Writes still need the CSRF header of the session.
            const w = await f.req(`/api/v1/apps/${appId}/copy`, { method: "POST", host: t.host, headers, body: {} });
            expect(w.status).to.equal(403);
            expect(w.body.errors[0].code).to.equal("CSRF-TOKEN-1");
        });

        it("without a session the IdP JWT is no access token (401), and a non-JWT bearer never falls back", async () => {
            expect((await f.req(`/api/v1/apps/${appId}`, { host: t.host, token: alice.jwt })).status).to.equal(401);
            const garbage = await f.req(`/api/v1/apps/${appId}`, {
                host: t.host,
                headers: { cookie: alice.cookie, authorization: "Bearer not-a-token" },
            });
            expect(garbage.status).to.equal(401);
        });

        it("engine websocket with a cookie session takes the CSRF token as header or query parameter", async () => {
            const u = new URL(f.url);
            const open = async (query: string, headers: Record<string, string>) => {
                const session = enigma.create({
                    schema,
                    url: `ws://${u.host}/app/${appId}${query}`,
                    createSocket: (url: string) =>
                        new WebSocket(url, { headers: { host: t.host, cookie: alice.cookie, ...headers } }),
                });
                try {
                    const global = await session.open();
                    const doc = await global.openDoc(appId);
                    return (await doc.getAppLayout()).qTitle as string;
                } finally {
                    await session.close().catch(() => undefined);
                }
            };
            expect(await open("", { "qlik-csrf-token": alice.csrf })).to.equal("Mashup app");
            expect(await open(`?qlik-csrf-token=${encodeURIComponent(alice.csrf)}`, {})).to.equal("Mashup app");
            let failed: unknown;
            await open("", { "qlik-csrf-token": "wrong" }).catch((e: unknown) => {
                failed = e;
            });
            expect(failed, "wrong CSRF header must be refused").to.not.equal(undefined);
        });

        it("a consumer can create, use and destroy session objects; they are never saved in the app", async () => {
            const u = new URL(f.url);
            const session = enigma.create({
                schema,
                url: `ws://${u.host}/app/${appId}`,
                createSocket: (url: string) =>
                    new WebSocket(url, {
                        headers: { host: t.host, cookie: alice.cookie, "qlik-csrf-token": alice.csrf },
                    }),
            });
            try {
                const doc = await (await session.open()).openDoc(appId);
                // A consumer may not create a persistent chart ...
                let denied: { code?: number } | undefined;
                await doc.createObject({ qInfo: { qType: "barchart" } }).catch((e: { code?: number }) => {
                    denied = e;
                });
                expect(denied?.code).to.equal(5);
                // ... but every mashup creates transient ones.
                const obj = await doc.createSessionObject({ qInfo: { qId: "sess1", qType: "listbox" }, title: "x" });
                expect((await obj.getLayout()).title).to.equal("x");
                await obj.setProperties({ qInfo: { qId: "sess1", qType: "listbox" }, title: "y" });
                expect((await obj.getProperties()).title).to.equal("y");
                const infos = await doc.getAllInfos();
                expect(infos.map((i: { qId: string }) => i.qId)).to.not.include("sess1");
                expect(await doc.destroySessionObject("sess1")).to.equal(true);
                expect(await doc.destroySessionObject("sess1")).to.equal(false);
            } finally {
                await session.close().catch(() => undefined);
            }
            const stored = f.emu.emu.store.get<{ objects: Record<string, unknown> }>("apps", appId);
            expect(Object.keys(stored?.objects ?? {})).to.not.include("sess1");
        });
    });

    it("the default seed's source admin is a Qlik Account subject (auth0|<24 hex>)", () => {
        expect(f.emu.info.sourceTenant.adminSubject).to.match(/^auth0\|[0-9a-f]{24}$/);
    });

    it("a temp content with a non-ASCII file name downloads with an RFC 6266/5987 Content-Disposition", async () => {
        const up = await f.req(`/api/v1/temp-contents?filename=${encodeURIComponent("€-report (1).qvf")}`, {
            method: "POST",
            host: t.host,
            token: t.token,
            body: Buffer.from("bytes"),
            headers: { "content-type": "application/octet-stream" },
        });
        expect(up.status, up.text).to.equal(201);
        const dl = await f.req(String(up.headers.location), { host: t.host, token: t.token });
        expect(dl.status).to.equal(200);
        expect(dl.headers["content-disposition"]).to.equal(
            `attachment; filename="_-report (1).qvf"; filename*=UTF-8''%E2%82%AC-report%20%281%29.qvf`,
        );
        expect(decodeURIComponent(String(dl.headers["content-disposition"]).split("''")[1])).to.equal(
            "€-report (1).qvf",
        );
    });

    it("an unexpected exception is a 500 whose body trace id is the one in the error log", async () => {
        const model = spacesModel(f.emu.emu);
        const original = model.list.bind(model);
        const logged: string[] = [];
        const consoleError = console.error;
        const quiet = f.emu.emu.config.quiet;
        model.list = () => {
            throw new Error("boom");
        };
        (f.emu.emu.config as { quiet: boolean }).quiet = false;
        console.error = (...args: unknown[]) => {
            logged.push(args.map(String).join(" "));
        };
        try {
            const r = await bot("/api/v1/spaces");
            expect(r.status).to.equal(500);
            expect(logged.join("\n")).to.contain(`(trace ${r.body.traceId})`);
        } finally {
            console.error = consoleError;
            (f.emu.emu.config as { quiet: boolean }).quiet = quiet;
            model.list = original;
        }
    });

    it("OPTIONS and 405 list the methods of the literal resource, not of the parameter route it shadows", async () => {
        const imp = await f.req("/api/v1/apps/import", { method: "OPTIONS", host: t.host, token: t.token });
        expect(imp.status).to.equal(405);
        expect(imp.headers.allow).to.equal("POST");
        const me = await f.req("/api/v1/users/me", { method: "DELETE", host: t.host, token: t.token });
        expect(me.status).to.equal(405);
        expect(me.headers.allow).to.equal("GET");
        const app = await f.req(`/api/v1/apps/${appId}`, { method: "OPTIONS", host: t.host, token: t.token });
        expect(String(app.headers.allow).split(", ").sort()).to.deep.equal(["DELETE", "GET", "PUT"]);
    });

    it("the QIX reload tracker belongs to one emulator, not to the process", async () => {
        const other = await startEmulator({ quiet: true });
        try {
            const run = reloadTracker(f.emu.emu).begin(t.id, appId);
            try {
                expect(reloadTracker(f.emu.emu).isRunning(t.id, appId)).to.equal(true);
                expect(reloadTracker(other.emu).isRunning(t.id, appId)).to.equal(false);
                reloadTracker(other.emu).begin(t.id, appId).end();
            } finally {
                run.end();
            }
        } finally {
            await other.close();
        }
    });
});

describe("emulator TLS edge: plain HTTP on Qlik hosts redirects to https", function () {
    this.timeout(60_000);
    it("301 for GET, 308 for POST on tenant and register hosts; the admin host stays on http; https serves the API", async () => {
        const e = await startEmulator({ quiet: true, tlsPort: 0 });
        try {
            const host = e.info.sourceTenant.hostname;
            const port = new URL(e.info.httpsUrl as string).port;
            const f = { req: (path: string, o: CallOptions) => call(e.url, path, o) };
            const get = await f.req("/api/v1/spaces?limit=1", { host });
            expect(get.status).to.equal(301);
            expect(get.headers.location).to.equal(`https://${host}:${port}/api/v1/spaces?limit=1`);
            expect(get.headers["content-type"]).to.match(/^text\/html/);
            const post = await f.req("/oauth/token", { method: "POST", host: e.info.registerHost, body: {} });
            expect(post.status).to.equal(308);
            expect((await f.req("/_emulator/info", { host: "127.0.0.1" })).status).to.equal(200);
            const ca = fs.readFileSync(e.info.caCertFile as string);
            const { status } = await send(`https://127.0.0.1:${port}`, {
                method: "POST",
                host,
                path: "/oauth/token",
                tls: { ca, servername: host },
                body: {
                    client_id: e.info.oauthClient.clientId,
                    client_secret: e.info.oauthClient.clientSecret,
                    grant_type: "client_credentials",
                },
            });
            expect(status).to.equal(200);
        } finally {
            await e.close();
        }
    });
});
