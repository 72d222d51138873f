// An emulator for end-to-end stacks: started in the test process on an ephemeral loopback port,
// with the stack config that points the provider at it (the same keys a real OEM account uses).
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index";
import { call, tokenFor } from "../support/http";
import { TEST_SEED, seedsInUse } from "../support/random";
import { emulatorProviderEnv, emulatorStackConfig } from "../../scripts/lib/emulatorSettings";

export interface EmulatorStackConfig {
    /** Plain `pulumi config set` values. */
    config: Record<string, string>;
    /** `pulumi config set --secret` values. */
    secrets: Record<string, string>;
}

/** An in-process emulator; its random behaviour (rate-based faults) follows the tests' seed, printed on failure. */
export async function startTestEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
    const randomSeed = opts.randomSeed ?? TEST_SEED;
    seedsInUse.set("emulator", randomSeed);
    return startEmulator({ quiet: true, profile: "instant", ...opts, randomSeed });
}

/** Stack config for a running emulator: region, OAuth client (secret), source tenant, endpoint override. */
export function stackConfigFor(emu: RunningEmulator): EmulatorStackConfig {
    const { plain, secret } = emulatorStackConfig(emu.info);
    return { config: plain, secrets: secret };
}

/** The same settings as environment variables, for handler tests that call the provider in-process. */
export function providerEnvFor(emu: RunningEmulator): NodeJS.ProcessEnv {
    return emulatorProviderEnv(emu.info);
}

/** A tenant made straight through the emulator's REST API (no resource under test involved); its hostname. */
export async function newTenantHost(emu: RunningEmulator): Promise<string> {
    const host = emu.info.registerHost;
    const token = await tokenFor(emu.info.httpUrl, host, emu.info.oauthClient);
    const r = await call(emu.info.httpUrl, "/api/v1/tenants", {
        method: "POST",
        host,
        token,
        body: { licenseKey: emu.info.licenseKey },
    });
    if (r.status !== 201) throw new Error(`POST /api/v1/tenants answered ${r.status}: ${r.text}`);
    return (r.body as { hostnames: string[] }).hostnames[0];
}
