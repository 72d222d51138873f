// Sends malformed bodies to every registered route: the emulator must answer 4xx (never 5xx) and keep serving.
import { expect } from "chai";
import { allRoutes } from "../../../emulator/apis";
import { startFixture, type Fixture } from "./fixture";

const BODIES: Array<string | unknown> = [
    "{not json",
    "[1,2",
    JSON.stringify([1, "a", null]),
    JSON.stringify("x".repeat(200_000)),
    JSON.stringify({ name: 42, subject: ["x"], licenseKey: { a: 1 }, options: "o", add: "a", filter: 7, rules: {} }),
    "null",
    "123",
    JSON.stringify([{ op: "replace", path: "/name", value: { deep: [1] } }, { op: "x" }, null]),
];

describe("emulator fuzz: malformed bodies on every route", () => {
    let f: Fixture;
    const tokens: Record<string, string> = {};
    before(async () => {
        f = await startFixture({ rateLimitScale: 1000 });
        const t = await f.createTenant();
        tokens[t.host] = t.token;
        tokens[f.register] = await f.token(f.register);
    });
    after(async () => {
        await f.emu.close();
    });

    it("never answers 5xx and stays consistent", async () => {
        const tenantHost = Object.keys(tokens).find((h) => h !== f.register) as string;
        let sent = 0;
        for (const route of allRoutes) {
            const host = route.host === "register" ? f.register : route.host === "admin" ? "127.0.0.1" : tenantHost;
            const path = route.path.replace(/:([A-Za-z]+)/g, (_m, n: string) =>
                n === "tenantId" ? "x".repeat(32) : "0123456789abcdef01234567",
            );
            for (const body of BODIES) {
                const label = `${route.method} ${route.path} ${String(body).slice(0, 30)}`;
                const r = await f
                    .req(path, {
                        method: route.method,
                        host,
                        token: tokens[host],
                        body: body as string,
                        headers: { "qlik-confirm-hostname": host },
                    })
                    .catch((e: Error) => {
                        throw new Error(`${label}: ${e.message}`);
                    });
                sent++;
                expect(r.status, `${label} -> ${r.text.slice(0, 200)}`).to.be.below(500);
            }
        }
        expect(sent).to.be.greaterThan(100);
        await f.req("/_emulator/faults", { method: "DELETE", host: "127.0.0.1" });
        // still healthy: tenant works, source admin still exists
        expect((await f.req("/api/v1/users/me", { host: tenantHost, token: tokens[tenantHost] })).status).to.equal(301);
        expect((await f.req("/_emulator/info", { host: "127.0.0.1" })).status).to.equal(200);
    });
});
