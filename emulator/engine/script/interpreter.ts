/**
 * Executes a load script statement by statement and builds the data model (a list of tables).
 * Qlik behaviours kept: per-statement $(var) expansion, preceding LOAD on top of LOAD/SELECT,
 * automatic concatenation of tables with the same set of fields, "Name-1" for a clashing table name,
 * the progress log lines ("T << source", "Lines fetched: n") and error texts.
 */
import { Cell, distinctKey, interpret, thousands, toNumber, toText } from "../data/cell";
import { fieldsOf } from "../data/expr";
import { evaluateInModel } from "../data/evaluate";
import { EvalError, evalExpr, modelScope, rowScope } from "../data/evaluator";
import { DataTable, findTable } from "../data/table";
import { SyntaxError2 } from "../data/tokens";
import type { ReloadResult, ReloadRunContext } from "../reloadRunner";
import { LoadField, Statement, TablePrefix } from "./ast";
import { ConnectorError, OpenConnection, openConnection } from "./connectors";
import { ScriptSyntaxError, expandVariables, splitStatements } from "./lexer";
import { parseStatement } from "./parser";

export class ScriptError extends Error {
    constructor(
        message: string,
        readonly line: number,
    ) {
        super(message);
    }
}

export interface RunOptions {
    isCancelled?: () => boolean;
}

interface Rows {
    fields: string[];
    rows: Cell[][];
    source: string;
}

type TableStmt = Extract<Statement, { kind: "load" | "sql" }>;

class Interpreter {
    readonly tables: DataTable[] = [];
    readonly vars = new Map<string, string>();
    readonly log: string[] = [];
    private conn?: OpenConnection;
    private pending: { stmt: Extract<Statement, { kind: "load" }>; line: number }[] = [];

    constructor(private readonly ctx: ReloadRunContext) {}

    close(): void {
        this.conn?.close();
        this.conn = undefined;
    }

    /** false = EXIT SCRIPT */
    exec(stmt: Statement, line: number): boolean {
        if (this.pending.length && !(stmt.kind === "load" || stmt.kind === "sql")) {
            throw new ScriptError(
                "A LOAD statement without a source must be followed by a LOAD or SELECT statement",
                this.pending[0].line,
            );
        }
        switch (stmt.kind) {
            case "connect":
                this.connect(stmt.target);
                return true;
            case "disconnect":
                this.close();
                return true;
            case "set":
                this.vars.set(stmt.name, stmt.value);
                return true;
            case "let": {
                if (!stmt.expr) {
                    this.vars.delete(stmt.name);
                    return true;
                }
                const v = evalExpr(stmt.expr, modelScope(this.tables));
                if (v === null) this.vars.delete(stmt.name);
                else this.vars.set(stmt.name, toText(v));
                return true;
            }
            case "trace":
                this.log.push(stmt.text);
                return true;
            case "exit":
                return false;
            case "drop":
                this.drop(stmt);
                return true;
            case "load":
                if (stmt.source.type === "preceding") {
                    this.pending.push({ stmt, line });
                    return true;
                }
                this.runChain(stmt);
                return true;
            case "sql":
                this.runChain(stmt);
                return true;
        }
    }

    private connect(target: string): void {
        const colon = target.indexOf(":");
        const space = colon >= 0 ? target.slice(0, colon) : undefined;
        const name = colon >= 0 ? target.slice(colon + 1) : target;
        this.log.push(`Connecting to ${target}`);
        const resolved = this.ctx.resolveConnection(name, space === "" ? undefined : space);
        if (!resolved) throw new ConnectorError(`Connection '${target}' not found`);
        this.close();
        this.conn = openConnection(resolved);
        this.log.push("Connected");
    }

    private drop(stmt: Extract<Statement, { kind: "drop" }>): void {
        if (stmt.what === "table") {
            for (const n of stmt.names) {
                const i = this.tables.findIndex((t) => t.name === n);
                if (i < 0) throw new EvalError(`Table '${n}' not found`);
                this.tables.splice(i, 1);
            }
            return;
        }
        const scope = stmt.from
            ? stmt.from.map((n) => {
                  const t = findTable(this.tables, n);
                  if (!t) throw new EvalError(`Table '${n}' not found`);
                  return t;
              })
            : this.tables;
        for (const f of stmt.names) {
            const holders = scope.filter((t) => t.fields.includes(f));
            if (!holders.length) throw new EvalError(`Field '${f}' not found`);
            for (const t of holders) {
                const i = t.fields.indexOf(f);
                t.fields.splice(i, 1);
                t.rows.forEach((r) => r.splice(i, 1));
            }
        }
        // A table without fields disappears from the model.
        for (let i = this.tables.length - 1; i >= 0; i--) if (!this.tables[i].fields.length) this.tables.splice(i, 1);
    }

