/**
 * Expression AST and parser for the subset of Qlik expressions the emulator understands, used by
 * LOAD field lists, WHERE clauses, LET and Doc.Evaluate. Precedence (low to high):
 * OR, AND, NOT, comparisons, &, + -, * /, unary minus.
 */
import { SyntaxError2, Token, TokenStream, tokenize } from "./tokens";

export type Expr =
    | { k: "num"; v: number }
    | { k: "str"; v: string }
    | { k: "field"; name: string; line: number }
    | { k: "star" }
    | { k: "call"; name: string; args: Expr[]; distinct: boolean; line: number }
    | { k: "unary"; op: "-" | "not"; e: Expr }
    | { k: "bin"; op: string; l: Expr; r: Expr };

export const AGGREGATES = new Set(["sum", "count", "min", "max", "avg", "only"]);

const COMPARE = ["=", "<>", "<", ">", "<=", ">="];

/** Words that end an expression inside a LOAD statement (so `a as b`, `WHERE`, `FROM` stop it). */
const STOP_WORDS = new Set(["as", "from", "where", "resident", "inline", "autogenerate", "group", "order", "while"]);

export function parseExpr(ts: TokenStream): Expr {
    return parseOr(ts);
}

function parseOr(ts: TokenStream): Expr {
    let l = parseAnd(ts);
    while (ts.acceptKw("or")) l = { k: "bin", op: "or", l, r: parseAnd(ts) };
    return l;
}
function parseAnd(ts: TokenStream): Expr {
    let l = parseNot(ts);
    while (ts.acceptKw("and")) l = { k: "bin", op: "and", l, r: parseNot(ts) };
    return l;
}
function parseNot(ts: TokenStream): Expr {
    if (ts.acceptKw("not")) return { k: "unary", op: "not", e: parseNot(ts) };
    return parseCompare(ts);
}
function parseCompare(ts: TokenStream): Expr {
    let l = parseConcat(ts);
    for (;;) {
        const t = ts.peek();
        if (t.type === "op" && COMPARE.includes(t.value)) {
            ts.next();
            l = { k: "bin", op: t.value, l, r: parseConcat(ts) };
        } else return l;
    }
}
function parseConcat(ts: TokenStream): Expr {
    let l = parseAdd(ts);
    while (ts.acceptOp("&")) l = { k: "bin", op: "&", l, r: parseAdd(ts) };
    return l;
}
function parseAdd(ts: TokenStream): Expr {
    let l = parseMul(ts);
    for (;;) {
        if (ts.acceptOp("+")) l = { k: "bin", op: "+", l, r: parseMul(ts) };
        else if (ts.acceptOp("-")) l = { k: "bin", op: "-", l, r: parseMul(ts) };
        else return l;
    }
}
function parseMul(ts: TokenStream): Expr {
    let l = parseUnary(ts);
    for (;;) {
        if (ts.acceptOp("*")) l = { k: "bin", op: "*", l, r: parseUnary(ts) };
        else if (ts.acceptOp("/")) l = { k: "bin", op: "/", l, r: parseUnary(ts) };
        else return l;
    }
}
function parseUnary(ts: TokenStream): Expr {
    if (ts.acceptOp("-")) return { k: "unary", op: "-", e: parseUnary(ts) };
    if (ts.acceptOp("+")) return parseUnary(ts);
    return parsePrimary(ts);
}

function parsePrimary(ts: TokenStream): Expr {
    const t = ts.peek();
    if (t.type === "num") {
        ts.next();
        return { k: "num", v: Number(t.value) };
    }
    if (t.type === "str") {
        ts.next();
        return { k: "str", v: t.value };
    }
    if (t.type === "name") {
        ts.next();
        return { k: "field", name: t.value, line: t.line };
    }
    if (t.type === "op" && t.value === "(") {
        ts.next();
        const e = parseExpr(ts);
        ts.expectOp(")");
        return e;
    }
    if (t.type === "ident" && !STOP_WORDS.has(t.value.toLowerCase())) {
        ts.next();
        if (ts.isOp("(")) return parseCall(ts, t);
        return { k: "field", name: t.value, line: t.line };
    }
    return ts.fail("'(', number, string, field, function");
}

function parseCall(ts: TokenStream, nameTok: Token): Expr {
    ts.expectOp("(");
    const name = nameTok.value.toLowerCase();
    const args: Expr[] = [];
    let distinct = false;
    if (!ts.isOp(")")) {
        if (AGGREGATES.has(name) && ts.acceptKw("distinct")) distinct = true;
        for (;;) {
            if (ts.isOp("*") && (ts.isOp(")", 1) || ts.isOp(",", 1))) {
                ts.next();
                args.push({ k: "star" });
            } else args.push(parseExpr(ts));
            if (!ts.acceptOp(",")) break;
        }
    }
    ts.expectOp(")");
    return { k: "call", name, args, distinct, line: nameTok.line };
}

/** Parse a whole stand-alone expression (Evaluate, LET). A leading "=" is allowed as in the Qlik UI. */
export function parseStandalone(text: string): Expr {
    const ts = new TokenStream(tokenize(text));
    ts.acceptOp("=");
    if (ts.atEnd()) throw new SyntaxError2("Empty expression", 1);
    const e = parseExpr(ts);
    if (!ts.atEnd()) ts.fail("operator, end of expression");
    return e;
}

/** Field names an expression reads (outside nested aggregations when `skipAggregates`). */
export function fieldsOf(e: Expr, acc: string[] = [], skipAggregates = false): string[] {
    switch (e.k) {
        case "field":
            if (!acc.includes(e.name)) acc.push(e.name);
            break;
        case "call":
            if (skipAggregates && AGGREGATES.has(e.name)) break;
            e.args.forEach((a) => fieldsOf(a, acc, skipAggregates));
            break;
        case "unary":
            fieldsOf(e.e, acc, skipAggregates);
            break;
        case "bin":
            fieldsOf(e.l, acc, skipAggregates);
            fieldsOf(e.r, acc, skipAggregates);
            break;
        default:
            break;
    }
    return acc;
}

export function containsAggregate(e: Expr): boolean {
    switch (e.k) {
        case "call":
            return AGGREGATES.has(e.name) || e.args.some(containsAggregate);
        case "unary":
            return containsAggregate(e.e);
        case "bin":
            return containsAggregate(e.l) || containsAggregate(e.r);
        default:
            return false;
    }
}
