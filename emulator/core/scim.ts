// Minimal SCIM filter (RFC 7644 §3.4.2.2) used by users, groups and roles: comparisons
// eq/ne/co/sw/ew/pr/gt/ge/lt/le, `and`, `or`, `not`, parentheses. Attribute names and string values
// compare case-insensitively (the groups/users docs call the filter case-insensitive).
export type Predicate = (obj: Record<string, unknown>) => boolean;

export class ScimError extends Error {}

type Tok = { t: "word" | "str" | "lp" | "rp"; v: string };

function lex(s: string): Tok[] {
    const out: Tok[] = [];
    let i = 0;
    while (i < s.length) {
        const c = s[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        if (c === "(") {
            out.push({ t: "lp", v: c });
            i++;
            continue;
        }
        if (c === ")") {
            out.push({ t: "rp", v: c });
            i++;
            continue;
        }
        if (c === '"') {
            let v = "";
            i++;
            while (i < s.length && s[i] !== '"') {
                if (s[i] === "\\" && i + 1 < s.length) {
                    v += s[i + 1];
                    i += 2;
                } else {
                    v += s[i++];
                }
            }
            if (i >= s.length) throw new ScimError("Unterminated string in filter");
            i++;
            out.push({ t: "str", v });
            continue;
        }
        let w = "";
        while (i < s.length && !/[\s()"]/.test(s[i])) w += s[i++];
        out.push({ t: "word", v: w });
    }
    return out;
}

function getPath(obj: unknown, path: string): unknown[] {
    // Multi-valued attributes (assignedRoles.name) yield every element's value.
    let cur: unknown[] = [obj];
    for (const part of path.split(".")) {
        const next: unknown[] = [];
        for (const o of cur) {
            if (Array.isArray(o)) {
                for (const e of o) next.push(pick(e, part));
            } else {
                next.push(pick(o, part));
            }
        }
        cur = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
    }
    return cur.filter((v) => v !== undefined && v !== null);
}

function pick(o: unknown, key: string): unknown {
    if (!o || typeof o !== "object") return undefined;
    const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
    return k === undefined ? undefined : (o as Record<string, unknown>)[k];
}

function cmp(op: string, actual: unknown, expected: string | number | boolean | null): boolean {
    if (typeof actual === "string" && typeof expected === "string") {
        const a = actual.toLowerCase(),
            e = expected.toLowerCase();
        switch (op) {
            case "eq":
                return a === e;
            case "ne":
                return a !== e;
            case "co":
                return a.includes(e);
            case "sw":
                return a.startsWith(e);
            case "ew":
                return a.endsWith(e);
            case "gt":
                return a > e;
            case "ge":
                return a >= e;
            case "lt":
                return a < e;
            case "le":
                return a <= e;
        }
    }
    if (op === "eq") return actual === expected;
    if (op === "ne") return actual !== expected;
    if (typeof actual === "number" && typeof expected === "number") {
        switch (op) {
            case "gt":
                return actual > expected;
            case "ge":
                return actual >= expected;
            case "lt":
                return actual < expected;
            case "le":
                return actual <= expected;
        }
    }
    return false;
}

const OPS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);

export function parseScim(filter: string): Predicate {
    if (filter.length > 4096) throw new ScimError("Filter is too long");
    const toks = lex(filter);
    let pos = 0;
    const peek = () => toks[pos];
    const isWord = (w: string) => peek()?.t === "word" && peek().v.toLowerCase() === w;

    function orExpr(): Predicate {
        let left = andExpr();
        while (isWord("or")) {
            pos++;
            const l = left,
                r = andExpr();
            left = (o) => l(o) || r(o);
        }
        return left;
    }
    function andExpr(): Predicate {
        let left = unary();
        while (isWord("and")) {
            pos++;
            const l = left,
                r = unary();
            left = (o) => l(o) && r(o);
        }
        return left;
    }
    function unary(): Predicate {
        if (isWord("not")) {
            pos++;
            const p = unary();
            return (o) => !p(o);
        }
        if (peek()?.t === "lp") {
            pos++;
            const p = orExpr();
            if (peek()?.t !== "rp") throw new ScimError("Missing ) in filter");
            pos++;
            return p;
        }
        const attr = toks[pos++];
        if (!attr || attr.t !== "word") throw new ScimError("Expected an attribute name in filter");
        const opTok = toks[pos++];
        if (!opTok || opTok.t !== "word") throw new ScimError("Expected an operator in filter");
        const op = opTok.v.toLowerCase();
        if (op === "pr") return (o) => getPath(o, attr.v).length > 0;
        if (!OPS.has(op)) throw new ScimError(`Unsupported operator "${opTok.v}" in filter`);
        const valTok = toks[pos++];
        if (!valTok || (valTok.t !== "str" && valTok.t !== "word")) throw new ScimError("Expected a value in filter");
        let value: string | number | boolean | null = valTok.v;
        if (valTok.t === "word") {
            if (valTok.v === "true" || valTok.v === "false") value = valTok.v === "true";
            else if (valTok.v === "null") value = null;
            else if (!Number.isNaN(Number(valTok.v))) value = Number(valTok.v);
            else throw new ScimError(`Invalid value "${valTok.v}" in filter`);
        }
        return (o) => {
            const vals = getPath(o, attr.v);
            return op === "ne" ? vals.every((v) => cmp("ne", v, value)) : vals.some((v) => cmp(op, v, value));
        };
    }

    const p = orExpr();
    if (pos !== toks.length) throw new ScimError("Unexpected trailing tokens in filter");
    return p;
}
