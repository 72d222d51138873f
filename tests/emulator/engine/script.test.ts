import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database = require("better-sqlite3");
import { runScript } from "../../../emulator/engine/reloadRunner";
import type { ReloadRunContext, ResolvedConnection } from "../../../emulator/engine/reloadRunner";
import { expandVariables, splitStatements } from "../../../emulator/engine/script/lexer";
import { parseStatement } from "../../../emulator/engine/script/parser";

function ctx(conns: Record<string, ResolvedConnection> = {}): ReloadRunContext & { asked: string[] } {
    const asked: string[] = [];
    return {
        tenantId: "t1",
        asked,
        resolveConnection(name, space) {
            asked.push(`${space ?? ""}:${name}`);
            return conns[`${space ?? ""}:${name}`];
        },
    };
}

describe("engine/script lexer and parser", () => {
    it("splits statements, drops comments and keeps line numbers", () => {
        const st = splitStatements(
            "// head\nSET a = 1;\n/* block\ncomment */ LET b = 2;\nT: LOAD * INLINE [\nx;y\n1;2\n] (delimiter is ';');",
        );
        expect(st.map((s) => s.line)).to.deep.equal([2, 4, 5]);
        expect(st[2].text).to.contain("x;y");
    });

    it("reports unexpected tokens the way Qlik does", () => {
        expect(() => parseStatement("LOAD a b FROM x", 7)).to.throw("Unexpected token: 'b'");
        try {
            parseStatement("LOAD a,\n ) RESIDENT T", 3);
        } catch (e) {
            expect((e as { line: number }).line).to.equal(4);
        }
    });

    it("expands $(var) and $(=expr)", () => {
        const vars = new Map([
            ["vA", "10"],
            ["vName", "Orders"],
        ]);
        expect(
            expandVariables("LOAD * RESIDENT $(vName) WHERE x > $(vA) + $(=1+1)$(missing);", vars, () => "2"),
        ).to.equal("LOAD * RESIDENT Orders WHERE x > 10 + 2;");
    });
});

