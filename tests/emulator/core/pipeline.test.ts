// The WebSocket upgrade of /app/<appId> runs through the same pipeline as REST: injected faults, rate limits,
// the request log and the route's auth apply to it, and refusals carry the same status and error body.
import { expect } from "chai";
import WebSocket = require("ws");
import { startFixture, type Fixture } from "./fixture";
import { call } from "../../support/http";

interface UpgradeOutcome {
    status: number; // 101 when the upgrade was accepted, 0 when the connection was cut
    headers: Record<string, string | string[] | undefined>;
    body?: unknown;
}

/** Tries one upgrade and reports what the server answered (closes an accepted socket right away). */
function upgrade(f: Fixture, appId: string, token?: string): Promise<UpgradeOutcome> {
    const u = new URL(f.url);
    const headers: Record<string, string> = { host: f.source };
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve) => {
        const ws = new WebSocket(`ws://${u.host}/app/${encodeURIComponent(appId)}`, { headers });
        ws.on("upgrade", (res) => {
            resolve({ status: res.statusCode ?? 0, headers: res.headers });
            ws.terminate();
        });
        ws.on("unexpected-response", (_req, res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    body: text ? JSON.parse(text) : undefined,
                });
            });
        });
        ws.on("error", () => resolve({ status: 0, headers: {} }));
    });
}

async function logSince(f: Fixture, seq: number) {
    const r = await call(f.url, `/_emulator/requests?since=${seq}`, { host: "127.0.0.1" });
    return r.body.data as { seq: number; path: string; status: number; fault?: string; upgrade?: boolean }[];
}

async function lastSeq(f: Fixture): Promise<number> {
    const all = await logSince(f, 0);
    return all.length ? all[all.length - 1].seq : 0;
}

describe("emulator pipeline: the WebSocket upgrade goes through the same middlewares as REST", function () {
    this.timeout(60_000);

    describe("faults, auth and the request log", () => {
        let f: Fixture;
        let token: string;
        before(async () => {
            f = await startFixture();
            token = await f.token(f.source);
        });
        after(async () => f.emu.close());
        afterEach(async () => {
            await call(f.url, "/_emulator/faults", { method: "DELETE", host: "127.0.0.1" });
        });

        it("accepts an authenticated upgrade (101) and logs it", async () => {
            const since = await lastSeq(f);
            const r = await upgrade(f, "some-app", token);
            expect(r.status).to.equal(101);
            const log = (await logSince(f, since)).filter((e) => e.path.startsWith("/app/"));
            expect(log.map((e) => [e.status, e.upgrade])).to.deep.equal([[101, true]]);
        });

        it("refuses an upgrade without credentials with the route's 401 body", async () => {
            const r = await upgrade(f, "some-app");
            expect(r.status).to.equal(401);
            expect((r.body as { errors: { code: string }[] }).errors[0].code).to.equal("LOGIN-1");
        });

        it("applies an injected 503 to the upgrade and records the fault", async () => {
            const add = await call(f.url, "/_emulator/faults", {
                method: "POST",
                host: "127.0.0.1",
                body: { rules: [{ match: { path: "^/app/" }, action: "503" }] },
            });
            expect(add.status).to.be.within(200, 299);
            const since = await lastSeq(f);
            const r = await upgrade(f, "some-app", token);
            expect(r.status).to.equal(503);
            expect((r.body as { errors: { code: string }[] }).errors[0].code).to.equal("HTTP-503");
            const log = (await logSince(f, since)).filter((e) => e.path.startsWith("/app/"));
            expect(log.map((e) => [e.status, e.fault])).to.deep.equal([[503, "503"]]);
        });

        it("cuts the upgrade's connection on a drop fault", async () => {
            await call(f.url, "/_emulator/faults", {
                method: "POST",
                host: "127.0.0.1",
                body: { rules: [{ match: { path: "^/app/", nth: 1 }, action: "drop" }] },
            });
            expect((await upgrade(f, "some-app", token)).status).to.equal(0);
            // nth: 1 fires once: the next upgrade is served again.
            expect((await upgrade(f, "some-app", token)).status).to.equal(101);
        });
    });

    describe("rate limits", () => {
        let f: Fixture;
        before(async () => {
            // A budget of one tier-1 call per window (the scale floors at one call).
            f = await startFixture({ rateLimitScale: 1e-9 });
        });
        after(async () => f.emu.close());

        it("answers 429 with Retry-After once the caller's tier-1 budget is spent on upgrades", async () => {
            const token = await f.token(f.source);
            expect((await upgrade(f, "some-app", token)).status).to.equal(101);
            const refused = await upgrade(f, "some-app", token);
            expect(refused.status).to.equal(429);
            expect(Number(refused.headers["retry-after"])).to.be.greaterThan(0);
            expect((refused.body as { errors: { code: string }[] }).errors[0].code).to.equal("HTTP-429");
        });
    });
});
