// Public entry: startEmulator(options) -> RunningEmulator (see ARCHITECTURE.md "Public entry").
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator, EmulatorConfig, EmulatorInfo } from "./core/context";
import type { ProfileName } from "./core/profiles";
import type { Clock } from "./core/clock";
import { createEmulator, runClosers } from "./core/emulator";
import { SqliteStore } from "./store/sqliteStore";
import * as ids from "./core/ids";
import { applySeed, loadSeed, REGION_DATACENTER, type SeedSpec } from "./seed";
import { createServers } from "./server";
import { ensureTls } from "./core/tls";
import { oauthModel } from "./apis/oauth/model";
import { createDirectory } from "./apis/directory";
import type { FaultRule } from "./core/faults";
import { chooseSeed, SEED_ENV } from "./core/random";

export type { SeedSpec } from "./seed";
export type { EmulatorInfo, Emulator } from "./core/context";

export interface EmulatorOptions {
    port?: number;
    tlsPort?: number;
    dataDir?: string;
    profile?: ProfileName;
    domain?: string;
    region?: string;
    seed?: SeedSpec | string;
    rateLimitScale?: number;
    tokenTtlSeconds?: number;
    quiet?: boolean;
    /**
     * Seed of every random behaviour (fault rates); default QLIK_EMULATOR_SEED, else drawn and logged. The same
     * seed and the same traffic give the same faults. Not `seed`, which is the initial data (SeedSpec).
     */
    randomSeed?: number;
    /** Fault rules active from the start (same shape as POST /_emulator/faults). */
    faults?: FaultRule[];
    /** Tests: inject a clock they can advance. */
    clock?: Clock;
}

export interface RunningEmulator {
    info: EmulatorInfo;
    url: string;
    /** The live emulator object (store, clock, models) for tests and in-process tools. */
    emu: Emulator;
    close(): Promise<void>;
}

function listen(server: http.Server, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
    const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : undefined;
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
    const store = new SqliteStore(dataDir ? path.join(dataDir, "emulator.sqlite") : ":memory:");
    try {
        const spec = loadSeed(opts.seed);
        // Region/domain/secrets are fixed at first start; a restart with the same data dir keeps them.
        type Fixed = {
            region: string;
            domain: string;
            datacenter: string;
            cookieSecret: string;
            licenseSecret: string;
        };
        let fixed = store.get<Fixed>("meta", "config");
        if (!fixed) {
            const region = (opts.region ?? spec.region ?? "us").toLowerCase();
            fixed = {
                region,
                domain: (opts.domain ?? spec.domain ?? "qlikcloud.com").toLowerCase(),
                datacenter: spec.datacenter ?? REGION_DATACENTER[region] ?? "us-east-1",
                cookieSecret: ids.token(32),
                licenseSecret: spec.licenseSecret ?? ids.token(32),
            };
            store.put("meta", "config", fixed);
        }
        const config: EmulatorConfig = {
            region: fixed.region,
            domain: fixed.domain,
            registerHost: `register.${fixed.region}.${fixed.domain}`,
            datacenter: fixed.datacenter,
            profile: opts.profile ?? "instant",
            rateLimitScale: opts.rateLimitScale ?? 1,
            tokenTtlSeconds: opts.tokenTtlSeconds ?? 21600,
            quiet: opts.quiet ?? false,
            randomSeed: chooseSeed(opts.randomSeed),
        };
        if (!config.quiet)
            console.log(
                `[emulator] random seed ${config.randomSeed} (${SEED_ENV}=${config.randomSeed} replays its faults)`,
            );
        const emu = createEmulator(
            store,
            config,
            { cookieSecret: fixed.cookieSecret, licenseSecret: fixed.licenseSecret },
            createDirectory,
            opts.clock,
        );
        const seed = applySeed(emu, spec);
        if (opts.faults?.length) emu.faults.add(opts.faults);

        let tls: ReturnType<typeof ensureTls> | undefined;
        let tmpTlsDir: string | undefined;
        if (opts.tlsPort !== undefined) {
            const dir = dataDir
                ? path.join(dataDir, "tls")
                : (tmpTlsDir = fs.mkdtempSync(path.join(os.tmpdir(), "qlik-emu-tls-")));
            tls = ensureTls(dir, config.region, config.domain);
        }
        const servers = createServers(emu, tls);
        const httpPort = await listen(servers.http, opts.port ?? 0);
        const httpsPort =
            servers.https && opts.tlsPort !== undefined
                ? await listen(servers.https as unknown as http.Server, opts.tlsPort)
                : undefined;
        const httpUrl = `http://127.0.0.1:${httpPort}`;
        const info: EmulatorInfo = {
            version: 1,
            pid: process.pid,
            httpUrl,
            ...(httpsPort !== undefined ? { httpsUrl: `https://127.0.0.1:${httpsPort}`, caCertFile: tls?.caFile } : {}),
            adminUrl: `${httpUrl}/_emulator`,
            domain: config.domain,
            region: config.region,
            registerHost: config.registerHost,
            sourceTenant: {
                id: seed.sourceTenantId,
                hostname: seed.sourceHostname,
                adminEmail: seed.adminEmail,
                adminSubject: seed.adminSubject,
            },
            oauthClient: { clientId: seed.clientId, clientSecret: seed.clientSecret },
            licenseKey: seed.licenseKey,
            tenantQuota: seed.tenantQuota,
            apiKeys: oauthModel(emu)
                .apiKeys()
                .map((k) => ({ tenantId: k.tenantId, key: k.id })),
            profile: config.profile,
            randomSeed: config.randomSeed,
        };
        emu.info = info;
        const infoFile = dataDir ? path.join(dataDir, "emulator.json") : undefined;
        if (infoFile) fs.writeFileSync(infoFile, JSON.stringify(info, null, 2) + "\n");

        let closed = false;
        return {
            info,
            url: httpUrl,
            emu,
            async close() {
                if (closed) return;
                closed = true;
                await servers.close();
                await runClosers(emu);
                store.close();
                if (infoFile) fs.rmSync(infoFile, { force: true });
                if (tmpTlsDir) fs.rmSync(tmpTlsDir, { recursive: true, force: true });
            },
        };
    } catch (e) {
        store.close();
        throw e;
    }
}
