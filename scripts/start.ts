// `npm start`: the whole story on one machine, offline.
//   1. seed the ISV's master database and the customers' business databases (.data/)
//   2. start the Qlik Cloud emulator in the background (or reuse the running one)
//   3. place the template app (and the premium plan's "Sales Forecast") in the ISV's source tenant
//   4. point the `dev` stack at the emulator and run `pulumi up` (one tenant per customer)
//   5. prove it as the customers' users would: JWT login, open the published app, compare the numbers
// A second run reuses everything and `pulumi up` reports no changes.
// `node dist/scripts/start.js --stop` stops the background emulator.
//
// It never fights the user: it sets only the stack keys that are missing (or that it set itself and that
// still hold its value), runs one at a time per emulator folder (a second `npm start` waits for the
// first and then reuses everything), and keeps one emulator per data folder (emulator/dataDirLock.ts).
// The emulator process is scripts/demo/emulatorProcess.ts, the stack config scripts/demo/stackConfig.ts.
// Options: --port N / QLIK_EMULATOR_PORT (remembered in <data dir>/emulator.port),
//          --profile instant|realistic / QLIK_EMULATOR_PROFILE, QLIK_EMULATOR_DATA_DIR (default .emulator),
//          QLIK_FLEET_STACK (default dev), QLIK_FLEET_MASTER_DB (default .data/master.sqlite).
import * as path from "path";
import { parseArgs } from "util";
import type { EmulatorInfo } from "../emulator/index";
import { seed, registerRelease } from "./seed";
import { readMasterDb, type CustomerRecord } from "../examples/fleet/masterDb";
import { businessTotals } from "./seed/businessDb";
import { placeTemplate, TEMPLATE_APP_NAME } from "./template/place";
import { FORECAST_APP_NAME, FORECAST_OBJECTS, FORECAST_SCRIPT } from "./template/forecast";
import {
    jwtLogin,
    jwtSignerFromState,
    openAppAsUser,
    readDashboard,
    signUserJwt,
    type Dashboard,
    type ExportedResource,
} from "./userSession";
import { REPO_ROOT as ROOT, engine } from "./lib/repo";
import { EMU_DIR, ensureEmulator, stopEmulator, withStartLock } from "./demo/emulatorProcess";
import { configureStack, STACK } from "./demo/stackConfig";
import { pulumi } from "./demo/pulumiCli";

const step = (n: number, msg: string) => console.log(`\n\x1b[1m[${n}/5] ${msg}\x1b[0m`);
const info = (msg: string) => console.log(`      ${msg}`);

// ---------------------------------------------------------------------------------------------- proof

interface StackOutputs {
    tenants?: Record<
        string,
        {
            hostname: string;
            tenantId: string;
            publishedAppId: string;
            reloadStatus: string;
            plan?: string;
            ring?: string;
            extraApps?: Record<string, { publishedAppId: string; reloadStatus: string }>;
        }
    >;
}

interface Seen {
    customer: CustomerRecord;
    user: CustomerRecord["users"][number];
    sees: Dashboard;
    /** What the user sees in each extra app of the customer's plan (premium: forecast), by key. */
    extras: Record<string, Dashboard>;
    truth: ReturnType<typeof businessTotals>;
}

async function readApp(emu: EmulatorInfo, session: Awaited<ReturnType<typeof jwtLogin>>, appId: string) {
    const doc = await openAppAsUser(emu.httpUrl, session, appId, {
        onWait: (ms) =>
            info(`  access to the published app not yet propagated (403), retrying... ${Math.round(ms / 1000)} s`),
    });
    try {
        return await readDashboard(doc);
    } finally {
        await doc.close();
    }
}

async function proveAsUser(
    emu: EmulatorInfo,
    outputs: StackOutputs,
    state: ExportedResource[],
    customer: CustomerRecord,
): Promise<Seen> {
    const t = outputs.tenants?.[customer.alias];
    // The fleet program names each CustomerTenant after its alias; its identity provider holds the key.
    const signer = jwtSignerFromState(state, customer.alias);
    const user = customer.users[0];
    if (!t || !signer || !user)
        throw new Error(`the stack lacks the tenant or JWT key of ${customer.alias}, or it has no users`);
    const jwt = await signUserJwt(signer, {
        subject: user.subject,
        name: user.name,
        email: user.email,
        groups: user.groups,
    });
    const session = await jwtLogin(emu.httpUrl, t.hostname, jwt);
    info(`${user.name} (${user.subject}) logged in on ${t.hostname} with a JWT (plan ${customer.plan.name})`);
    const sees = await readApp(emu, session, t.publishedAppId);
    const extras: Record<string, Dashboard> = {};
    for (const a of customer.plan.apps) {
        const extra = t.extraApps?.[a.key];
        if (!extra)
            throw new Error(`stack outputs lack ${customer.alias}'s ${a.key} app of plan ${customer.plan.name}`);
        extras[a.key] = await readApp(emu, session, extra.publishedAppId);
    }
    const db = customer.connections.find((c) => c.datasourceId === "sqlite" && c.database)?.database;
    if (!db) throw new Error(`customer ${customer.alias} has no sqlite database to compare with`);
    return { customer, user, sees, extras, truth: businessTotals(db) };
}

