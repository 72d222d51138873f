// What every fleet mode of the bench shares: an emulator sized for the fleet (its OEM license's tenant quota), the
// stack config a real OEM account uses, the master database seeded once per size and copied for each run, and the
// state each stack stored (stored checkpoint bytes and compact JSON bytes per tenant, docs/state-size.md).
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { spawnEmulator, type EmulatorProcess } from "./emulatorProcess";
import { prepareFleet, TEMPLATE_APP_NAME, type FleetFixture } from "./fleetFixture";
import { REPO_ROOT } from "./pulumiProject";
import { readMasterDb } from "../../scripts/seed";
import { placeTemplate } from "../../scripts/template/place";

/** The emulator as its own process, with an OEM license whose tenant quota fits N (the seed's default is 250). */
export async function fleetEmulator(work: string, n: number): Promise<EmulatorProcess> {
    fs.mkdirSync(work, { recursive: true });
    const seedFile = path.join(work, "emulator-seed.json");
    fs.writeFileSync(seedFile, JSON.stringify({ license: { quota: Math.max(250, n + 10) } }));
    return spawnEmulator({
        repoRoot: REPO_ROOT,
        profile: "realistic",
        dataDir: path.join(work, "emulator"),
        extraArgs: ["--seed", seedFile],
    });
}

/**
 * A master database with N bench customers in `dir`: seeded once per N into `cacheDir` (1,000 customers take minutes:
 * each has its own business database file), then copied; the template is placed in this emulator's source tenant.
 */
export async function preparedFleet(
    emu: EmulatorProcess,
    dir: string,
    n: number,
    cacheDir: string,
    log: (m: string) => void,
): Promise<FleetFixture> {
    const cached = path.join(cacheDir, `seed-${n}`);
    if (!fs.existsSync(path.join(cached, "master.sqlite"))) {
        const t0 = Date.now();
        const fx = await prepareFleet(emu.info, cached, n);
        log(`seeded ${n} customers in ${((Date.now() - t0) / 1000).toFixed(1)} s (template placed)`);
        fs.cpSync(cached, dir, { recursive: true });
        return {
            ...fx,
            masterDb: path.join(dir, "master.sqlite"),
            customers: readMasterDb(path.join(dir, "master.sqlite")),
        };
    }
    fs.cpSync(cached, dir, { recursive: true });
    const masterDb = path.join(dir, "master.sqlite");
    const customers = readMasterDb(masterDb);
    const placed = await placeTemplate({ info: emu.info, sampleDb: path.join(dir, "customers", "sample.sqlite") });
    return { masterDb, customers, templateAppId: placed.appId };
}

export function stackConfig(
    emu: EmulatorProcess,
    masterDb: string,
    extra: Record<string, string> = {},
): { config: Record<string, string>; secrets: Record<string, string> } {
    const i = emu.info;
    const config: Record<string, string> = {
        "qlik:region": i.region,
        "qlik:domain": i.domain,
        "qlik:clientId": i.oauthClient.clientId,
        "qlik:sourceTenantHost": i.sourceTenant.hostname,
        "qlik:endpointOverride": i.httpUrl,
        "fleet:masterDb": masterDb,
        "fleet:templateAppName": TEMPLATE_APP_NAME,
        ...extra,
    };
    return { config, secrets: { "qlik:clientSecret": i.oauthClient.clientSecret } };
}

export function vmHwmKiB(pid: number): number | undefined {
    try {
        return Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    } catch {
        return undefined;
    }
}

export interface StoredState {
    stacks: number;
    /** Bytes as the backend stores them (gzip since scripts/lib/engine.js turns it on). */
    storedBytes: number;
    /** The same checkpoints as compact JSON. */
    jsonBytes: number;
    /** CustomerTenant components per stack name. */
    customersByStack: Record<string, string[]>;
}

/** One checkpoint file's content (plain or gzip) -> its compact JSON and the CustomerTenant names it holds. */
export function readCheckpoint(raw: Buffer): { json: string; customers: string[] } {
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    const parsed = JSON.parse(text) as {
        checkpoint?: { latest?: { resources?: { urn: string; type: string }[] } };
    };
    const resources = parsed.checkpoint?.latest?.resources ?? [];
    const customers = resources
        .filter((r) => /CustomerTenant$/.test(r.type))
        .map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2))
        .sort();
    return { json: JSON.stringify(parsed), customers };
}

/** The checkpoints of a file backend's project folder (`<backend>/.pulumi/stacks/<project>/`). */
export function storedStateOfDir(backendDir: string, project: string): StoredState {
    const dir = path.join(backendDir, ".pulumi", "stacks", project);
    const out: StoredState = { stacks: 0, storedBytes: 0, jsonBytes: 0, customersByStack: {} };
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const m = /^(.+)\.json(\.gz)?$/.exec(f);
        if (!m) continue;
        const raw = fs.readFileSync(path.join(dir, f));
        const cp = readCheckpoint(raw);
        out.stacks++;
        out.storedBytes += raw.length;
        out.jsonBytes += Buffer.byteLength(cp.json);
        out.customersByStack[m[1]] = cp.customers;
    }
    return out;
}
