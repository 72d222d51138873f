import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database = require("better-sqlite3");
import { reloadsModel } from "../../../emulator/apis/reloads/model";
import { appsModel } from "../../../emulator/apis/apps/model";
import type { ReloadRunner } from "../../../emulator/engine/reloadRunner";
import { Env, until } from "./helpers";

async function terminal(env: Env, id: string): Promise<{ status: string; log: string; errorMessage?: string }> {
    return until(async () => {
        const r = await env.req(env.source, "GET", `/api/v1/reloads/${id}`);
        return ["SUCCEEDED", "FAILED", "CANCELED"].includes(r.body.status) ? r.body : undefined;
    });
}

describe("emulator content: reloads", () => {
    let env: Env;
    let dir: string;
    before(async () => {
        env = await Env.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qlik-emu-reload-"));
    });
    after(async () => {
        reloadsModel(env.emu.emu).setRunner(undefined);
        await env.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lifecycle with an injected runner: QUEUED -> SUCCEEDED, tables stored, logs, cancel 409 when finished", async () => {
        const t = env.source;
        const seen: string[] = [];
        const fake: ReloadRunner = async (script) => {
            seen.push(script);
            return {
                ok: true,
                tables: [{ name: "T", fields: ["a"], rows: [[1], [2]] }],
                log: "T << AUTOGENERATE\nLines fetched: 2",
            };
        };
        reloadsModel(env.emu.emu).setRunner(fake);
        const app = (await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "R" } })).body.attributes;
        await env.req(t, "POST", `/api/v1/apps/${app.id}/scripts`, { script: "T: LOAD 1 AS a AUTOGENERATE 2;" });
        const q = await env.req(t, "POST", "/api/v1/reloads", { appId: app.id });
        expect(q.status).to.equal(201);
        expect(q.body.status).to.equal("QUEUED");
        expect(q.body.id).to.match(/^[0-9a-f]{24}$/);
        const done = await terminal(env, q.body.id);
        expect(done.status).to.equal("SUCCEEDED");
        expect(done.log).to.match(/^ReloadID: [0-9a-f]{24}\nStarted loading\n/);
        expect(done.log).to.include("Lines fetched: 2").and.include("Finished successfully");
        expect(seen).to.deep.equal(["T: LOAD 1 AS a AUTOGENERATE 2;"]);
        expect(appsModel(env.emu.emu).find(t.id, app.id)!.tables[0].rows).to.have.length(2);
        expect((await env.req(t, "GET", `/api/v1/apps/${app.id}`)).body.attributes.lastReloadTime).to.not.equal("");
        const logs = await env.req(t, "GET", `/api/v1/apps/${app.id}/reloads/logs`);
        expect(logs.body.data[0].reloadId).to.equal(q.body.id);
        const text = await env.req(t, "GET", `/api/v1/apps/${app.id}/reloads/logs/${q.body.id}`);
        expect(text.headers["content-type"]).to.match(/^text\/plain/);
        expect(text.text).to.include("Finished successfully");
        const list = await env.req(t, "GET", `/api/v1/reloads?appId=${app.id}`);
        expect(list.body.data).to.have.length(1);
        expect(list.body.data[0]).to.not.have.property("log");
        expect((await env.req(t, "POST", `/api/v1/reloads/${q.body.id}/actions/cancel`)).status).to.equal(409);
        expect((await env.req(t, "POST", "/api/v1/reloads", {})).status).to.equal(400);
        expect(
            (await env.req(t, "POST", "/api/v1/reloads", { appId: "00000000-0000-0000-0000-000000000000" })).status,
        ).to.equal(403);
    });

    it("a queued or running reload can be canceled (202 -> CANCELED)", async () => {
        const t = env.source;
        // The script only returns once the cancel was answered: with an instant runner the reload could finish
        // before the cancel request arrives (a race, not a behaviour).
        let release!: () => void;
        const gate = new Promise<void>((r) => {
            release = r;
        });
        reloadsModel(env.emu.emu).setRunner(async () => {
            await gate;
            return { ok: true, tables: [], log: "" };
        });
        const app = (await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "C" } })).body.attributes;
        const q = await env.req(t, "POST", "/api/v1/reloads", { appId: app.id });
        const c = await env.req(t, "POST", `/api/v1/reloads/${q.body.id}/actions/cancel`);
        release();
        expect(c.status).to.equal(202);
        expect((await terminal(env, q.body.id)).status).to.equal("CANCELED");
    });

    it("real engine: reload from a SQLite file through a sqlite data connection; failure carries line and message", async () => {
        reloadsModel(env.emu.emu).setRunner(undefined); // the engine's runScript
        const file = path.join(dir, "crm.sqlite");
        const db = new Database(file);
        db.exec(
            "CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech');",
        );
        db.close();
        const t = env.source;
        const space = (await env.req(t, "POST", "/api/v1/spaces", { name: "Analytics", type: "shared" })).body;
        const dc = await env.req(t, "POST", "/api/v1/data-connections", {
            datasourceID: "sqlite",
            qName: "crm",
            space: space.id,
            connectionProperties: { database: file },
        });
        expect(dc.status).to.equal(201);
        const app = (await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "CRM", spaceId: space.id } })).body
            .attributes;
        await env.req(t, "POST", `/api/v1/apps/${app.id}/scripts`, {
            script: "LIB CONNECT TO 'Analytics:crm';\nCustomers:\nSQL SELECT id, name FROM customers;\n",
        });
        const ok = await terminal(env, (await env.req(t, "POST", "/api/v1/reloads", { appId: app.id })).body.id);
        expect(ok.status, ok.log).to.equal("SUCCEEDED");
        const tables = appsModel(env.emu.emu).find(t.id, app.id)!.tables;
        const customers = tables.find((x) => x.name === "Customers");
        expect(customers?.rows).to.have.length(3);

        await env.req(t, "POST", `/api/v1/apps/${app.id}/scripts`, {
            script: "LIB CONNECT TO 'Analytics:crm';\nX:\nSQL SELECT nope FROM missing;\n",
        });
        const bad = await terminal(env, (await env.req(t, "POST", "/api/v1/reloads", { appId: app.id })).body.id);
        expect(bad.status).to.equal("FAILED");
        expect(bad.errorMessage, JSON.stringify(bad)).to.match(/no such table: missing \(script line 2\)/);
        expect(bad.log).to.include("Error:");
        // data of the last successful reload is kept
        expect(
            appsModel(env.emu.emu)
                .find(t.id, app.id)!
                .tables.find((x) => x.name === "Customers")?.rows,
        ).to.have.length(3);
    });
});
