// `npm start`: the whole story on one machine, offline.
//   1. seed the ISV's master database and the customers' business databases (.data/)
//   2. start the Qlik Cloud emulator in the background (or reuse the running one)
//   3. place the template app in the ISV's source tenant
//   4. point the `dev` stack at the emulator and run `pulumi up` (one tenant per customer)
//   5. prove it as the customers' users would: JWT login, open the published app, compare the numbers
// A second run reuses everything and `pulumi up` reports no changes.
// `node dist/scripts/start.js --stop` stops the background emulator.
//
// It never fights the user: it sets only the stack keys that are missing (or that it set itself and that
// still hold its value), runs one at a time per emulator folder (a second `npm start` waits for the
// first and then reuses everything), and keeps one emulator per data folder (emulator/dataDirLock.ts).
// Options: --port N / QLIK_EMULATOR_PORT (remembered in <data dir>/emulator.port),
//          --profile instant|realistic / QLIK_EMULATOR_PROFILE, QLIK_EMULATOR_DATA_DIR (default .emulator),
//          QLIK_FLEET_STACK (default dev), QLIK_FLEET_MASTER_DB (default .data/master.sqlite).
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { parseArgs } from "util";
import type { EmulatorInfo } from "../emulator/index";
import { seed } from "./seed";
import { readMasterDb, type CustomerRecord } from "../examples/fleet/masterDb";
import { businessTotals } from "./seed/businessDb";
import { placeTemplate, TEMPLATE_APP_NAME } from "./template/place";
import { jwtLogin, openAppAsUser, readDashboard, signUserJwt, type Dashboard } from "./userSession";

import { REPO_ROOT as ROOT, engine, type EngineRecord } from "./lib/repo";
import { lockHolder, tryLockPidFile } from "../emulator/dataDirLock";

const EMU_DIR = path.resolve(ROOT, process.env.QLIK_EMULATOR_DATA_DIR || ".emulator");
const INFO_FILE = path.join(EMU_DIR, "emulator.json");
const STACK = process.env.QLIK_FLEET_STACK || "dev";
/** Remembers the port chosen with --port / QLIK_EMULATOR_PORT for the next start. */
const PORT_FILE = "emulator.port";

const step = (n: number, msg: string) => console.log(`\n\x1b[1m[${n}/5] ${msg}\x1b[0m`);
const info = (msg: string) => console.log(`      ${msg}`);

// ---------------------------------------------------------------------------------------------- emulator

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function readInfo(file = INFO_FILE): EmulatorInfo | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as EmulatorInfo;
    } catch {
        return undefined;
    }
}

/** The emulator described by emulator.json answers, and is the same one (same source tenant). */
export async function probe(emu: EmulatorInfo, timeoutMs = 2000): Promise<boolean> {
    try {
        const res = await fetch(`${emu.adminUrl}/info`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return false;
        const live = (await res.json()) as EmulatorInfo;
        return live.sourceTenant?.id === emu.sourceTenant.id;
    } catch {
        return false;
    }
}

function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
}

