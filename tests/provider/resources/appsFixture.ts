// Shared setup for the AppCopy / ManagedSpacePublish tests: an emulator, the provider pointed at it
// in-process, a template app (inline script + one sheet) in the source tenant, customer tenants, SQLite data.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import WebSocket = require("ws");
import Database = require("better-sqlite3");
import { startTestEmulator, providerEnvFor } from "../../e2e/emulatorFixture";
import type { RunningEmulator } from "../../../emulator/index";
import { call, tokenFor, type CallResult, type JsonBody } from "../../support/http";
import { resetProviderConfig } from "../../../provider/config";

const enigma = require("enigma.js");
const schema = require("enigma.js/schemas/12.2027.0.json");

export interface TenantRef {
    id: string;
    host: string;
    token: string;
}

export const TEMPLATE_SCRIPT = "Sales:\nLOAD * INLINE [\nregion, amount\nnorth, 10\nsouth, 20\n];\n";

export class AppsEnv {
    private savedEnv: NodeJS.ProcessEnv = {};
    readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-apps-"));
    source!: TenantRef;
    templateSpaceId = "";
    templateAppId = "";

    constructor(readonly emu: RunningEmulator) {}

    static async start(): Promise<AppsEnv> {
        const env = new AppsEnv(await startTestEmulator());
        env.useProvider();
        const host = env.emu.info.sourceTenant.hostname;
        env.source = {
            id: env.emu.info.sourceTenant.id,
            host,
            token: await tokenFor(env.emu.url, host, env.emu.info.oauthClient),
        };
        return env;
    }

    /** Point the in-process provider at this emulator (env vars; no configure() call). */
    useProvider(): void {
        resetProviderConfig();
        for (const [k, v] of Object.entries(providerEnvFor(this.emu))) {
            this.savedEnv[k] = process.env[k];
            process.env[k] = v;
        }
    }

    async close(): Promise<void> {
        for (const [k, v] of Object.entries(this.savedEnv)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        await this.emu.close();
        fs.rmSync(this.tmp, { recursive: true, force: true });
    }

    async req(t: { host: string; token: string }, method: string, p: string, body?: unknown): Promise<CallResult> {
        return call(this.emu.url, p, { method, host: t.host, token: t.token, body });
    }

    async ok(t: { host: string; token: string }, method: string, p: string, body?: unknown): Promise<JsonBody> {
        const r = await this.req(t, method, p, body);
        if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text}`);
        return r.body;
    }

    /** The ISV's template: a shared space, an app with an inline script, reloaded, and one sheet. */
    async makeTemplate(name = "Sales Template", script = TEMPLATE_SCRIPT): Promise<string> {
        if (!this.templateSpaceId) {
            this.templateSpaceId = (
                await this.ok(this.source, "POST", "/api/v1/spaces", { name: "ISV Templates", type: "shared" })
            ).id;
        }
        const app = await this.ok(this.source, "POST", "/api/v1/apps", {
            attributes: { name, spaceId: this.templateSpaceId },
        });
        const id = app.attributes.id as string;
        await this.ok(this.source, "POST", `/api/v1/apps/${id}/scripts`, { script });
        await this.createObject(this.source, id, {
            qInfo: { qId: "template-sheet-1", qType: "sheet" },
            qMetaDef: { title: "Overview" },
        });
        this.templateAppId = id;
        return id;
    }

    async newTenant(): Promise<TenantRef> {
        const reg = this.emu.info.registerHost;
        const regToken = await tokenFor(this.emu.url, reg, this.emu.info.oauthClient);
        const r = await call(this.emu.url, "/api/v1/tenants", {
            method: "POST",
            host: reg,
            token: regToken,
            body: { licenseKey: this.emu.info.licenseKey },
        });
        if (r.status !== 201) throw new Error(`tenant create ${r.status} ${r.text}`);
        const host = r.body.hostnames[0] as string;
        return { id: r.body.id, host, token: await tokenFor(this.emu.url, host, this.emu.info.oauthClient) };
    }

    /** A bearer token of the OAuth client for any tenant host (e.g. one a stack created). */
    async tokenFor(host: string): Promise<string> {
        return tokenFor(this.emu.url, host, this.emu.info.oauthClient);
    }

    async newGroup(t: TenantRef, name: string): Promise<string> {
        return (await this.ok(t, "POST", "/api/v1/groups", { name, status: "active" })).id;
    }

    /** A customer database: a SQLite file with a `sales` table. */
    sqliteDb(name = "customer.sqlite"): string {
        const file = path.join(this.tmp, name);
        const db = new Database(file);
        db.exec(
            "CREATE TABLE IF NOT EXISTS sales(region TEXT, amount INTEGER); DELETE FROM sales; INSERT INTO sales VALUES ('east', 5), ('west', 7), ('north', 1);",
        );
        db.close();
        return file;
    }

    private async session(t: { host: string; token: string }, appId: string) {
        const u = new URL(this.emu.url);
        const s = enigma.create({
            schema,
            url: `ws://${u.host}/app/${appId}`,
            createSocket: (url: string) =>
                new WebSocket(url, { headers: { host: t.host, authorization: `Bearer ${t.token}` } }),
        });
        const global = await s.open();
        return { s, doc: await global.openDoc(appId) };
    }

    async createObject(
        t: { host: string; token: string },
        appId: string,
        props: Record<string, unknown>,
    ): Promise<void> {
        const { s, doc } = await this.session(t, appId);
        try {
            await doc.createObject(props);
        } finally {
            await s.close();
        }
    }

    /** qId -> qType of every object in the app, through the engine. */
    async objects(t: { host: string; token: string }, appId: string): Promise<Record<string, string>> {
        const { s, doc } = await this.session(t, appId);
        try {
            const infos = (await doc.getAllInfos()) as { qId: string; qType: string }[];
            return Object.fromEntries(infos.map((i) => [i.qId, i.qType]));
        } finally {
            await s.close();
        }
    }

    async requests(since = 0): Promise<{ seq: number; method: string; host: string; path: string; status: number }[]> {
        const r = await call(this.emu.url, `/_emulator/requests?since=${since}`, { host: "127.0.0.1" });
        return r.body.data;
    }

    async lastSeq(): Promise<number> {
        const all = await this.requests();
        return all.length ? all[all.length - 1].seq : 0;
    }
}
