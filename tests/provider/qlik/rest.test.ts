// Over 400 lines: one describe for the REST core (retries, Retry-After, timeouts, paging, uploads), each case a few
// lines against the same scripted server; splitting it would repeat that server setup per file.
import { expect } from "chai";
import { QlikApiError } from "../../../provider/qlik/errors";
import { paginateAll, download, upload } from "../../../provider/qlik/rest";
import { Throttle } from "../../../provider/qlik/throttle";
import { Scripted, SECRET, startScripted, testClient, tokenReply } from "./helpers";

const HOST = "acme.us.qlikcloud.com";

async function rejects(p: Promise<unknown>): Promise<QlikApiError> {
    try {
        await p;
    } catch (e) {
        expect(e).to.be.instanceOf(QlikApiError);
        return e as QlikApiError;
    }
    throw new Error("expected a rejection");
}

describe("provider/qlik rest pipeline", () => {
    let srv: Scripted | undefined;
    afterEach(async () => {
        await srv?.close();
        srv = undefined;
    });

    /** Server whose token endpoint always works and whose API calls follow `api`. */
    async function withApi(
        api: (path: string, n: number, method: string) => import("./helpers").Reply,
    ): Promise<Scripted> {
        let tokens = 0;
        let calls = 0;
        srv = await startScripted((req) =>
            req.path === "/oauth/token" ? tokenReply(++tokens) : api(req.path, ++calls, req.method),
        );
        return srv;
    }

    it("sends to the override origin with the real Host header, Bearer token and JSON body", async () => {
        const s = await withApi(() => ({ status: 201, body: { id: "x1" } }));
        const c = testClient(s);
        const res = await c.request({
            host: HOST,
            method: "POST",
            path: "/api/v1/spaces",
            body: { name: "a", type: "shared" },
            purpose: "create space a",
        });
        expect(res.status).to.equal(201);
        expect(res.body).to.deep.equal({ id: "x1" });
        const [tok, call] = s.seen;
        expect(tok.path).to.equal("/oauth/token");
        expect(tok.host).to.equal(HOST);
        expect(JSON.parse(tok.body.toString())).to.include({
            client_id: "client-1",
            client_secret: SECRET,
            grant_type: "client_credentials",
        });
        expect(call.host).to.equal(HOST);
        expect(call.headers.authorization).to.equal("Bearer tok-1");
        expect(call.headers["content-type"]).to.equal("application/json");
        expect(JSON.parse(call.body.toString())).to.deep.equal({ name: "a", type: "shared" });
    });

    it("retries a 429 after the Retry-After seconds", async () => {
        const s = await withApi((_p, n) =>
            n === 1
                ? {
                      status: 429,
                      headers: { "retry-after": "1" },
                      body: { errors: [{ code: "HTTP-429", title: "API rate limit reached." }] },
                  }
                : { status: 200, body: { ok: true } },
        );
        const c = testClient(s);
        const t0 = Date.now();
        const res = await c.request({
            host: HOST,
            method: "POST",
            path: "/api/v1/reloads",
            body: { appId: "a" },
            purpose: "queue reload",
        });
        const elapsed = Date.now() - t0;
        expect(res.status).to.equal(200);
        const api = s.seen.filter((r) => r.path !== "/oauth/token");
        expect(api).to.have.length(2);
        // Retry-After 1 s plus the spread (random() = 1 in tests: the whole of max(1 s, 10% of Retry-After)).
        expect(c.delays).to.deep.equal([2000]);
        expect(api[1].at - api[0].at).to.be.at.least(950);
        expect(elapsed).to.be.at.least(950);
    });

    it("honours Retry-After given as an HTTP date", async () => {
        const s = await withApi((_p, n) =>
            n === 1
                ? { status: 503, headers: { "retry-after": new Date(Date.now() + 1500).toUTCString() } }
                : { status: 200, body: {} },
        );
        const c = testClient(s);
        await c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "read me" });
        expect(c.delays).to.have.length(1);
        expect(c.delays[0]).to.be.within(100, 1500);
    });

    it("backs off exponentially on 5xx for GET and succeeds", async () => {
        const s = await withApi((_p, n) =>
            n <= 3 ? { status: [500, 502, 503][n - 1] } : { status: 200, body: { ok: 1 } },
        );
        const c = testClient(s);
        const res = await c.request({ host: HOST, method: "GET", path: "/api/v1/spaces", purpose: "list spaces" });
        expect(res.status).to.equal(200);
        // random() = 1 in tests: full-jitter ceilings base * 2^n
        expect(c.delays).to.deep.equal([20, 40, 80]);
    });

    it("gives up after maxRetries and reports the attempts", async () => {
        const s = await withApi(() => ({
            status: 503,
            body: { errors: [{ code: "X-1", title: "Unavailable" }], traceId: "trace-9" },
        }));
        const c = testClient(s, { maxRetries: 2 });
        const e = await rejects(
            c.request({ host: HOST, method: "GET", path: "/api/v1/spaces", purpose: "list spaces" }),
        );
        expect(e.status).to.equal(503);
        expect(e.message).to.contain("attempts: 3").and.contain("trace-9").and.contain("FIX:");
        expect(s.seen.filter((r) => r.path !== "/oauth/token")).to.have.length(3);
    });

    it("does not retry 400 or 404", async () => {
        for (const status of [400, 404]) {
            const s = await withApi(() => ({ status, body: { errors: [{ code: "SPACES-1", title: "nope" }] } }));
            const c = testClient(s);
            const e = await rejects(
                c.request({ host: HOST, method: "GET", path: "/api/v1/spaces/x", purpose: "read space x" }),
            );
            expect(e.status).to.equal(status);
            expect(s.seen.filter((r) => r.path !== "/oauth/token")).to.have.length(1);
            await s.close();
            srv = undefined;
        }
    });

    it("does not retry a non-idempotent POST on 503, but does when marked idempotent", async () => {
        const s = await withApi(() => ({ status: 503 }));
        const c = testClient(s, { maxRetries: 2 });
        await rejects(c.request({ host: HOST, method: "POST", path: "/api/v1/apps", body: {}, purpose: "create app" }));
        expect(s.seen.filter((r) => r.path === "/api/v1/apps")).to.have.length(1);
        await rejects(
            c.request({
                host: HOST,
                method: "POST",
                path: "/api/v1/apps",
                body: {},
                purpose: "create app",
                idempotent: true,
            }),
        );
        expect(s.seen.filter((r) => r.path === "/api/v1/apps")).to.have.length(4);
    });

    it("aborts a hung call at the timeout and retries it (GET)", async () => {
        const s = await withApi(() => ({ status: 200, hang: true }));
        const c = testClient(s, { maxRetries: 1 });
        const t0 = Date.now();
        const e = await rejects(
            c.request({ host: HOST, method: "GET", path: "/api/v1/items", purpose: "list items", timeoutMs: 150 }),
        );
        const elapsed = Date.now() - t0;
        expect(e.kind).to.equal("timeout");
        expect(e.message).to.contain("timed out after 150 ms").and.contain("qlik:requestTimeoutMs");
        expect(s.seen.filter((r) => r.path === "/api/v1/items")).to.have.length(2);
        expect(elapsed).to.be.below(2000);
    });

    it("does not retry a timed-out POST (it may have been applied)", async () => {
        const s = await withApi(() => ({ status: 200, hang: true }));
        const c = testClient(s, { maxRetries: 3 });
        const e = await rejects(
            c.request({
                host: HOST,
                method: "POST",
                path: "/api/v1/tenants",
                body: {},
                purpose: "create tenant",
                timeoutMs: 100,
            }),
        );
        expect(e.kind).to.equal("timeout");
        expect(s.seen.filter((r) => r.path === "/api/v1/tenants")).to.have.length(1);
    });

    it("retries a POST whose connection was refused (nothing was sent)", async () => {
        const s = await withApi(() => ({ status: 200 }));
        const dead = s.url;
        await s.close();
        srv = undefined;
        const c = testClient(
            { url: dead, seen: [], inFlight: { now: 0, max: 0 }, close: async () => undefined },
            { maxRetries: 2, apiKey: "k-123456", clientId: undefined, clientSecret: undefined },
        );
        const e = await rejects(
            c.request({ host: HOST, method: "POST", path: "/api/v1/apps", body: {}, purpose: "create app" }),
        );
        expect(e.kind).to.equal("network");
        expect(e.netCode).to.equal("ECONNREFUSED");
        expect(e.attempts).to.equal(3);
        expect(e.message).to.contain("qlik:endpointOverride");
    });

    it("fetches one token for 8 concurrent calls and reuses it", async () => {
        const s = await startScripted(async (req) => {
            if (req.path === "/oauth/token") {
                await new Promise((r) => setTimeout(r, 50));
                return tokenReply(1);
            }
            return { status: 200, body: {} };
        });
        srv = s;
        const c = testClient(s);
        await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
                c.request({ host: HOST, method: "GET", path: `/api/v1/users/${i}`, purpose: "read user" }),
            ),
        );
        await c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "read me" });
        expect(s.seen.filter((r) => r.path === "/oauth/token")).to.have.length(1);
        expect(
            s.seen.filter((r) => r.path !== "/oauth/token").every((r) => r.headers.authorization === "Bearer tok-1"),
        ).to.equal(true);
        // a second host needs its own token
        await c.request({ host: "beta.us.qlikcloud.com", method: "GET", path: "/api/v1/users/me", purpose: "read me" });
        const toks = s.seen.filter((r) => r.path === "/oauth/token");
        expect(toks.map((t) => t.host)).to.deep.equal([HOST, "beta.us.qlikcloud.com"]);
    });

    it("refreshes the token once on 401 and retries the call", async () => {
        let tokens = 0;
        const s = await startScripted((req) => {
            if (req.path === "/oauth/token") return tokenReply(++tokens);
            return req.headers.authorization === "Bearer tok-1"
                ? { status: 401, body: { errors: [{ code: "AUTH-1", title: "Unauthorized" }] } }
                : { status: 200, body: { ok: true } };
        });
        srv = s;
        const c = testClient(s);
        const res = await c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "read me" });
        expect(res.status).to.equal(200);
        expect(tokens).to.equal(2);
        expect(s.seen.filter((r) => r.path === "/api/v1/users/me").map((r) => r.headers.authorization)).to.deep.equal([
            "Bearer tok-1",
            "Bearer tok-2",
        ]);
    });

    it("does not loop on a persistent 401 and explains the credentials fix", async () => {
        let tokens = 0;
        const s = await startScripted((req) =>
            req.path === "/oauth/token"
                ? tokenReply(++tokens)
                : { status: 401, body: { errors: [{ code: "AUTH-1", title: "Unauthorized" }] } },
        );
        srv = s;
        const c = testClient(s);
        const e = await rejects(c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "read me" }));
        expect(e.status).to.equal(401);
        expect(tokens).to.equal(2);
        expect(e.message).to.contain("qlik:clientId").and.contain("qlik:clientSecret");
        expect(e.message).not.to.contain("tok-");
    });

    it("reports a rejected token request without leaking the client secret", async () => {
        const s = await startScripted((req) =>
            req.path === "/oauth/token"
                ? // a hostile/buggy server echoing the request back
                  {
                      status: 401,
                      body: {
                          errors: [
                              {
                                  code: "OAUTH-1",
                                  title: "invalid client",
                                  detail: `client_secret=${SECRET} rejected; body ${req.body.toString()}`,
                              },
                          ],
                      },
                  }
                : { status: 200 },
        );
        srv = s;
        const c = testClient(s);
        const e = await rejects(
            c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "verify tenant acme" }),
        );
        expect(e.message)
            .to.contain("get an OAuth token")
            .and.contain("POST acme.us.qlikcloud.com/oauth/token")
            .and.contain("OAUTH-1")
            .and.contain("FIX:");
        expect(e.message).not.to.contain(SECRET);
        expect(JSON.stringify(e)).not.to.contain(SECRET);
        expect(s.seen.filter((r) => r.path === "/oauth/token")).to.have.length(1);
    });

    it("formats Qlik error bodies with purpose, call, code, title, detail, traceId and FIX", async () => {
        const s = await withApi(() => ({
            status: 403,
            body: {
                errors: [
                    { code: "TENANTS-22", title: "License quota limit reached", detail: "quota 5", status: "403" },
                ],
                traceId: "abc123",
            },
        }));
        const c = testClient(s);
        const e = await rejects(
            c.request({
                host: "register.us.qlikcloud.com",
                method: "POST",
                path: "/api/v1/tenants",
                body: { licenseKey: "LK-SECRET-KEY-1" },
                purpose: "create tenant acme",
            }),
        );
        expect(e.code).to.equal("TENANTS-22");
        expect(e.hasCode("TENANTS-22")).to.equal(true);
        for (const part of [
            "create tenant acme",
            "POST register.us.qlikcloud.com/api/v1/tenants",
            "HTTP 403",
            "[TENANTS-22]",
            "License quota limit reached",
            "quota 5",
            "traceId: abc123",
            "FIX: license quota",
        ]) {
            expect(e.message).to.contain(part);
        }
        expect(e.message).not.to.contain("LK-SECRET-KEY-1");
    });

    it("follows a 301 from /users/me through the override", async () => {
        const s = await withApi((p) =>
            p === "/api/v1/users/me"
                ? { status: 301, headers: { location: `https://${HOST}/api/v1/users/u-1` } }
                : { status: 200, body: { id: "u-1", tenantId: "t1" } },
        );
        const c = testClient(s);
        const res = await c.request({ host: HOST, method: "GET", path: "/api/v1/users/me", purpose: "read me" });
        expect(res.body).to.deep.equal({ id: "u-1", tenantId: "t1" });
        const last = s.seen[s.seen.length - 1];
        expect(last.host).to.equal(HOST);
        expect(last.path).to.equal("/api/v1/users/u-1");
    });

    it("paginates links.next.href with limit=100 through the override", async () => {
        const s = await withApi((p) => {
            if (p === "/api/v1/users?limit=100")
                return {
                    status: 200,
                    body: {
                        data: [{ id: 1 }, { id: 2 }],
                        links: { next: { href: `https://${HOST}/api/v1/users?limit=100&next=c2` } },
                    },
                };
            if (p === "/api/v1/users?limit=100&next=c2")
                return {
                    status: 200,
                    body: {
                        data: [{ id: 3 }],
                        links: { next: { href: `https://${HOST}/api/v1/users?limit=100&next=c3` } },
                    },
                };
            if (p === "/api/v1/users?limit=100&next=c3") return { status: 200, body: { data: [], links: {} } };
            return { status: 404 };
        });
        const c = testClient(s);
        const all = await paginateAll<{ id: number }>(c, { host: HOST, path: "/api/v1/users", purpose: "list users" });
        expect(all.map((u) => u.id)).to.deep.equal([1, 2, 3]);
        expect(s.seen.filter((r) => r.path.startsWith("/api/v1/users")).every((r) => r.host === HOST)).to.equal(true);
    });

    it("downloads and uploads binary bodies", async () => {
        const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
        const s = await withApi((p, _n, method) => {
            if (method === "GET")
                return { status: 200, headers: { "content-type": "application/octet-stream" }, body: bytes };
            return { status: 200, body: { attributes: { id: "app-2" } } };
        });
        const c = testClient(s);
        const got = await download(c.request, {
            host: HOST,
            path: "/api/v1/temp-contents/abc",
            purpose: "download export",
        });
        expect(Buffer.compare(got.body, bytes)).to.equal(0);
        const res = await upload<{ attributes: { id: string } }>(c.request, {
            host: HOST,
            path: "/api/v1/apps/import",
            query: { spaceId: "s1" },
            data: got.body,
            purpose: "import app",
        });
        expect(res.body.attributes.id).to.equal("app-2");
        const up = s.seen[s.seen.length - 1];
        expect(up.path).to.equal("/api/v1/apps/import?spaceId=s1");
        expect(up.headers["content-type"]).to.equal("application/octet-stream");
        expect(Buffer.compare(up.body, bytes)).to.equal(0);
    });

    it("caps concurrent requests per host", async () => {
        const s = await withApi(() => ({ status: 200, body: {}, delayMs: 40 }));
        const c = testClient(s, {}, { throttle: new Throttle({ maxConcurrentPerHost: 2 }) });
        await Promise.all(
            Array.from({ length: 8 }, () =>
                c.request({ host: HOST, method: "GET", path: "/api/v1/items", purpose: "list" }),
            ),
        );
        expect(s.inFlight.max).to.equal(2);
        expect(c.throttle.stats.maxActiveSeen).to.equal(2);
    });

    it("lets a burst of 5 minutes' tier-2 budget out at once, as Qlik's 5-minute window allows", async () => {
        const s = await withApi(() => ({ status: 200, body: {} }));
        const c = testClient(s, {}, { throttle: new Throttle({ maxConcurrentPerHost: 64 }) });
        await c.request({ host: HOST, method: "GET", path: "/api/v1/warmup", purpose: "warm token" });
        const t0 = Date.now();
        // 200 tenant creates on one register host: more than one minute's 100, less than the window's 500.
        await Promise.all(
            Array.from({ length: 200 }, () =>
                c.request({ host: HOST, method: "POST", path: "/api/v1/tenants", body: {}, purpose: "create" }),
            ),
        );
        expect(Date.now() - t0).to.be.below(5000);
        expect(s.seen.filter((r) => r.path === "/api/v1/tenants").length).to.equal(200);
    });

    it("rate-limits per tier over a sliding window", async () => {
        const s = await withApi(() => ({ status: 200, body: {} }));
        // tier 2 at 600/min over a 0.5 s window = 5 calls per window; 10 calls need >= ~0.5 s
        const c = testClient(s, {}, { throttle: new Throttle({ limits: { "2": 600 }, windowMs: { "2": 500 } }) });
        await c.request({ host: HOST, method: "GET", path: "/api/v1/warmup", purpose: "warm token" }); // token call is tier 2 too
        const t0 = Date.now();
        await Promise.all(
            Array.from({ length: 10 }, () =>
                c.request({ host: HOST, method: "POST", path: "/api/v1/spaces", body: {}, purpose: "create" }),
            ),
        );
        const elapsed = Date.now() - t0;
        expect(elapsed).to.be.at.least(450);
        expect(elapsed).to.be.below(3000);
        // tier 1 calls are not held back by the tier 2 bucket
        const t1 = Date.now();
        await Promise.all(
            Array.from({ length: 10 }, () =>
                c.request({ host: HOST, method: "GET", path: "/api/v1/spaces", purpose: "list" }),
            ),
        );
        expect(Date.now() - t1).to.be.below(400);
    });
});