    private runChain(base: TableStmt): void {
        const chain = this.pending;
        this.pending = [];
        let data = base.kind === "sql" ? this.select(base.sql) : this.source(base);
        if (!data) return;
        if (base.kind === "load") data = this.applyLoad(base, data);
        for (let i = chain.length - 1; i >= 0; i--) data = this.applyLoad(chain[i].stmt, data);
        const top = chain.length ? chain[0].stmt : base;
        this.store(top.label ?? defaultName(base), data, top.prefix);
    }

    private select(sql: string): Rows | undefined {
        if (!this.conn)
            throw new ConnectorError("Connector connect error: No connection. Use LIB CONNECT TO before SQL");
        const r = this.conn.query(sql);
        if (!r) return undefined;
        return { ...r, source: sqlSourceName(sql) };
    }

    private source(stmt: Extract<Statement, { kind: "load" }>): Rows {
        const src = stmt.source;
        switch (src.type) {
            case "inline":
                return { ...parseInline(src.text, src.delimiter), source: "INLINE" };
            case "resident": {
                const t = findTable(this.tables, src.table);
                if (!t) throw new EvalError(`Table '${src.table}' not found`);
                return { fields: [...t.fields], rows: t.rows.map((r) => [...r] as Cell[]), source: t.name };
            }
            case "autogenerate": {
                const n = toNumber(evalExpr(src.count, modelScope(this.tables)));
                if (n === null || n < 0) throw new EvalError("AUTOGENERATE: invalid number of rows");
                return { fields: [], rows: Array.from({ length: Math.floor(n) }, () => []), source: "AUTOGENERATE" };
            }
            case "file":
                throw new EvalError(`Cannot open file: '${src.path}'`);
            default:
                throw new EvalError("Invalid LOAD source");
        }
    }

    private applyLoad(stmt: Extract<Statement, { kind: "load" }>, input: Rows): Rows {
        const out: LoadField[] = [];
        for (const f of stmt.fields) {
            if (f.expr === "*")
                input.fields.forEach((n) => out.push({ expr: { k: "field", name: n, line: 0 }, name: n }));
            else out.push(f);
        }
        const referenced = [
            ...out.flatMap((f) => (f.expr === "*" ? [] : fieldsOf(f.expr))),
            ...(stmt.where ? fieldsOf(stmt.where) : []),
        ];
        for (const n of referenced) if (!input.fields.includes(n)) throw new EvalError(`Field '${n}' not found`);
        const names = out.map((f) => f.name);
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup !== undefined) throw new EvalError(`Field names must be unique within table: '${dup}'`);
        const rows: Cell[][] = [];
        const seen = new Set<string>();
        input.rows.forEach((row, i) => {
            const scope = rowScope(input.fields, row, this.tables, rows.length + 1);
            scope.recNo = i + 1;
            if (stmt.where && !truthyCell(evalExpr(stmt.where, scope))) return;
            const values = out.map((f) => evalExpr(f.expr as Exclude<LoadField["expr"], "*">, scope));
            if (stmt.distinct) {
                const k = values.map(distinctKey).join("\u0001");
                if (seen.has(k)) return;
                seen.add(k);
            }
            rows.push(values);
        });
        return { fields: names, rows, source: input.source };
    }

    private store(name: string, data: Rows, prefix: TablePrefix): void {
        let target: DataTable | undefined;
        if (prefix.concatenate) {
            target = prefix.concatenate.table
                ? findTable(this.tables, prefix.concatenate.table)
                : this.tables[this.tables.length - 1];
            if (!target) throw new EvalError(`Table '${prefix.concatenate.table ?? name}' not found`);
            for (const f of data.fields)
                if (!target.fields.includes(f)) {
                    target.fields.push(f);
                    target.rows.forEach((r) => r.push(null));
                }
        } else if (!prefix.noConcatenate) {
            // Qlik concatenates automatically into a table with exactly the same set of fields.
            target = this.tables.find(
                (t) => t.fields.length === data.fields.length && data.fields.every((f) => t.fields.includes(f)),
            );
        }
        if (target) {
            const map = target.fields.map((f) => data.fields.indexOf(f));
            for (const r of data.rows) target.rows.push(map.map((j) => (j < 0 ? null : r[j])));
            this.log.push(`${target.name} << ${data.source}`, `Lines fetched: ${thousands(data.rows.length)}`);
            return;
        }
        let unique = name;
        for (let n = 1; findTable(this.tables, unique); n++) unique = `${name}-${n}`;
        this.tables.push({ name: unique, fields: data.fields, rows: data.rows });
        this.log.push(`${unique} << ${data.source}`, `Lines fetched: ${thousands(data.rows.length)}`);
    }

    finish(): void {
        if (this.pending.length) {
            throw new ScriptError(
                "A LOAD statement without a source must be followed by a LOAD or SELECT statement",
                this.pending[0].line,
            );
        }
    }
}