const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function printProof(seen: Seen[]): boolean {
    const rows = [["", ...seen.map((s) => `${s.user.name} @ ${s.customer.name}`)]];
    rows.push(["plan (ring)", ...seen.map((s) => `${s.customer.plan.name} (${s.customer.ring})`)]);
    rows.push(["orders in the app", ...seen.map((s) => String(s.sees.orders))]);
    rows.push(["orders in own DB", ...seen.map((s) => String(s.truth.orders))]);
    rows.push(["revenue in the app", ...seen.map((s) => money(s.sees.revenue))]);
    rows.push(["revenue in own DB", ...seen.map((s) => money(s.truth.amount))]);
    rows.push(["sheets", ...seen.map((s) => String(s.sees.sheets.length))]);
    const extraKeys = [...new Set(seen.flatMap((s) => Object.keys(s.extras)))].sort();
    for (const k of extraKeys) {
        rows.push([
            `${k} app: orders`,
            ...seen.map((s) => (s.extras[k] ? String(s.extras[k].orders) : "- (not in plan)")),
        ]);
        rows.push([`${k} app: revenue`, ...seen.map((s) => (s.extras[k] ? money(s.extras[k].revenue) : "-"))]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) info(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("   "));
    const own = (d: Dashboard, s: Seen) => d.orders === s.truth.orders && Math.abs(d.revenue - s.truth.amount) < 0.01;
    const ok = seen.every((s) => own(s.sees, s) && Object.values(s.extras).every((d) => own(d, s)));
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
        `${path.relative(ROOT, s.masterDb)}: ${customers.length} customers (${customers.map((c) => `${c.alias}: ${c.plan.name}/${c.ring}`).join(", ")})${s.created ? ", created" : ""}`,
    );

    step(2, "Qlik Cloud emulator");
    const emu = await ensureEmulator({ log: info, port: chosen, profile });
    info(
        `${emu.started ? "started" : "reusing"} emulator pid ${emu.pid} at ${emu.info.httpUrl} (profile ${emu.info.profile}, source tenant ${emu.info.sourceTenant.hostname})`,
    );

    step(3, `template apps "${TEMPLATE_APP_NAME}" and "${FORECAST_APP_NAME}" in the source tenant`);
    const tpl = await placeTemplate({ info: emu.info, sampleDb: s.sampleDb, log: info });
    info(
        tpl.changes.length
            ? `placed: ${tpl.changes.join(", ")}`
            : `unchanged (app ${tpl.appId}, version ${tpl.version})`,
    );
    await registerRelease(s.masterDb, { version: tpl.version, appName: TEMPLATE_APP_NAME });
    // The premium plan's extra template (plan_apps): placed where the main one is, by the same code.
    const forecast = await placeTemplate({
        info: emu.info,
        sampleDb: s.sampleDb,
        appName: FORECAST_APP_NAME,
        script: FORECAST_SCRIPT,
        objects: FORECAST_OBJECTS,
        log: info,
    });
    info(
        forecast.changes.length
            ? `placed "${FORECAST_APP_NAME}": ${forecast.changes.join(", ")}`
            : `"${FORECAST_APP_NAME}" unchanged (app ${forecast.appId})`,
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
    const outputs = JSON.parse(pulumi(record, ["stack", "output", "--json"]).stdout) as StackOutputs;
    // The JWT private keys are stored once, in the identity providers' state (docs/state-size.md); read in-process only.
    const exported = JSON.parse(pulumi(record, ["stack", "export", "--show-secrets"]).stdout) as {
        deployment?: { resources?: ExportedResource[] };
    };
    const state = exported.deployment?.resources ?? [];
    const seen: Seen[] = [];
    for (const c of pickUsers(customers)) seen.push(await proveAsUser(emu.info, outputs, state, c));
    const ok = printProof(seen);

    console.log("\n\x1b[1mTenants\x1b[0m");
    for (const c of customers) {
        const t = outputs.tenants?.[c.alias];
        const extras = Object.keys(t?.extraApps ?? {});
        info(
            `${c.alias.padEnd(12)} ${`${c.plan.name}/${c.ring}`.padEnd(18)} ${(t?.hostname ?? "-").padEnd(30)} ${(t?.tenantId ?? "-").padEnd(34)} app ${t?.publishedAppId ?? "-"}  reload ${t?.reloadStatus ?? "-"}${extras.length ? `  + ${extras.join(", ")}` : ""}`,
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
