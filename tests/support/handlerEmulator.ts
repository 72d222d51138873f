// For tests that call the resource handlers in-process (tests/provider/resources, tests/unit) and for e2e tests
// that make drift by hand: an in-process emulator with the provider's env pointed at it, its request log, and
// direct calls as the OAuth client's bot.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RunningEmulator } from "../../emulator/index";
import { providerEnvFor, startTestEmulator } from "../e2e/emulatorFixture";
import { resetProviderConfig } from "../../provider/config";
import { call, tokenFor, type CallResult, type JsonBody } from "./http";
import { handlers as tenantHandlers } from "../../provider/resources/qlikTenant";

export interface EmuContext {
    emu: RunningEmulator;
    restore(): Promise<void>;
}

const ENV_KEYS = [
    "QLIK_REGION",
    "QLIK_DOMAIN",
    "QLIK_CLIENT_ID",
    "QLIK_CLIENT_SECRET",
    "QLIK_SOURCE_TENANT_HOST",
    "QLIK_ENDPOINT_OVERRIDE",
    "QLIK_ALLOW_TENANT_DEACTIVATION",
    "QLIK_PURGE_AFTER_DAYS",
    "QLIK_API_KEY",
    "QLIK_MAX_RETRIES",
    "QLIK_FLEET_JOURNAL_DIR",
];

export async function startEmu(): Promise<EmuContext> {
    const emu = await startTestEmulator();
    const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
    for (const k of ENV_KEYS) delete process.env[k];
    // The tenant-create journal goes to a throw-away folder, not the developer's ~/.pulumi.
    const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-journal-"));
    Object.assign(process.env, providerEnvFor(emu), { QLIK_MAX_RETRIES: "1", QLIK_FLEET_JOURNAL_DIR: journalDir });
    resetProviderConfig();
    return {
        emu,
        async restore() {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
            await emu.close();
            fs.rmSync(journalDir, { recursive: true, force: true });
        },
    };
}

export interface LoggedRequest {
    seq: number;
    method: string;
    host: string;
    path: string;
    status: number;
    /** The fault rule that answered instead of the API (POST /_emulator/faults), if any. */
    fault?: string;
}

/** The emulator's request log (admin endpoint on the 127.0.0.1 host). */
export async function requestLog(emu: RunningEmulator, since = 0): Promise<LoggedRequest[]> {
    const r = await call(emu.info.httpUrl, `/_emulator/requests?since=${since}`, { host: "127.0.0.1" });
    return (r.body as { data: LoggedRequest[] }).data;
}

export async function lastSeq(emu: RunningEmulator): Promise<number> {
    const log = await requestLog(emu);
    return log.length ? log[log.length - 1].seq : 0;
}

/** A direct call as the region OAuth client's bot on `host` (for making drift). */
export async function asBot(
    emu: RunningEmulator,
    host: string,
    path: string,
    o: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult> {
    const token = await tokenFor(emu.info.httpUrl, host, emu.info.oauthClient);
    return call(emu.info.httpUrl, path, { host, token, ...o });
}

/** A resource's outputs as handler tests read them: any JSON value per output (see JsonBody). */
export type Outputs = Record<string, JsonBody>;

/** The QlikTenant outputs the tests read. */
export interface TenantOuts {
    tenantId: string;
    hostname: string;
    systemHostname: string;
    [output: string]: unknown;
}

/** A fresh tenant with an alias, made through the QlikTenant handlers; returns its outputs. */
export async function makeTenant(alias: string): Promise<TenantOuts> {
    const r = await tenantHandlers.create({ alias, displayName: `Tenant ${alias}` });
    return r.outs as TenantOuts;
}
