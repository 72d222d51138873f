// Starts an in-memory emulator for a test file and hands out tokens.
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../emulator/index";
import { call, tokenFor, type CallOptions } from "../../support/http";

export interface Fixture {
    emu: RunningEmulator;
    url: string;
    source: string; // source tenant host
    register: string;
    token(host: string): Promise<string>;
    req(path: string, o: CallOptions): ReturnType<typeof call>;
    createTenant(): Promise<{ id: string; host: string; token: string }>;
}

export async function startFixture(opts: EmulatorOptions = {}): Promise<Fixture> {
    const emu = await startEmulator({ quiet: true, ...opts });
    const f: Fixture = {
        emu,
        url: emu.url,
        source: emu.info.sourceTenant.hostname,
        register: emu.info.registerHost,
        token: (host) => tokenFor(emu.url, host, emu.info.oauthClient),
        req: (path, o) => call(emu.url, path, o),
        async createTenant() {
            const t = await f.token(f.register);
            const r = await call(emu.url, "/api/v1/tenants", {
                method: "POST",
                host: f.register,
                token: t,
                body: { licenseKey: emu.info.licenseKey },
            });
            if (r.status !== 201) throw new Error(`create tenant: ${r.status} ${r.text}`);
            const host = r.body.hostnames[0] as string;
            return { id: r.body.id as string, host, token: await f.token(host) };
        },
    };
    return f;
}
