/**
 * Load-script lexer: removes comments and cuts the script into statements at ';' (outside quotes and
 * brackets), remembering each statement's first line for error reports. Tokenizing a statement
 * happens later, after $(variable) expansion, because Qlik expands variables per statement.
 */
export interface RawStatement {
    text: string; // from its first non-blank character, without the ';'; comments blanked (newlines kept)
    line: number; // 1-based line of the statement's first non-blank character
}

export class ScriptSyntaxError extends Error {
    constructor(
        message: string,
        readonly line: number,
    ) {
        super(message);
    }
}

export function splitStatements(script: string): RawStatement[] {
    const out: RawStatement[] = [];
    let buf = "";
    let line = 1;
    let startLine = 0; // 0 = no non-blank character seen in this statement yet
    let i = 0;
    const s = script.replace(/\r\n?/g, "\n");
    const add = (ch: string) => {
        if (startLine === 0 && !/\s/.test(ch)) startLine = line;
        buf += ch;
        if (ch === "\n") line++;
    };
    const flush = () => {
        if (buf.trim() !== "") out.push({ text: buf.replace(/^\s+/, ""), line: startLine || line });
        buf = "";
        startLine = 0;
    };
    while (i < s.length) {
        const c = s[i];
        if (c === "/" && s[i + 1] === "/") {
            while (i < s.length && s[i] !== "\n") i++;
            continue;
        }
        if (c === "/" && s[i + 1] === "*") {
            const end = s.indexOf("*/", i + 2);
            const stop = end < 0 ? s.length : end + 2;
            // Keep the newlines of a block comment so line numbers stay right.
            for (const ch of s.slice(i, stop))
                if (ch === "\n") {
                    buf += "\n";
                    line++;
                }
            i = stop;
            continue;
        }
        if (startLine === 0 && /^rem\b/i.test(s.slice(i, i + 4))) {
            // REM comments out everything up to the next ';'.
            while (i < s.length && s[i] !== ";") {
                if (s[i] === "\n") line++;
                i++;
            }
            i++;
            continue;
        }
        if (c === "'" || c === '"' || c === "[") {
            const close = c === "[" ? "]" : c;
            const opened = line;
            add(c);
            i++;
            while (i < s.length && s[i] !== close) {
                add(s[i]);
                i++;
            }
            if (i >= s.length) throw new ScriptSyntaxError(`Unexpected end of script: missing ${close}`, opened);
            add(close);
            i++;
            continue;
        }
        if (c === ";") {
            flush();
            i++;
            continue;
        }
        add(c);
        i++;
    }
    flush();
    return out;
}

/**
 * $(name) expansion. `$(=expr)` evaluates an expression through `evaluate`. An undefined variable
 * expands to nothing, as in Qlik.
 */
export function expandVariables(text: string, vars: Map<string, string>, evaluate: (expr: string) => string): string {
    let out = text;
    // Innermost first, so $(a$(b)) works; bounded to avoid looping on self-referencing values.
    for (let guard = 0; guard < 50 && out.includes("$("); guard++) {
        const next = out.replace(/\$\(([^()$]*(?:\([^()]*\)[^()$]*)*)\)/, (_m, inner: string) => {
            const name = inner.trim();
            if (name.startsWith("=")) return evaluate(name.slice(1));
            return vars.get(name) ?? vars.get(name.toLowerCase()) ?? "";
        });
        if (next === out) break;
        out = next;
    }
    return out;
}
