// `npm start`: the whole story on one machine, offline.
//   1. seed the ISV's master database and the customers' business databases (.data/)
//   2. start the Qlik Cloud emulator in the background (or reuse the running one)
//   3. place the template app in the ISV's source tenant
//   4. point the `dev` stack at the emulator and run `pulumi up` (one tenant per customer)
//   5. prove it as the customers' users would: JWT login, open the published app, compare the numbers
// A second run reuses everything and `pulumi up` reports no changes.
// `node dist/scripts/start.js --stop` stops the background emulator.
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import type { EmulatorInfo } from "../emulator";
import { seed } from "./seed";
import { readMasterDb, type CustomerRecord } from "./seed/masterDb";
import { businessTotals } from "./seed/businessDb";
import { placeTemplate, TEMPLATE_APP_NAME } from "./template/place";
import { jwtLogin, openAppAsUser, readDashboard, signUserJwt, type Dashboard } from "../examples/fleet/userSession";

import { REPO_ROOT as ROOT, engine, type EngineRecord } from "./lib/repo";

const EMU_DIR = path.join(ROOT, ".emulator");
const INFO_FILE = path.join(EMU_DIR, "emulator.json");
const STACK = process.env.QLIK_FLEET_STACK || "dev";

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
    timeoutMs?: number;
    log?: (msg: string) => void;
}

