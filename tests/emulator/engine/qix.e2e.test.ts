// End-to-end: the real enigma.js client over ws against a running emulator (loopback, ephemeral port).
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database = require("better-sqlite3");
import WebSocket = require("ws");
import { Env } from "../content/helpers";

const enigma = require("enigma.js");
const schema = require("enigma.js/schemas/12.2027.0.json");

// enigma.js ships no TypeScript types: its session is typed by the QIX schema at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
function open(env: Env, appId: string, token: string): any {
    const u = new URL(env.emu.url);
    return enigma.create({
        schema,
        url: `ws://${u.host}/app/${appId}`,
        createSocket: (url: string) =>
            new WebSocket(url, { headers: { host: env.source.host, authorization: `Bearer ${token}` } }),
    });
}

describe("engine QIX over enigma.js", function () {
    this.timeout(30000);
    let env: Env;
    let dir: string;
    let appId: string;
    const rows: { id: number; customer: string; qty: number; price: number }[] = [];

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "e3-qix-"));
        const dbFile = path.join(dir, "sales.sqlite");
        const db = new Database(dbFile);
        db.exec("CREATE TABLE sales (id INTEGER, customer TEXT, qty INTEGER, price REAL)");
        const ins = db.prepare("INSERT INTO sales VALUES (?, ?, ?, ?)");
        for (let i = 1; i <= 40; i++) {
            const r = { id: i, customer: `C${i % 7}`, qty: (i * 13) % 17, price: ((i * 3) % 10) + 0.25 };
            rows.push(r);
            ins.run(r.id, r.customer, r.qty, r.price);
        }
        db.close();
        env = await Env.start();
        const sp = await env.req(env.source, "POST", "/api/v1/spaces", { name: "Sales", type: "shared" });
        expect(sp.status, sp.text).to.equal(201);
        const dc = await env.req(env.source, "POST", "/api/v1/data-connections", {
            datasourceID: "sqlite",
            qName: "salesdb",
            space: sp.body.id,
            connectionProperties: { database: dbFile },
        });
        expect(dc.status, dc.text).to.equal(201);
        const app = await env.req(env.source, "POST", "/api/v1/apps", {
            attributes: { name: "Sales app", spaceId: sp.body.id },
        });
        expect(app.status, app.text).to.equal(200);
        appId = app.body.attributes.id;
    });
    after(async () => {
        await env?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("opens the app, reloads from SQLite and evaluates aggregates", async () => {
        const session = open(env, appId, env.source.token);
        const global = await session.open();
        try {
            expect((await global.engineVersion()).qComponentVersion).to.be.a("string");
            const doc = await global.openDoc(appId);
            await doc.setScript(
                "LIB CONNECT TO 'Sales:salesdb';\nSales:\nLOAD id, customer, qty, price, qty * price as amount;\nSQL SELECT * FROM sales;\n",
            );
            expect(await doc.getScript()).to.contain("LIB CONNECT TO 'Sales:salesdb'");
            expect(await doc.doReload()).to.equal(true);
            await doc.doSave();
            const sum = rows.reduce((a, r) => a + r.qty, 0);
            expect(await doc.evaluate("Sum(qty)")).to.equal(String(sum));
            expect(await doc.evaluate("Count(id)")).to.equal(String(rows.length));
            expect(await doc.evaluate("Count(DISTINCT customer)")).to.equal(
                String(new Set(rows.map((r) => r.customer)).size),
            );
            expect(await doc.evaluate("Min(price)")).to.equal(String(Math.min(...rows.map((r) => r.price))));
            expect(await doc.evaluate("Max(qty)")).to.equal(String(Math.max(...rows.map((r) => r.qty))));
            const avg = rows.reduce((a, r) => a + r.qty, 0) / rows.length;
            expect(Number(await doc.evaluate("Avg(qty)"))).to.be.closeTo(avg, 1e-9);
            const amount = rows.reduce((a, r) => a + r.qty * r.price, 0);
            const ex = await doc.evaluateEx("Sum(qty * price)");
            expect(ex.qIsNumeric).to.equal(true);
            expect(ex.qNumber).to.be.closeTo(amount, 1e-9);
            expect(await doc.evaluate("Sum(amount)")).to.equal(await doc.evaluate("Sum(qty*price)"));
            const tk = await doc.getTablesAndKeys({ qcx: 0, qcy: 0 }, { qcx: 0, qcy: 0 }, 0, false, false);
            expect(tk.qtr[0].qName).to.equal("Sales");
            expect(tk.qtr[0].qNoOfRows).to.equal(rows.length);
            const layout = await doc.getAppLayout();
            expect(layout.qTitle).to.equal("Sales app");
            expect(layout.qHasData).to.equal(true);
            const conns = await doc.getConnections();
            expect(conns.map((c: { qName: string }) => c.qName)).to.include("salesdb");
            const sheet = await doc.createObject({ qInfo: { qType: "sheet" }, qMetaDef: { title: "My sheet" } });
            expect(sheet.genericType).to.equal("sheet");
            const sl = await sheet.getLayout();
            expect(sl.qMeta.title).to.equal("My sheet");
            await sheet.setProperties({ ...(await sheet.getProperties()), qMetaDef: { title: "Renamed" } });
            expect((await sheet.getLayout()).qMeta.title).to.equal("Renamed");
        } finally {
            await session.close();
        }
        // A new session sees the persisted sheet and data.
        const again = open(env, appId, env.source.token);
        const g2 = await again.open();
        try {
            const doc = await g2.openDoc(appId);
            const infos = await doc.getAllInfos();
            expect(infos.filter((i: { qType: string }) => i.qType === "sheet")).to.have.length(1);
            expect(await doc.evaluate("Count(id)")).to.equal(String(rows.length));
            const obj = await doc.getObject(infos[0].qId);
            expect((await obj.getLayout()).qMeta.title).to.equal("Renamed");
        } finally {
            await again.close();
        }
    });

    it("reports script errors, protocol errors and access denial", async () => {
        const session = open(env, appId, env.source.token);
        const global = await session.open();
        try {
            await global.getActiveDoc().then(
                () => expect.fail("no doc yet"),
                (e: { code: number }) => expect(e.code).to.equal(1007),
            );
            await global.openDoc("00000000-0000-0000-0000-000000000000").then(
                () => expect.fail("wrong app"),
                (e: { code: number }) => expect(e.code).to.equal(1003),
            );
            const doc = await global.openDoc(appId);
            const before = await doc.getScript();
            await doc.setScript("A: LOAD * RESIDENT Missing;");
            const ex = await doc.doReloadEx();
            expect(ex.qSuccess).to.equal(false);
            // A failed reload keeps the previous data.
            expect(await doc.evaluate("Count(id)")).to.equal(String(rows.length));
            await doc.setScript(before);
            const unknown = await session.send({ handle: 1, method: "NoSuchMethod", params: [] }).then(
                () => undefined,
                (e: { code: number }) => e,
            );
            expect(unknown.code).to.equal(-32601);
        } finally {
            await session.close();
        }
        const stranger = env.user(env.source, "stranger@example.com");
        const s2 = open(env, appId, stranger.token);
        const g = await s2.open();
        try {
            await g.openDoc(appId).then(
                () => expect.fail("should be denied"),
                (e: { code: number }) => expect(e.code).to.equal(5),
            );
        } finally {
            await s2.close();
        }
    });
});
