/**
 * Evaluates expression ASTs. Two contexts:
 *  - row context (LOAD field lists, WHERE): fields read from the current source row, aggregations are invalid;
 *  - model context (Doc.Evaluate, LET): aggregations run over the loaded tables, bare fields mean Only(field).
 */
import { Cell, distinctKey, formatNumber, qlikBool, toNumber, truthy } from "./cell";
import { AGGREGATES, Expr, containsAggregate, fieldsOf } from "./expr";
import { EvalError, FUNCTIONS } from "./functions";
import { DataTable, findTable, tableForFields, tableWithField } from "./table";

export { EvalError };

export interface Scope {
    /** Current row lookup: undefined = the field is not part of the row. */
    field(name: string): Cell | undefined;
    /** Called for a field the row does not hold; returns a value or throws. */
    missingField(name: string): Cell;
    /** Aggregation handler; absent = aggregations are not allowed here. */
    aggregate?(call: Extract<Expr, { k: "call" }>): Cell;
    tables: DataTable[];
    rowNo?: number;
    recNo?: number;
}

export function evalExpr(e: Expr, s: Scope): Cell {
    switch (e.k) {
        case "num":
            return e.v;
        case "str":
            return e.v;
        case "star":
            throw new EvalError("Invalid use of '*'");
        case "field": {
            const v = s.field(e.name);
            return v === undefined ? s.missingField(e.name) : v;
        }
        case "unary": {
            const v = evalExpr(e.e, s);
            if (e.op === "not") return qlikBool(!truthy(v));
            const n = toNumber(v);
            return n === null ? null : -n;
        }
        case "bin":
            return evalBinary(e.op, e.l, e.r, s);
        case "call":
            return evalCall(e, s);
    }
}

function evalBinary(op: string, le: Expr, re: Expr, s: Scope): Cell {
    if (op === "and") return qlikBool(truthy(evalExpr(le, s)) && truthy(evalExpr(re, s)));
    if (op === "or") return qlikBool(truthy(evalExpr(le, s)) || truthy(evalExpr(re, s)));
    const l = evalExpr(le, s);
    const r = evalExpr(re, s);
    if (op === "&") return textOf(l) + textOf(r);
    if (["=", "<>", "<", ">", "<=", ">="].includes(op)) return compare(op, l, r);
    const a = toNumber(l),
        b = toNumber(r);
    if (a === null || b === null) return null;
    switch (op) {
        case "+":
            return a + b;
        case "-":
            return a - b;
        case "*":
            return a * b;
        case "/":
            return b === 0 ? null : a / b;
    }
    throw new EvalError(`Unknown operator ${op}`);
}

function textOf(v: Cell): string {
    if (v === null) return "";
    return typeof v === "number" ? formatNumber(v) : v;
}

function compare(op: string, l: Cell, r: Cell): Cell {
    if (l === null || r === null) return qlikBool(op === "<>" ? l !== r : false);
    const a = toNumber(l),
        b = toNumber(r);
    let c: number;
    if (a !== null && b !== null) c = a === b ? 0 : a < b ? -1 : 1;
    else {
        const x = textOf(l),
            y = textOf(r);
        c = x === y ? 0 : x < y ? -1 : 1;
    }
    switch (op) {
        case "=":
            return qlikBool(c === 0);
        case "<>":
            return qlikBool(c !== 0);
        case "<":
            return qlikBool(c < 0);
        case ">":
            return qlikBool(c > 0);
        case "<=":
            return qlikBool(c <= 0);
        default:
            return qlikBool(c >= 0);
    }
}

