// A small fleet for the examples' end-to-end tests: an in-process emulator (instant profile), a temp master
// database with two customers (small business databases, plan standard unless asked), the template placed in
// the source tenant (and registered as a release), and a TempProject whose program IS the real stack program
// (dist/examples/fleet/index.js).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startTestEmulator, stackConfigFor } from "./emulatorFixture";
import { TempProject, REPO_ROOT } from "./harness";
import type { RunningEmulator } from "../../emulator/index";
import { seed, seedPostgres, registerRelease, DEMO_CUSTOMERS, type DemoCustomer } from "../../scripts/seed";
import { loadCustomers, type CustomerRecord } from "../../examples/fleet/masterDb";
import { startTestPostgres, type TestPostgres } from "../fixtures/postgres";
import { businessTotals } from "../../scripts/seed/businessDb";
import { placeTemplate, TEMPLATE_APP_NAME, type PlacedTemplate } from "../../scripts/template/place";
import { FORECAST_APP_NAME, FORECAST_OBJECTS, FORECAST_SCRIPT } from "../../scripts/template/forecast";
import {
    jwtLogin,
    jwtSignerFromState,
    openAppAsUser,
    readDashboard,
    signUserJwt,
    type Dashboard,
    type JwtSigner,
} from "../../scripts/userSession";
import type { QixDoc } from "../../scripts/template/qix";

export interface TenantOutputs {
    hostname: string;
    tenantId: string;
    publishedAppId: string;
    reloadStatus: string;
    plan: string;
    ring: string;
    templateVersion: string;
    extraApps: Record<string, { publishedAppId: string; reloadStatus: string }>;
    lastGate: { templateVersion: string; gate: "passed" | "failed"; detail: string; checkedAt: string } | null;
}

export interface StackOutputs {
    tenants: Record<string, TenantOutputs>;
    /** The private key is not an output: `signer(alias)` reads it from the state (docs/state-size.md). */
    jwt: Record<string, { keyId: string; issuer: string }>;
}

/**
 * Demo customers with small data, so a reload is instant; on plan `standard` (the demo's premium customer too)
 * unless `plan` says otherwise, so that a suite gets the plan pieces it asks for and no more. Rings as in the demo.
 */
export function smallCustomer(alias: string, orders = 120, plan = "standard"): DemoCustomer {
    const c = DEMO_CUSTOMERS.find((x) => x.alias === alias);
    if (!c) throw new Error(`no demo customer ${alias}`);
    return { ...c, plan, data: { seed: alias, orders, accounts: 10 } };
}

export interface FleetOptions {
    /**
     * Where the master database lives. "postgres": a real PostgreSQL engine (PGlite) on a loopback port;
     * the stack gets its URL without the password in fleet:masterDb and the password as the secret
     * fleet:masterDbPassword, as docs/master-database.md recommends.
     */
    masterDb?: "sqlite" | "postgres";
    /** Plan per alias (default standard). */
    plans?: Record<string, string>;
    /** Place the premium plan's "Sales Forecast" template too (implied by a non-standard plan). */
    forecast?: boolean;
}

export class Fleet {
    private constructor(
        readonly emu: RunningEmulator,
        readonly dir: string,
        /** The SQLite file, or the PostgreSQL URL (with its password). */
        readonly masterDb: string,
        readonly project: TempProject,
        public template: PlacedTemplate,
        readonly sampleDb: string,
        readonly postgres?: TestPostgres,
    ) {}