async function freePort(preferred: number[]): Promise<number> {
    for (const p of preferred) if (p > 0 && (await portFree(p))) return p;
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

export interface EnsureEmulatorOptions {
    dataDir?: string;
    profile?: "instant" | "realistic";
    /** An explicit port (--port / QLIK_EMULATOR_PORT): used, remembered, and an error when busy. */
    port?: number;
    /** Any free port instead of the remembered one or 8080 (tests, which run next to other tests). */
    anyPort?: boolean;
    timeoutMs?: number;
    log?: (msg: string) => void;
}

function rememberedPort(dir: string): number | undefined {
    try {
        const n = Number(fs.readFileSync(path.join(dir, PORT_FILE), "utf8").trim());
        return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
    } catch {
        return undefined;
    }
}

/** Waits for the emulator of process `pid` in dir to answer; undefined when that process is gone. */
async function waitForEmulator(dir: string, pid: number, deadline: number): Promise<EmulatorInfo | undefined> {
    const infoFile = path.join(dir, "emulator.json");
    for (;;) {
        const cur = readInfo(infoFile);
        if (cur && cur.pid === pid && (await probe(cur))) return cur;
        if (!alive(pid)) return undefined;
        if (Date.now() > deadline)
            throw new Error(`the emulator (pid ${pid}) did not answer in time; see ${path.join(dir, "emulator.log")}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

/**
 * Reuses the emulator of dataDir when it runs, else starts one detached (it outlives this script). The
 * emulator holds a lock on its data folder, so when another start won the race this one reuses the winner.
 */
export async function ensureEmulator(
    opts: EnsureEmulatorOptions = {},
): Promise<{ info: EmulatorInfo; started: boolean; pid: number }> {
    const dir = path.resolve(opts.dataDir ?? EMU_DIR);
    const infoFile = path.join(dir, "emulator.json");
    const log = opts.log ?? (() => undefined);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const portOf = (i: EmulatorInfo) => Number(new URL(i.httpUrl).port);
    const reuse = (i: EmulatorInfo) => {
        if (opts.port && portOf(i) !== opts.port) {
            throw new Error(
                `the emulator of ${dir} already runs on port ${portOf(i)} (pid ${i.pid}), not ${opts.port}; ` +
                    "stop it first (`npm run emulator:stop`) to move it, or drop --port / QLIK_EMULATOR_PORT to reuse it",
            );
        }
        return { info: i, started: false, pid: i.pid };
    };
    const holder = lockHolder(dir);
    if (holder !== undefined) {
        const running = await waitForEmulator(dir, holder, deadline);
        if (running) return reuse(running);
    }
    const previous = readInfo(infoFile);
    if (previous && alive(previous.pid) && (await probe(previous))) return reuse(previous);
    if (previous) {
        if (alive(previous.pid) && previous.pid !== holder)
            throw new Error(
                `process ${previous.pid} of ${infoFile} is alive but its emulator does not answer at ${previous.httpUrl}; stop it first`,
            );
        fs.rmSync(infoFile, { force: true }); // left by a crash or kill -9
    }
    fs.mkdirSync(dir, { recursive: true });
    let port: number;
    if (opts.port) {
        if (!(await portFree(opts.port)))
            throw new Error(
                `port ${opts.port} (--port / QLIK_EMULATOR_PORT) is in use by another program; choose another port`,
            );
        port = opts.port;
        fs.writeFileSync(path.join(dir, PORT_FILE), `${port}\n`);
    } else {
        // The remembered port, else 8080, else any free one: URLs in notes and shell history keep working.
        const lastPort = rememberedPort(dir) ?? (previous ? portOf(previous) : 0);
        port = await freePort(opts.anyPort ? [] : [lastPort, 8080]);
    }
    const out = fs.openSync(path.join(dir, "emulator.log"), "a");
    const child = spawn(
        process.execPath,
        [
            path.join(ROOT, "dist", "emulator", "cli.js"),
            "--port",
            String(port),
            "--data-dir",
            dir,
            "--profile",
            opts.profile ?? "realistic",
        ],
        { cwd: ROOT, detached: true, stdio: ["ignore", out, out] },
    );
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error("could not start the emulator process");
    child.unref();
    log(`starting the emulator (pid ${pid}, port ${port}, log ${path.join(dir, "emulator.log")})`);
    const mine = await waitForEmulator(dir, pid, deadline);
    if (mine) {
        fs.writeFileSync(path.join(dir, "emulator.pid"), `${pid}\n`);
        return { info: mine, started: true, pid };
    }
    // It exited: when another emulator took the folder's lock meanwhile, that one is THE emulator.
    const winner = lockHolder(dir);
    if (winner !== undefined) {
        const running = await waitForEmulator(dir, winner, deadline);
        if (running) return reuse(running);
    }
    throw new Error(`the emulator exited during start-up; see ${path.join(dir, "emulator.log")}`);
}

export type StopResult = "stopped" | "not-running" | "still-running";

/** Is pid an emulator process (and not some other program that got a recycled pid)? */
function isEmulatorProcess(pid: number): boolean {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path.join("emulator", "cli.js"));
    } catch {
        return alive(pid); // no /proc (macOS): trust the pid files
    }
}

/** Stops the emulator of dir (SIGTERM: it closes cleanly and removes emulator.json) and says what really happened. */
export async function stopEmulator(dir = EMU_DIR): Promise<StopResult> {
    const read = (f: string) => {
        try {
            return Number(fs.readFileSync(path.join(dir, f), "utf8").trim()) || undefined;
        } catch {
            return undefined;
        }
    };
    const candidates = [lockHolder(dir), read("emulator.pid"), readInfo(path.join(dir, "emulator.json"))?.pid].filter(
        (p): p is number => p !== undefined && alive(p) && isEmulatorProcess(p),
    );
    const pids = [...new Set(candidates)];
    if (pids.length === 0) {
        fs.rmSync(path.join(dir, "emulator.pid"), { force: true });
        return "not-running";
    }
    for (const pid of pids) process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (pids.some(alive)) return "still-running";
    fs.rmSync(path.join(dir, "emulator.pid"), { force: true });
    return "stopped";
}

// ---------------------------------------------------------------------------------------------- one start at a time

/**
 * Runs fn while holding <dir>/start.lock: a second `npm start` waits for the first (the same stack, the
 * same master database and the same emulator), then finds everything in place and changes nothing.
 */
export async function withStartLock<T>(
    dir: string,
    fn: () => Promise<T>,
    log: (m: string) => void = () => undefined,
    timeoutMs = 30 * 60_000,
): Promise<T> {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "start.lock");
    const deadline = Date.now() + timeoutMs;
    let told = false;
    let release = tryLockPidFile(file);
    while (typeof release !== "function") {
        if (!told) {
            log(`another npm start (pid ${release.holder}) is running on ${dir}; waiting for it to finish`);
            told = true;
        }
        if (Date.now() > deadline) throw new Error(`another npm start (pid ${release.holder}) still holds ${file}`);
        await new Promise((r) => setTimeout(r, 500));
        release = tryLockPidFile(file);
    }
    try {
        return await fn();
    } finally {
        release();
    }
}

// ---------------------------------------------------------------------------------------------- pulumi

function pulumi(
    record: EngineRecord,
    args: string[],
    opts: { stream?: boolean; allowFailure?: boolean; input?: string } = {},
): { code: number; stdout: string } {
    const r = spawnSync(record.pulumi, args, {
        cwd: ROOT,
        env: engine.pulumiEnv(record),
        encoding: "utf8",
        input: opts.input,
        stdio: opts.stream ? ["ignore", "inherit", "inherit"] : ["pipe", "pipe", "pipe"],
        maxBuffer: 64 * 1024 * 1024,
    });
    const code = r.status ?? 1;
    if (code !== 0 && !opts.allowFailure) {
        throw new Error(
            `pulumi ${args.join(" ")} failed (exit ${code})${opts.stream ? "" : `:\n${r.stderr}${r.stdout}`}`,
        );
    }
    return { code, stdout: r.stdout ?? "" };
}

/**
 * The stack config the provider needs to reach the emulator. qlik:allowTenantDeactivation is NOT here: it
 * is the operator's decision (resetting it made the documented offboarding loop forever).
 */
export function desiredConfig(
    emu: EmulatorInfo,
    template: { appId: string; version: string },
): { plain: Record<string, string>; secret: Record<string, string> } {
    return {
        plain: {
            "qlik:region": emu.region,
            "qlik:domain": emu.domain,
            "qlik:clientId": emu.oauthClient.clientId,
            "qlik:sourceTenantHost": emu.sourceTenant.hostname,
            "qlik:endpointOverride": emu.httpUrl,
            "fleet:templateAppId": template.appId,
            "fleet:templateVersion": template.version,
        },
        secret: { "qlik:clientSecret": emu.oauthClient.clientSecret },
    };
}

/** Where npm start records which keys it set (a digest of each value), in the stack's own config. */
export const MANAGED_KEY = "demo:setByNpmStart";
const digest = (v: string) => crypto.createHash("sha256").update(v).digest("hex").slice(0, 16);

export interface ConfigPlan {
    set: Record<string, { value: string; secret: boolean }>;
    /** Keys the user set to another value: kept, with what npm start would have set. */
    kept: string[];
    managed: Record<string, string>;
}

/**
 * Which keys npm start may write: a missing key, or one whose current value is still the one npm start
 * itself wrote last time (the emulator moved to another port, say). A key with any other value was set by
 * the user and is never overwritten. Pure, for the unit test.
 */
export function planConfig(
    current: Record<string, string | undefined>,
    want: ReturnType<typeof desiredConfig>,
    managedJson: string | undefined,
): ConfigPlan {
    let managed: Record<string, string> = {};
    try {
        managed = managedJson ? (JSON.parse(managedJson) as Record<string, string>) : {};
    } catch {
        managed = {};
    }
    const plan: ConfigPlan = { set: {}, kept: [], managed: { ...managed } };
    const consider = (k: string, v: string, secret: boolean) => {
        const cur = current[k];
        if (cur === v) {
            if (managed[k] !== undefined) plan.managed[k] = digest(v);
            return;
        }
        if (cur === undefined || cur === "" || managed[k] === digest(cur)) {
            plan.set[k] = { value: v, secret };
            plan.managed[k] = digest(v);
        } else {
            plan.kept.push(k);
            delete plan.managed[k];
        }
    };
    for (const [k, v] of Object.entries(want.plain)) consider(k, v, false);
    for (const [k, v] of Object.entries(want.secret)) consider(k, v, true);
    return plan;
}

/**
 * Versions before 0.2 committed Pulumi.dev.yaml (with this salt) and rewrote every key on each run, so in
 * that file, with no MANAGED_KEY yet, every key npm start writes still holds npm start's own value: they
 * are taken as its own, once, instead of being "kept" as the user's (which left a stale OAuth secret of an
 * earlier emulator in place and failed the first `up` after an upgrade). Any other stack file (the user's
 * own passphrase gives it another salt) keeps the rule that a key npm start did not record is the user's.
 */
const LEGACY_COMMITTED_SALT = "v1:tUF9cwAp0KI=:v1:mXJDh7me5F/jiEg4:tLTfOSTQxkGQrWY1dWE/QjC8RvfMQg==";

export function legacyManaged(
    current: Record<string, string | undefined>,
    want: ReturnType<typeof desiredConfig>,
    stackFile = path.join(ROOT, `Pulumi.${STACK}.yaml`),
): string | undefined {
    let text: string;
    try {
        text = fs.readFileSync(stackFile, "utf8");
    } catch {
        return undefined;
    }
    if (!text.includes(`encryptionsalt: ${LEGACY_COMMITTED_SALT}`)) return undefined;
    const keys = [...Object.keys(want.plain), ...Object.keys(want.secret)].filter(
        (k) => current[k] !== undefined && current[k] !== "",
    );
    return JSON.stringify(Object.fromEntries(keys.map((k) => [k, digest(current[k] as string)])));
}

function configureStack(
    record: EngineRecord,
    emu: EmulatorInfo,
    template: { appId: string; version: string },
): { changed: string[]; kept: string[] } {
    // Created with whatever passphrase the user set (PULUMI_CONFIG_PASSPHRASE[_FILE]); no committed stack file imposes a salt.
    pulumi(record, ["stack", "select", STACK, "--create", "--non-interactive"]);
    const raw = JSON.parse(pulumi(record, ["config", "--json", "--show-secrets"]).stdout || "{}") as Record<
        string,
        { value?: string }
    >;
    const current = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
    const want = desiredConfig(emu, template);
    // "{}" is what a run that kept every key recorded: for the legacy file that was the bug described above.
    const recorded = current[MANAGED_KEY];
    const plan = planConfig(
        current,
        want,
        recorded && recorded !== "{}" ? recorded : (legacyManaged(current, want) ?? recorded),
    );
    const pairs: string[] = [];
    for (const [k, { value, secret }] of Object.entries(plan.set))
        pairs.push(secret ? "--secret" : "--plaintext", `${k}=${value}`);
    pairs.push("--plaintext", `${MANAGED_KEY}=${JSON.stringify(plan.managed)}`);
    // set-all with key=value pairs: a generated secret starting with "-" is never read as a flag.
    if (Object.keys(plan.set).length || current[MANAGED_KEY] !== JSON.stringify(plan.managed))
        pulumi(record, ["config", "set-all", ...pairs]);
    return { changed: Object.keys(plan.set), kept: plan.kept };
}

// ---------------------------------------------------------------------------------------------- proof

interface StackOutputs {
    tenants?: Record<string, { hostname: string; tenantId: string; publishedAppId: string; reloadStatus: string }>;
    jwt?: Record<string, { keyId: string; issuer: string; privateKey?: string }>;
}

interface Seen {
    customer: CustomerRecord;
    user: CustomerRecord["users"][number];
    sees: Dashboard;
    truth: ReturnType<typeof businessTotals>;
}

async function proveAsUser(emu: EmulatorInfo, outputs: StackOutputs, customer: CustomerRecord): Promise<Seen> {
    const t = outputs.tenants?.[customer.alias];
    const key = outputs.jwt?.[customer.alias];
    const user = customer.users[0];
    if (!t || !key?.privateKey || !user)
        throw new Error(`stack outputs lack tenant/JWT key for ${customer.alias}, or it has no users`);
    const jwt = await signUserJwt(
        { privateKey: key.privateKey, keyId: key.keyId, issuer: key.issuer },
        { subject: user.subject, name: user.name, email: user.email, groups: user.groups },
    );
    const session = await jwtLogin(emu.httpUrl, t.hostname, jwt);
    info(`${user.name} (${user.subject}) logged in on ${t.hostname} with a JWT`);
    const doc = await openAppAsUser(emu.httpUrl, session, t.publishedAppId, {
        onWait: (ms) =>
            info(`  access to the published app not yet propagated (403), retrying... ${Math.round(ms / 1000)} s`),
    });
    try {
        const sees = await readDashboard(doc);
        const db = customer.connections.find((c) => c.datasourceId === "sqlite" && c.database)?.database;
        if (!db) throw new Error(`customer ${customer.alias} has no sqlite database to compare with`);
        return { customer, user, sees, truth: businessTotals(db) };
    } finally {
        await doc.close();
    }
}

const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function printProof(seen: Seen[]): boolean {
    const rows = [["", ...seen.map((s) => `${s.user.name} @ ${s.customer.name}`)]];
    rows.push(["orders in the app", ...seen.map((s) => String(s.sees.orders))]);
    rows.push(["orders in own DB", ...seen.map((s) => String(s.truth.orders))]);
    rows.push(["revenue in the app", ...seen.map((s) => money(s.sees.revenue))]);
    rows.push(["revenue in own DB", ...seen.map((s) => money(s.truth.amount))]);
    rows.push(["sheets", ...seen.map((s) => String(s.sees.sheets.length))]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) info(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("   "));
    const ok = seen.every((s) => s.sees.orders === s.truth.orders && Math.abs(s.sees.revenue - s.truth.amount) < 0.01);
    const distinct = new Set(seen.map((s) => s.sees.orders)).size === seen.length;
    info(
        ok && distinct
            ? "\x1b[32mOK\x1b[0m: each user sees exactly their own company's data"
            : "\x1b[31mMISMATCH\x1b[0m between the app and the customer's database",
    );
    return ok && distinct;
}

function pickUsers(customers: CustomerRecord[]): CustomerRecord[] {
    const preferred = ["acme", "globex"]
        .map((a) => customers.find((c) => c.alias === a))
        .filter((c): c is CustomerRecord => !!c);
    const pool = preferred.length === 2 ? preferred : customers;
    return pool.filter((c) => c.users.length > 0).slice(0, 2);
}

// ---------------------------------------------------------------------------------------------- main

/** npm start's flags (the header of this file); strict, so a mistyped flag fails instead of being ignored. */
function cliOptions(argv: string[]): { stop: boolean; port?: string; profile?: string } {
    const { values } = parseArgs({
        args: argv,
        options: { stop: { type: "boolean", default: false }, port: { type: "string" }, profile: { type: "string" } },
        strict: true,
        allowPositionals: false,
    });
    return { stop: values.stop ?? false, port: values.port, profile: values.profile };
}

function chosenPort(flag: string | undefined): number | undefined {
    const v = flag ?? process.env.QLIK_EMULATOR_PORT;
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
        throw new Error(`--port / QLIK_EMULATOR_PORT must be a TCP port (1-65535), got ${JSON.stringify(v)}`);
    return n;
}

async function main(): Promise<void> {
    const opts = cliOptions(process.argv.slice(2));
    if (opts.stop) {
        const r = await stopEmulator();
        console.log(
            r === "stopped"
                ? `emulator of ${EMU_DIR} stopped`
                : r === "not-running"
                  ? `no emulator running on ${EMU_DIR}`
                  : `the emulator of ${EMU_DIR} did not stop within 15 s; it is still running`,
        );
        if (r === "still-running") process.exitCode = 1;
        return;
    }
    const profileArg = opts.profile ?? process.env.QLIK_EMULATOR_PROFILE;
    if (profileArg !== undefined && profileArg !== "instant" && profileArg !== "realistic")
        throw new Error("--profile is instant or realistic");
    const port = chosenPort(opts.port);
    await withStartLock(EMU_DIR, () => run(port, profileArg as "instant" | "realistic" | undefined), info);
}

async function run(chosen: number | undefined, profile: "instant" | "realistic" | undefined): Promise<void> {
    const started = Date.now();
    step(1, "master database");
    const s = seed({ log: info });
    const customers = readMasterDb(s.masterDb);
    info(
        `${path.relative(ROOT, s.masterDb)}: ${customers.length} customers (${customers.map((c) => c.alias).join(", ")})${s.created ? ", created" : ""}`,
    );

    step(2, "Qlik Cloud emulator");
    const emu = await ensureEmulator({ log: info, port: chosen, profile });
    info(
        `${emu.started ? "started" : "reusing"} emulator pid ${emu.pid} at ${emu.info.httpUrl} (profile ${emu.info.profile}, source tenant ${emu.info.sourceTenant.hostname})`,
    );

    step(3, `template app "${TEMPLATE_APP_NAME}" in the source tenant`);
    const tpl = await placeTemplate({ info: emu.info, sampleDb: s.sampleDb, log: info });
    info(
        tpl.changes.length
            ? `placed: ${tpl.changes.join(", ")}`
            : `unchanged (app ${tpl.appId}, version ${tpl.version})`,
    );

    step(4, `pulumi up (stack ${STACK})`);
    const record = engine.readEngineRecord() ?? (await engine.ensureEngine());
    const { changed, kept } = configureStack(record, emu.info, tpl);
    if (changed.length) info(`stack config set: ${changed.join(", ")}`);
    if (kept.length)
        info(
            `kept your own value of ${kept.join(", ")} (npm start never overwrites a key you set; \`pulumi config rm <key>\` lets it set it again)`,
        );
    pulumi(record, ["up", "--yes", "--skip-preview", "--non-interactive", "--diff"], { stream: true });

    step(5, "proof: users log in with JWT single sign-on and open their dashboard");
    const outputs = JSON.parse(pulumi(record, ["stack", "output", "--json", "--show-secrets"]).stdout) as StackOutputs;
    const seen: Seen[] = [];
    for (const c of pickUsers(customers)) seen.push(await proveAsUser(emu.info, outputs, c));
    const ok = printProof(seen);

    console.log("\n\x1b[1mTenants\x1b[0m");
    for (const c of customers) {
        const t = outputs.tenants?.[c.alias];
        info(
            `${c.alias.padEnd(12)} ${(t?.hostname ?? "-").padEnd(30)} ${(t?.tenantId ?? "-").padEnd(34)} app ${t?.publishedAppId ?? "-"}  reload ${t?.reloadStatus ?? "-"}`,
        );
    }
    const host = outputs.tenants?.[customers[0]?.alias]?.hostname ?? "acme.us.qlikcloud.com";
    const port = new URL(emu.info.httpUrl).port;
    console.log(`
Next steps:
  see what would change:  npm run pulumi -- preview --diff
  make drift (rename a tenant behind Pulumi's back), then detect and repair it:
      node dist/scripts/makeDrift.js ${customers[0]?.alias ?? "acme"}      # or by hand with curl:
      TOKEN=$(curl -s --connect-to ${host}:80:127.0.0.1:${port} http://${host}/oauth/token -H 'content-type: application/json' \\
        -d "$(node -p 'const e=require("./.emulator/emulator.json").oauthClient; JSON.stringify({grant_type:"client_credentials",client_id:e.clientId,client_secret:e.clientSecret})')" \\
        | node -p 'JSON.parse(require("fs").readFileSync(0,"utf8")).access_token')
      curl -s --connect-to ${host}:80:127.0.0.1:${port} -X PATCH http://${host}/api/v1/tenants/${outputs.tenants?.[customers[0]?.alias]?.tenantId ?? "<tenantId>"} \\
        -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '[{"op":"replace","path":"/name","value":"drifted"}]'
      npm run pulumi -- refresh --diff        # shows the drift;  npm run pulumi -- up  repairs it
  stop the emulator:      node dist/scripts/start.js --stop   (or kill $(cat .emulator/emulator.pid))
Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (!ok) process.exitCode = 1;
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(`\nnpm start failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
    });
}
