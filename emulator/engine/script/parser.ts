/**
 * Parses one (already variable-expanded) load-script statement into a Statement.
 * Syntax errors are reported as Qlik does: "Unexpected token: 'x', expected one of: ...".
 */
import { Expr, parseExpr } from "../data/expr";
import { SyntaxError2, Token, TokenStream, TokenType, tokenize } from "../data/tokens";
import { LoadField, LoadSource, Statement, TablePrefix } from "./ast";

const STATEMENT_START = "'LOAD', 'SELECT', 'SQL', 'LIB', 'SET', 'LET', 'DROP', 'TRACE', 'EXIT', 'DISCONNECT'";

export function parseStatement(text: string, line: number): Statement {
    const ts = new TokenStream(tokenize(text, line));
    const raw = (from: Token) => text.slice(from.pos).trim();

    let label: string | undefined;
    const t0 = ts.peek();
    if ((t0.type === "ident" || t0.type === "name") && ts.isOp(":", 1)) {
        label = t0.value;
        ts.next();
        ts.next();
    }
    const prefix: TablePrefix = {};
    for (;;) {
        if (ts.acceptKw("noconcatenate")) {
            prefix.noConcatenate = true;
            continue;
        }
        if (ts.acceptKw("concatenate")) {
            prefix.concatenate = {};
            if (ts.acceptOp("(")) {
                prefix.concatenate.table = tableName(ts);
                ts.expectOp(")");
            }
            continue;
        }
        break;
    }
    const kwTok = ts.peek();
    const kw = kwTok.type === "ident" ? kwTok.value.toLowerCase() : "";
    const tableStmt = kw === "load" || kw === "sql" || kw === "select";
    if ((label !== undefined || prefix.concatenate || prefix.noConcatenate) && !tableStmt)
        ts.fail("'LOAD', 'SELECT', 'SQL'");

    switch (kw) {
        case "load":
            ts.next();
            return parseLoad(ts, text, label, prefix);
        case "sql": {
            ts.next();
            const body = ts.peek();
            if (body.type === "eof") ts.fail("'SELECT'");
            return { kind: "sql", label, prefix, sql: raw(body) };
        }
        case "select":
            return { kind: "sql", label, prefix, sql: raw(kwTok) };
        case "lib": {
            ts.next();
            ts.expectKw("connect");
            ts.expectKw("to");
            const target = take(ts, ["str", "name"], "connection name");
            end(ts);
            return { kind: "connect", target: target.value };
        }
        case "disconnect":
            ts.next();
            end(ts);
            return { kind: "disconnect" };
        case "set":
        case "let": {
            ts.next();
            const nameTok = take(ts, ["ident", "name"], "variable name");
            const eq = ts.peek();
            ts.expectOp("=");
            const rest = text.slice(eq.end).trim();
            if (kw === "set") return { kind: "set", name: nameTok.value, value: stripQuotes(rest) };
            if (ts.atEnd()) return { kind: "let", name: nameTok.value, expr: null };
            const expr = parseExpr(ts);
            end(ts);
            return { kind: "let", name: nameTok.value, expr };
        }
        case "trace":
            ts.next();
            return { kind: "trace", text: text.slice(kwTok.end).trim() };
        case "exit": {
            ts.next();
            ts.expectKw("script");
            end(ts);
            return { kind: "exit" };
        }
        case "drop": {
            ts.next();
            const what = ts.peek().value.toLowerCase();
            if (!["table", "tables", "field", "fields"].includes(what)) ts.fail("'TABLE', 'TABLES', 'FIELD', 'FIELDS'");
            ts.next();
            const names = nameList(ts);
            let from: string[] | undefined;
            if (what.startsWith("field") && ts.acceptKw("from")) from = nameList(ts);
            end(ts);
            return { kind: "drop", what: what.startsWith("table") ? "table" : "field", names, from };
        }
    }
    return ts.fail(STATEMENT_START);
}

function parseLoad(ts: TokenStream, text: string, label: string | undefined, prefix: TablePrefix): Statement {
    const distinct = ts.acceptKw("distinct");
    const fields: LoadField[] = [];
    for (;;) {
        if (ts.isOp("*")) {
            ts.next();
            fields.push({ expr: "*", name: "*" });
        } else {
            const start = ts.peek();
            const expr = parseExpr(ts);
            const last = ts.tokens[ts.i - 1];
            let name: string;
            if (ts.acceptKw("as")) {
                const alias = take(ts, ["ident", "name", "str"], "field name");
                name = alias.value;
            } else {
                // Qlik names an un-aliased expression after its text.
                name = expr.k === "field" ? expr.name : text.slice(start.pos, last.end).trim();
            }
            fields.push({ expr, name });
        }
        if (!ts.acceptOp(",")) break;
    }
    let source: LoadSource = { type: "preceding" };
    if (ts.acceptKw("inline")) {
        const data = take(ts, ["name", "str"], "'['");
        source = { type: "inline", text: data.value, delimiter: inlineDelimiter(ts) };
    } else if (ts.acceptKw("resident")) {
        source = { type: "resident", table: tableName(ts) };
    } else if (ts.acceptKw("autogenerate")) {
        source = { type: "autogenerate", count: parseExpr(ts) };
    } else if (ts.acceptKw("from")) {
        const p = ts.next();
        source = { type: "file", path: p.value };
        if (ts.acceptOp("(")) {
            while (!ts.atEnd() && !ts.isOp(")")) ts.next();
            ts.expectOp(")");
        }
    }
    let where: Expr | undefined;
    if (ts.acceptKw("where")) where = parseExpr(ts);
    end(ts);
    return { kind: "load", label, prefix, distinct, fields, source, where };
}

/** `(txt, delimiter is ';', embedded labels)` after INLINE: only the delimiter matters here. */
function inlineDelimiter(ts: TokenStream): string {
    let delimiter = ",";
    if (!ts.acceptOp("(")) return delimiter;
    while (!ts.atEnd() && !ts.isOp(")")) {
        if (ts.acceptKw("delimiter")) {
            ts.expectKw("is");
            const d = ts.next();
            const v = d.value.toLowerCase();
            delimiter = v === "\\t" || v === "tab" ? "\t" : v === "spaces" ? " " : d.value;
            continue;
        }
        ts.next();
    }
    ts.expectOp(")");
    return delimiter;
}

function tableName(ts: TokenStream): string {
    return take(ts, ["ident", "name", "str"], "table name").value;
}

function nameList(ts: TokenStream): string[] {
    const names = [tableName(ts)];
    while (ts.acceptOp(",")) names.push(tableName(ts));
    return names;
}

function take(ts: TokenStream, types: TokenType[], expected: string): Token {
    if (!types.includes(ts.peek().type)) ts.fail(expected);
    return ts.next();
}

function end(ts: TokenStream): void {
    if (!ts.atEnd()) ts.fail("';'");
}

function stripQuotes(v: string): string {
    if (v.length >= 2 && ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"')))) {
        return v.slice(1, -1);
    }
    return v;
}

export { SyntaxError2 };
