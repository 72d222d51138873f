// Contract scenarios for the cross-cutting answers: 401 without a token, 429 past the documented tier
// (with rateLimitScale shrinking the limits).
import { expect } from "chai";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { ContractClient } from "./client";

describe("contract: 401 / 429", () => {
    let emu: RunningEmulator;
    let c: ContractClient;
    let host: string;
    before(async () => {
        // special tier 50/min x 0.02 = 1 request per window for POST /api/v1/reloads
        emu = await startEmulator({ quiet: true, port: 0, rateLimitScale: 0.02 });
        c = new ContractClient(emu.info.httpUrl);
        host = emu.info.sourceTenant.hostname;
    });
    after(async () => {
        await emu?.close();
    });

    it("401 without a bearer token, in each API's documented error shape", async () => {
        for (const path of ["/api/v1/spaces", "/api/v1/users", "/api/v1/groups", "/api/v1/items", "/api/v1/reloads"]) {
            await c.request({ host, path }, 401);
        }
    });

    it("429 with Retry-After once the reloads tier is used up", async () => {
        const token = await c.token(host, emu.info.oauthClient);
        const app = await c.request(
            { method: "POST", host, path: "/api/v1/apps", token, body: { attributes: { name: "Limited" } } },
            200,
        );
        const body = { appId: app.body.attributes.id };
        await c.request({ method: "POST", host, path: "/api/v1/reloads", token, body }, 201);
        const r2 = await c.request({ method: "POST", host, path: "/api/v1/reloads", token, body }, 429);
        expect(Number(r2.headers["retry-after"])).to.be.greaterThan(0);
        expect(r2.body.errors[0].code).to.equal("HTTP-429");
    });
});