function evalCall(e: Extract<Expr, { k: "call" }>, s: Scope): Cell {
    if (AGGREGATES.has(e.name)) {
        if (!s.aggregate) throw new EvalError("Invalid expression");
        return s.aggregate(e);
    }
    switch (e.name) {
        case "if": {
            if (e.args.length < 2 || e.args.length > 3) throw new EvalError("Wrong number of arguments to If");
            if (truthy(evalExpr(e.args[0], s))) return evalExpr(e.args[1], s);
            return e.args.length > 2 ? evalExpr(e.args[2], s) : null;
        }
        case "noofrows": {
            const name = e.args.length === 1 ? evalExpr(e.args[0], s) : null;
            const t = typeof name === "string" ? findTable(s.tables, name) : undefined;
            return t ? t.rows.length : null;
        }
        case "nooftables":
            return s.tables.length;
        case "rowno":
            return s.rowNo ?? null;
        case "recno":
            return s.recNo ?? null;
    }
    const fn = FUNCTIONS[e.name];
    if (!fn) throw new EvalError(`Unknown function: ${e.name}`);
    return fn(e.args.map((a) => evalExpr(a, s)));
}

/** Scope for a row of `fields`; unknown fields raise the script error "Field 'X' not found". */
export function rowScope(fields: string[], row: Cell[], tables: DataTable[], rowNo: number): Scope {
    return {
        field: (n) => {
            const i = fields.indexOf(n);
            return i < 0 ? undefined : row[i];
        },
        missingField: (n) => {
            throw new EvalError(`Field '${n}' not found`);
        },
        tables,
        rowNo,
        recNo: rowNo,
    };
}

/** Scope of Doc.Evaluate / LET: aggregations over the loaded tables. */
export function modelScope(tables: DataTable[]): Scope {
    return {
        field: () => undefined,
        missingField: (n) => onlyValue(tables, n),
        aggregate: (call) => aggregate(call, tables),
        tables,
    };
}

function onlyValue(tables: DataTable[], field: string): Cell {
    const t = tableWithField(tables, field);
    if (!t) return null;
    const i = t.fields.indexOf(field);
    return only(t.rows.map((r) => r[i] as Cell));
}

function only(values: Cell[]): Cell {
    let seen: Cell = null;
    let key: string | undefined;
    for (const v of values) {
        if (v === null) continue;
        const k = distinctKey(v);
        if (key === undefined) {
            key = k;
            seen = v;
        } else if (k !== key) return null;
    }
    return seen;
}

function aggregate(call: Extract<Expr, { k: "call" }>, tables: DataTable[]): Cell {
    if (call.args.length !== 1) throw new EvalError(`Wrong number of arguments to ${call.name}`);
    const arg = call.args[0];
    if (arg.k !== "star" && containsAggregate(arg)) throw new EvalError("Nested aggregation not allowed");
    const fields = arg.k === "star" ? [] : fieldsOf(arg);
    const t = fields.length ? tableForFields(tables, fields) : tables[0];
    let values: Cell[];
    if (arg.k === "star") {
        if (call.name !== "count") throw new EvalError("Invalid use of '*'");
        return t ? t.rows.length : 0;
    }
    if (!t) {
        // No table holds any referenced field (or no fields at all): evaluate once, like a constant.
        values = fields.length ? [] : [evalExpr(arg, { ...modelScope(tables), aggregate: undefined })];
    } else {
        values = t.rows.map((row, i) =>
            evalExpr(arg, {
                field: (n) => {
                    const j = t.fields.indexOf(n);
                    return j < 0 ? undefined : (row[j] as Cell);
                },
                missingField: () => null,
                tables,
                rowNo: i + 1,
            }),
        );
    }
    return reduce(call.name, values, call.distinct);
}

function reduce(name: string, values: Cell[], distinct: boolean): Cell {
    if (distinct) {
        const seen = new Map<string, Cell>();
        for (const v of values) if (v !== null && !seen.has(distinctKey(v))) seen.set(distinctKey(v), v);
        values = [...seen.values()];
    }
    const nums = values.map(toNumber).filter((n): n is number => n !== null);
    switch (name) {
        case "count":
            return values.filter((v) => v !== null).length;
        case "sum":
            return nums.reduce((a, b) => a + b, 0);
        case "avg":
            return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
        case "min":
            return nums.length ? nums.reduce((a, b) => (b < a ? b : a)) : null;
        case "max":
            return nums.length ? nums.reduce((a, b) => (b > a ? b : a)) : null;
        default:
            return only(values);
    }
}