describe("engine/script interpreter", () => {
    let dir: string;
    let dbFile: string;
    const products = [
        ["A", 2.5],
        ["B", 4],
        ["C", 10],
    ] as const;
    const orders: [number, string, number][] = [];
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "e3-script-"));
        dbFile = path.join(dir, "shop.sqlite");
        const db = new Database(dbFile);
        db.exec(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, product TEXT, qty INTEGER); CREATE TABLE products (product TEXT, price REAL)",
        );
        for (let i = 1; i <= 25; i++) orders.push([i, products[i % 3][0], (i * 7) % 11]);
        const ins = db.prepare("INSERT INTO orders VALUES (?, ?, ?)");
        for (const o of orders) ins.run(...o);
        for (const p of products) db.prepare("INSERT INTO products VALUES (?, ?)").run(...p);
        db.close();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const sqlite = () => ({
        "Sales:shop": { datasourceID: "sqlite", connectionProperties: { database: dbFile }, qConnectStatement: "" },
    });

    it("loads INLINE data with numbers and text, default and custom delimiter", async () => {
        const r = await runScript(
            "T: LOAD * INLINE [\nName, Qty\nA, 1\n'B, b', 2.5\n];\nU: LOAD * INLINE [\na|b\nx|007\n] (delimiter is '|');",
            ctx(),
        );
        expect(r.ok, r.log).to.equal(true);
        expect(r.tables[0]).to.deep.equal({
            name: "T",
            fields: ["Name", "Qty"],
            rows: [
                ["A", 1],
                ["B, b", 2.5],
            ],
        });
        expect(r.tables[1].rows).to.deep.equal([["x", "007"]]);
        expect(r.log).to.contain("T << INLINE\nLines fetched: 2");
        expect(r.log).to.match(/App saved\n\nFinished successfully/);
    });

    it("runs SQL SELECT with a preceding LOAD against a read-only SQLite connection", async () => {
        const c = ctx(sqlite());
        const r = await runScript(
            [
                "LIB CONNECT TO 'Sales:shop';",
                "Orders:",
                "LOAD id as OrderId, product as Product, qty * 2 as Double WHERE qty > 3;",
                "SQL SELECT id, product, qty FROM orders;",
                "DISCONNECT;",
            ].join("\n"),
            c,
        );
        expect(r.ok, r.log).to.equal(true);
        expect(c.asked).to.deep.equal(["Sales:shop"]);
        const expected = orders.filter((o) => o[2] > 3).map((o) => [o[0], o[1], o[2] * 2]);
        expect(r.tables).to.have.length(1);
        expect(r.tables[0].fields).to.deep.equal(["OrderId", "Product", "Double"]);
        expect(r.tables[0].rows).to.deep.equal(expected);
        expect(r.log).to.contain(`Orders << orders\nLines fetched: ${expected.length}`);
    });

    it("RESIDENT with WHERE, DROP TABLE, SET/LET expansion, TRACE and EXIT SCRIPT", async () => {
        const r = await runScript(
            [
                "SET vMin = 2;",
                "LET vTwice = $(vMin) * 2;",
                "Src: LOAD * INLINE [",
                "k, v",
                "1, 1",
                "2, 3",
                "3, 5",
                "];",
                "Big: NoConcatenate LOAD k, v * 10 as v10 RESIDENT Src WHERE v >= $(vTwice) - 1;",
                "LET vRows = NoOfRows('Big');",
                "TRACE rows=$(vRows);",
                "DROP TABLE Src;",
                "EXIT SCRIPT;",
                "this is not a statement;",
            ].join("\n"),
            ctx(),
        );
        expect(r.ok, r.log).to.equal(true);
        expect(r.tables).to.deep.equal([
            {
                name: "Big",
                fields: ["k", "v10"],
                rows: [
                    [2, 30],
                    [3, 50],
                ],
            },
        ]);
        expect(r.log).to.contain("rows=2");
    });

    it("auto-concatenates a load with the same fields", async () => {
        const r = await runScript("A: LOAD * INLINE [\nx, y\n1, 2\n];\nB: LOAD * INLINE [\ny, x\n3, 4\n];", ctx());
        expect(r.tables).to.deep.equal([
            {
                name: "A",
                fields: ["x", "y"],
                rows: [
                    [1, 2],
                    [4, 3],
                ],
            },
        ]);
    });

    it("fails with the line and Qlik's message for missing tables and fields", async () => {
        const r1 = await runScript("A: LOAD * INLINE [\nx\n1\n];\n\nB: LOAD * RESIDENT Nope;", ctx());
        expect(r1.ok).to.equal(false);
        expect(r1.error).to.deep.equal({ line: 6, message: "Table 'Nope' not found" });
        expect(r1.log).to.contain("The following error occurred:\nTable 'Nope' not found");
        expect(r1.log).to.contain("Execution Failed");
        expect(r1.tables).to.deep.equal([]);
        const r2 = await runScript("A: LOAD * INLINE [\nx\n1\n];\nB: LOAD y RESIDENT A;", ctx());
        expect(r2.error).to.deep.equal({ line: 5, message: "Field 'y' not found" });
        const r3 = await runScript("SET a = 1;\nLOAD x y RESIDENT A;", ctx());
        expect(r3.error?.line).to.equal(2);
        expect(r3.error?.message).to.match(/^Unexpected token: 'y'/);
    });

    it("fails with connector errors: unknown connection, non-sqlite source, bad SQL", async () => {
        const r1 = await runScript("LIB CONNECT TO 'Sales:missing';", ctx());
        expect(r1.error).to.deep.equal({ line: 1, message: "Connection 'Sales:missing' not found" });
        const r2 = await runScript(
            "LIB CONNECT TO 'pg';",
            ctx({ ":pg": { datasourceID: "postgres", connectionProperties: {}, qConnectStatement: "" } }),
        );
        expect(r2.error?.message).to.match(/^Connector connect error: /);
        const r3 = await runScript("LIB CONNECT TO 'Sales:shop';\nSQL SELECT * FROM nope;", ctx(sqlite()));
        expect(r3.error?.line).to.equal(2);
        expect(r3.error?.message).to.equal(
            "Connector reply error: SQL##f - SqlState: S1000, ErrorCode: 1, ErrorMsg: no such table: nope",
        );
        const r4 = await runScript("LIB CONNECT TO 'Sales:shop';\nSQL DELETE FROM orders;", ctx(sqlite()));
        expect(r4.ok).to.equal(false);
        expect(r4.error?.message).to.contain("readonly");
    });
});