/** Reuses the emulator of dataDir when it runs, else starts one detached (it outlives this script). */
export async function ensureEmulator(opts: EnsureEmulatorOptions = {}): Promise<{ info: EmulatorInfo; started: boolean; pid: number }> {
    const dir = opts.dataDir ?? EMU_DIR;
    const infoFile = path.join(dir, "emulator.json");
    const log = opts.log ?? (() => undefined);
    const previous = readInfo(infoFile);
    if (previous && alive(previous.pid) && (await probe(previous))) return { info: previous, started: false, pid: previous.pid };
    if (previous) {
        if (alive(previous.pid)) throw new Error(`process ${previous.pid} of ${infoFile} is alive but its emulator does not answer at ${previous.httpUrl}; stop it first`);
        fs.rmSync(infoFile, { force: true });   // left by a crash or kill -9
    }
    fs.mkdirSync(dir, { recursive: true });
    // Same port as last time when possible, so URLs in notes and shell history keep working.
    const lastPort = previous ? Number(new URL(previous.httpUrl).port) : 0;
    const port = await freePort([lastPort, 8080]);
    const out = fs.openSync(path.join(dir, "emulator.log"), "a");
    const child = spawn(process.execPath, [path.join(ROOT, "dist", "emulator", "cli.js"), "--port", String(port), "--data-dir", dir,
        "--profile", opts.profile ?? "realistic"], { cwd: ROOT, detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error("could not start the emulator process");
    fs.writeFileSync(path.join(dir, "emulator.pid"), `${pid}\n`);
    child.unref();
    log(`starting the emulator (pid ${pid}, port ${port}, log ${path.join(dir, "emulator.log")})`);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
        const cur = readInfo(infoFile);
        if (cur && cur.pid === pid && (await probe(cur))) return { info: cur, started: true, pid };
        if (!alive(pid)) throw new Error(`the emulator exited during start-up; see ${path.join(dir, "emulator.log")}`);
        if (Date.now() > deadline) throw new Error(`the emulator did not answer within ${opts.timeoutMs ?? 30_000} ms; see ${path.join(dir, "emulator.log")}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

/** Stops the background emulator of dataDir (SIGTERM: it closes cleanly and removes emulator.json). */
export async function stopEmulator(dir = EMU_DIR): Promise<boolean> {
    const pidText = fs.existsSync(path.join(dir, "emulator.pid")) ? fs.readFileSync(path.join(dir, "emulator.pid"), "utf8").trim() : "";
    const pid = Number(pidText) || readInfo(path.join(dir, "emulator.json"))?.pid;
    if (!pid || !alive(pid)) return false;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    fs.rmSync(path.join(dir, "emulator.pid"), { force: true });
    return !alive(pid);
}

// ---------------------------------------------------------------------------------------------- pulumi

function pulumi(record: EngineRecord, args: string[], opts: { stream?: boolean; allowFailure?: boolean; input?: string } = {}): { code: number; stdout: string } {
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
        throw new Error(`pulumi ${args.join(" ")} failed (exit ${code})${opts.stream ? "" : `:\n${r.stderr}${r.stdout}`}`);
    }
    return { code, stdout: r.stdout ?? "" };
}

/** The stack config the provider needs to reach the emulator; only changed keys are written. */
export function desiredConfig(emu: EmulatorInfo, template: { appId: string; version: string }): { plain: Record<string, string>; secret: Record<string, string> } {
    return {
        plain: {
            "qlik:region": emu.region,
            "qlik:domain": emu.domain,
            "qlik:clientId": emu.oauthClient.clientId,
            "qlik:sourceTenantHost": emu.sourceTenant.hostname,
            "qlik:endpointOverride": emu.httpUrl,
            "qlik:allowTenantDeactivation": "false",
            "fleet:templateAppId": template.appId,
            "fleet:templateVersion": template.version,
        },
        secret: { "qlik:clientSecret": emu.oauthClient.clientSecret },
    };
}

function configureStack(record: EngineRecord, emu: EmulatorInfo, template: { appId: string; version: string }): string[] {
    pulumi(record, ["stack", "select", STACK, "--create", "--non-interactive"]);
    const current = JSON.parse(pulumi(record, ["config", "--json", "--show-secrets"]).stdout || "{}") as Record<string, { value?: string }>;
    const want = desiredConfig(emu, template);
    const changed: string[] = [];
    for (const [k, v] of Object.entries(want.plain)) {
        if (current[k]?.value !== v) {
            pulumi(record, ["config", "set", k, v]);
            changed.push(k);
        }
    }
    for (const [k, v] of Object.entries(want.secret)) {
        if (current[k]?.value !== v) {
            // stdin, so the secret never shows in the process list
            pulumi(record, ["config", "set", "--secret", k], { input: v });
            changed.push(k);
        }
    }
    return changed;
}

// ---------------------------------------------------------------------------------------------- proof

interface StackOutputs {
    tenants?: Record<string, { hostname: string; tenantId: string; publishedAppId: string; reloadStatus: string }>;
    jwt?: Record<string, { keyId: string; issuer: string; privateKey?: string }>;
}

interface Seen { customer: CustomerRecord; user: CustomerRecord["users"][number]; sees: Dashboard; truth: ReturnType<typeof businessTotals> }

async function proveAsUser(emu: EmulatorInfo, outputs: StackOutputs, customer: CustomerRecord): Promise<Seen> {
    const t = outputs.tenants?.[customer.alias];
    const key = outputs.jwt?.[customer.alias];
    const user = customer.users[0];
    if (!t || !key?.privateKey || !user) throw new Error(`stack outputs lack tenant/JWT key for ${customer.alias}, or it has no users`);
    const jwt = signUserJwt({ privateKey: key.privateKey, keyId: key.keyId, issuer: key.issuer },
        { subject: user.subject, name: user.name, email: user.email, groups: user.groups });
    const session = await jwtLogin(emu.httpUrl, t.hostname, jwt);
    info(`${user.name} (${user.subject}) logged in on ${t.hostname} with a JWT`);
    const doc = await openAppAsUser(emu.httpUrl, session, t.publishedAppId, {
        onWait: (ms) => info(`  access to the published app not yet propagated (403), retrying... ${Math.round(ms / 1000)} s`),
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
    info(ok && distinct ? "\x1b[32mOK\x1b[0m: each user sees exactly their own company's data" : "\x1b[31mMISMATCH\x1b[0m between the app and the customer's database");
    return ok && distinct;
}

function pickUsers(customers: CustomerRecord[]): CustomerRecord[] {
    const preferred = ["acme", "globex"].map((a) => customers.find((c) => c.alias === a)).filter((c): c is CustomerRecord => !!c);
    const pool = preferred.length === 2 ? preferred : customers;
    return pool.filter((c) => c.users.length > 0).slice(0, 2);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
    if (process.argv.includes("--stop")) {
        console.log((await stopEmulator()) ? "emulator stopped" : "no emulator running");
        return;
    }
    const started = Date.now();
    step(1, "master database");
    const s = seed({ log: info });
    const customers = readMasterDb(s.masterDb);
    info(`${path.relative(ROOT, s.masterDb)}: ${customers.length} customers (${customers.map((c) => c.alias).join(", ")})${s.created ? ", created" : ""}`);

    step(2, "Qlik Cloud emulator");
    const emu = await ensureEmulator({ log: info });
    info(`${emu.started ? "started" : "reusing"} emulator pid ${emu.pid} at ${emu.info.httpUrl} (profile ${emu.info.profile}, source tenant ${emu.info.sourceTenant.hostname})`);

    step(3, `template app "${TEMPLATE_APP_NAME}" in the source tenant`);
    const tpl = await placeTemplate({ info: emu.info, sampleDb: s.sampleDb, log: info });
    info(tpl.changes.length ? `placed: ${tpl.changes.join(", ")}` : `unchanged (app ${tpl.appId}, version ${tpl.version})`);

    step(4, `pulumi up (stack ${STACK})`);
    const record = engine.readEngineRecord() ?? (await engine.ensureEngine());
    const changed = configureStack(record, emu.info, tpl);
    if (changed.length) info(`stack config set: ${changed.join(", ")}`);
    pulumi(record, ["up", "--yes", "--skip-preview", "--non-interactive", "--diff"], { stream: true });

    step(5, "proof: users log in with JWT single sign-on and open their dashboard");
    const outputs = JSON.parse(pulumi(record, ["stack", "output", "--json", "--show-secrets"]).stdout) as StackOutputs;
    const seen: Seen[] = [];
    for (const c of pickUsers(customers)) seen.push(await proveAsUser(emu.info, outputs, c));
    const ok = printProof(seen);

    console.log("\n\x1b[1mTenants\x1b[0m");
    for (const c of customers) {
        const t = outputs.tenants?.[c.alias];
        info(`${c.alias.padEnd(12)} ${(t?.hostname ?? "-").padEnd(30)} ${(t?.tenantId ?? "-").padEnd(34)} app ${t?.publishedAppId ?? "-"}  reload ${t?.reloadStatus ?? "-"}`);
    }
    const host = outputs.tenants?.[customers[0]?.alias]?.hostname ?? "acme.us.qlikcloud.com";
    const port = new URL(emu.info.httpUrl).port;
    console.log(`
Next steps:
  see what would change:  npm run pulumi -- preview --diff
  make drift (rename a tenant behind Pulumi's back), then detect and repair it:
      node dist/examples/fleet/makeDrift.js ${customers[0]?.alias ?? "acme"}      # or by hand with curl:
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