    static async start(aliases: string[], opts: FleetOptions = {}): Promise<Fleet> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-fleet-"));
        const customers = aliases.map((a, i) => smallCustomer(a, 100 + 37 * i, opts.plans?.[a]));
        const postgres = opts.masterDb === "postgres" ? await startTestPostgres() : undefined;
        const s = postgres
            ? await seedPostgres(postgres.url, { dataDir: dir, customers })
            : seed({ masterDb: path.join(dir, "master.sqlite"), customers });
        const masterDb = postgres ? postgres.url : s.masterDb;
        const emu = await startTestEmulator();
        const template = await placeTemplate({ info: emu.info, sampleDb: s.sampleDb });
        await registerRelease(masterDb, { version: template.version, appName: TEMPLATE_APP_NAME });
        if (opts.forecast || Object.values(opts.plans ?? {}).some((p) => p !== "standard"))
            await placeTemplate({
                info: emu.info,
                sampleDb: s.sampleDb,
                appName: FORECAST_APP_NAME,
                script: FORECAST_SCRIPT,
                objects: FORECAST_OBJECTS,
            });
        const program = path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js");
        const project = new TempProject({
            name: "fleet",
            program: `module.exports = require(${JSON.stringify(program)});\n`,
        });
        const cfg = stackConfigFor(emu);
        await project.initStack(
            "test",
            {
                ...cfg.config,
                "qlik:allowTenantDeactivation": "false",
                "fleet:masterDb": postgres
                    ? postgres.url.replace(`:${encodeURIComponent(postgres.password)}@`, "@")
                    : masterDb,
                "fleet:templateAppId": template.appId,
                "fleet:templateVersion": template.version,
            },
            { ...cfg.secrets, ...(postgres ? { "fleet:masterDbPassword": postgres.password } : {}) },
        );
        return new Fleet(emu, dir, masterDb, project, template, s.sampleDb, postgres);
    }

    customers(): Promise<CustomerRecord[]> {
        return loadCustomers(this.masterDb);
    }

    async outputs(): Promise<StackOutputs> {
        return JSON.parse(
            (await this.project.run(["stack", "output", "--json", "--show-secrets"])).stdout,
        ) as StackOutputs;
    }

    /** How the customer's logins are signed: its identity provider's key, from the state (`stack export --show-secrets`). */
    async signer(alias: string): Promise<JwtSigner> {
        const exported = JSON.parse((await this.project.run(["stack", "export", "--show-secrets"])).stdout);
        const signer = jwtSignerFromState(exported.deployment?.resources ?? [], alias);
        if (!signer) throw new Error(`the stack's state holds no JWT key of ${alias}`);
        return signer;
    }

    /**
     * The customer's first user logs in with a JWT and opens the published app (or the plan's extra app `appKey`).
     * Caller closes the doc.
     */
    async openAs(alias: string, outputs?: StackOutputs, appKey?: string): Promise<QixDoc> {
        const out = outputs ?? (await this.outputs());
        const c = (await this.customers()).find((x) => x.alias === alias);
        if (!c) throw new Error(`no customer ${alias} in the master database`);
        const t = out.tenants[alias];
        const key = await this.signer(alias);
        const appId = appKey ? t.extraApps?.[appKey]?.publishedAppId : t.publishedAppId;
        if (!appId) throw new Error(`the stack outputs of ${alias} have no published app ${appKey ?? "(main)"}`);
        const session = await jwtLogin(this.emu.url, t.hostname, await signUserJwt(key, c.users[0]));
        return openAppAsUser(this.emu.url, session, appId, { maxWaitMs: 15_000 });
    }

    async dashboardOf(
        alias: string,
        outputs?: StackOutputs,
        appKey?: string,
    ): Promise<{ sees: Dashboard; truth: ReturnType<typeof businessTotals> }> {
        const doc = await this.openAs(alias, outputs, appKey);
        try {
            const sees = await readDashboard(doc);
            const db = (await this.customers()).find((x) => x.alias === alias)!.connections[0].database!;
            return { sees, truth: businessTotals(db) };
        } finally {
            await doc.close();
        }
    }

    /** Each customer's first user opens the published app and sees exactly their own database's orders and revenue. */
    async expectEachSeesOwnData(aliases: string[], outputs?: StackOutputs): Promise<void> {
        const out = outputs ?? (await this.outputs());
        for (const alias of aliases) {
            expect(out.tenants[alias].reloadStatus, `reload of ${alias}`).to.equal("SUCCEEDED");
            const d = await this.dashboardOf(alias, out);
            expect(d.sees.orders, `orders ${alias} sees`).to.equal(d.truth.orders);
            expect(d.sees.revenue, `revenue ${alias} sees`).to.be.closeTo(d.truth.amount, 0.01);
        }
    }

    async close(): Promise<void> {
        try {
            await this.emu.close();
            await this.postgres?.close();
        } finally {
            this.project.cleanup();
            fs.rmSync(this.dir, { recursive: true, force: true });
        }
    }
}
