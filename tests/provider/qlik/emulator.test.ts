// The shared client against the real emulator: per-host tokens, and a seeded tenant.

import { expect } from "chai";
import { startEmulator, RunningEmulator } from "../../../emulator/index";
import { QlikClient, QlikApiError } from "../../../provider/qlik/index";
import { Throttle } from "../../../provider/qlik/throttle";
import { TokenCache } from "../../../provider/qlik/auth";
import { ProviderConfig } from "../../../provider/config";

describe("provider/qlik client against the emulator", function () {
    this.timeout(30000);
    let emu: RunningEmulator;
    let client: QlikClient;
    let tokens: TokenCache;
    let cfg: ProviderConfig;

    before(async () => {
        emu = await startEmulator({ port: 0, quiet: true });
        const info = emu.info;
        cfg = {
            region: info.region,
            domain: info.domain,
            registerHost: info.registerHost,
            clientId: info.oauthClient.clientId,
            clientSecret: info.oauthClient.clientSecret,
            sourceTenantHost: info.sourceTenant.hostname,
            endpointOverride: info.httpUrl,
            purgeAfterDays: 30,
            allowTenantDeactivation: false,
            requestTimeoutMs: 10000,
            maxRetries: 3,
            maxConcurrentPerHost: 8,
        };
        tokens = new TokenCache();
        client = new QlikClient({
            getConfig: () => cfg,
            throttle: new Throttle(),
            tokenCache: tokens,
            log: () => undefined,
        });
    });

    after(async () => {
        await emu?.close();
    });

    it("gets one token per host and reads /users/me on the seeded source tenant", async () => {
        const src = client.forHost(emu.info.sourceTenant.hostname);
        const [me] = await Promise.all([
            src.get<{ tenantId: string; subject: string; roles?: string[] }>("/api/v1/users/me", {
                purpose: "read the bot user of the source tenant",
            }),
            src.get("/api/v1/users/me", { purpose: "read me again" }),
            src.get("/api/v1/users/me", { purpose: "read me again" }),
        ]);
        expect(me.tenantId).to.equal(emu.info.sourceTenant.id);
        expect(me.subject).to.match(/^qlikbot\\/);
        expect(tokens.stats.fetches).to.equal(1);

        const reg = client.forHost(emu.info.registerHost);
        await reg.bearer();
        expect(tokens.stats.fetches).to.equal(2);
        // tokens are host-bound in Qlik Cloud: the source token must not be the register token
        expect(await reg.bearer()).not.to.equal(await src.bearer());
    });

    it("turns an emulator error body into a QlikApiError with purpose and code", async () => {
        const src = client.forHost(emu.info.sourceTenant.hostname);
        let err: unknown;
        try {
            await src.get("/api/v1/spaces/000000000000000000000000", { purpose: "read space missing" });
        } catch (e) {
            err = e;
        }
        expect(err).to.be.instanceOf(QlikApiError);
        const e = err as QlikApiError;
        expect(e.status).to.equal(404);
        expect(e.message)
            .to.contain("read space missing")
            .and.contain(`GET ${emu.info.sourceTenant.hostname}/api/v1/spaces/`);
        expect(e.message).not.to.contain(cfg.clientSecret as string);
    });
});