function truthyCell(v: Cell): boolean {
    const n = toNumber(v);
    return n !== null && n !== 0;
}

function defaultName(stmt: TableStmt): string {
    if (stmt.kind === "sql") return sqlSourceName(stmt.sql);
    if (stmt.source.type === "resident") return stmt.source.table;
    return stmt.source.type === "inline" ? "INLINE" : "AUTOGENERATE";
}

function sqlSourceName(sql: string): string {
    const m = /\bfrom\s+(?:"([^"]+)"|\[([^\]]+)\]|`([^`]+)`|([\w.]+))/i.exec(sql);
    return m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : "QueryResult";
}

/** INLINE data: first line = field names (embedded labels), values interpreted as numbers when numeric. */
function parseInline(text: string, delimiter: string): { fields: string[]; rows: Cell[][] } {
    const lines = text
        .replace(/\r\n?/g, "\n")
        .split("\n")
        .filter((l) => l.trim() !== "");
    if (!lines.length) return { fields: [], rows: [] };
    const split = (l: string) => splitInlineLine(l, delimiter);
    const fields = split(lines[0]).map((f) => f.trim());
    const rows = lines.slice(1).map((l) => {
        const v = split(l);
        return fields.map((_, i) => (v[i] === undefined ? null : interpret(v[i].trim())));
    });
    return { fields, rows };
}

function splitInlineLine(line: string, delimiter: string): string[] {
    const out: string[] = [];
    let cur = "";
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
            if (c === quote) quote = undefined;
            else cur += c;
        } else if ((c === '"' || c === "'") && cur.trim() === "") {
            quote = c;
            cur = "";
        } else if (line.startsWith(delimiter, i)) {
            out.push(cur);
            cur = "";
            i += delimiter.length - 1;
        } else cur += c;
    }
    out.push(cur);
    return out;
}

function errorLine(e: unknown, fallback: number): number {
    if (e instanceof SyntaxError2 || e instanceof ScriptSyntaxError || e instanceof ScriptError) return e.line;
    return fallback;
}

/** Run a whole script. Never throws: failures come back as { ok:false, error:{line,message} } with a Qlik-like log. */
export async function executeScript(
    script: string,
    ctx: ReloadRunContext,
    opts: RunOptions = {},
): Promise<ReloadResult> {
    const it = new Interpreter(ctx);
    it.log.push("Started loading data");
    let current = { text: "", line: 1 };
    try {
        const statements = splitStatements(script);
        for (const raw of statements) {
            if (opts.isCancelled?.()) throw new ScriptError("Execution aborted by user", raw.line);
            current = raw;
            const text = expandVariables(raw.text, it.vars, (expr) => {
                const r = evaluateInModel(expr, it.tables);
                return r.ok ? (r.value === null ? "" : toText(r.value)) : "";
            });
            const stmt = parseStatement(text, raw.line);
            if (!it.exec(stmt, raw.line)) break;
            // Let other sessions and requests run between statements (the store is synchronous).
            await new Promise((r) => setImmediate(r));
        }
        it.finish();
    } catch (e) {
        it.close();
        const message = e instanceof Error ? e.message : String(e);
        const line = errorLine(e, current.line);
        it.log.push(
            "",
            "The following error occurred:",
            message,
            "",
            "The error occurred here:",
            current.text.trim(),
            "",
            "Data has not been loaded. Please correct the error and try loading again.",
            "Execution Failed",
        );
        return { ok: false, tables: [], log: it.log.join("\n") + "\n", error: { line, message } };
    }
    it.close();
    it.log.push(
        "",
        "Creating search index",
        "Search index creation completed successfully",
        "",
        "App saved",
        "",
        "Finished successfully",
        "0 forced error(s)",
        "0 synthetic key(s)",
    );
    return { ok: true, tables: it.tables, log: it.log.join("\n") + "\n" };
}
