/**
 * Tokenizer shared by the load-script statement parser and the chart/Evaluate expression parser.
 * Quoting follows Qlik: 'text' is a string literal, [name] and "name" are field/table names.
 */
export type TokenType = "num" | "str" | "ident" | "name" | "op" | "eof";

export interface Token {
    type: TokenType;
    value: string;
    /** offset in the tokenized text (lets the script parser cut raw SQL and INLINE text) */
    pos: number;
    end: number;
    line: number; // 1-based, relative to the tokenized text
}

export class SyntaxError2 extends Error {
    constructor(
        message: string,
        readonly line: number,
    ) {
        super(message);
    }
}

const OPS = ["<=", ">=", "<>", "+", "-", "*", "/", "&", "=", "<", ">", "(", ")", ",", ";", ":"];

function isIdentStart(c: string): boolean {
    return /[A-Za-z_%#@$\u00C0-\uFFFF]/.test(c);
}
function isIdentPart(c: string): boolean {
    return /[A-Za-z0-9_%#@$.\u00C0-\uFFFF]/.test(c);
}

export function tokenize(text: string, firstLine = 1): Token[] {
    const out: Token[] = [];
    let i = 0;
    let line = firstLine;
    const push = (type: TokenType, value: string, start: number, startLine: number) =>
        out.push({ type, value, pos: start, end: i, line: startLine });
    while (i < text.length) {
        const c = text[i];
        if (c === "\n") {
            line++;
            i++;
            continue;
        }
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        const start = i;
        const startLine = line;
        if (c === "'" || c === '"' || c === "[") {
            const close = c === "[" ? "]" : c;
            i++;
            let value = "";
            for (;;) {
                if (i >= text.length) throw new SyntaxError2(`Unexpected end of script: missing ${close}`, startLine);
                const ch = text[i];
                if (ch === close) {
                    // A doubled quote inside a quoted literal is an escaped quote.
                    if (close !== "]" && text[i + 1] === close) {
                        value += close;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (ch === "\n") line++;
                value += ch;
                i++;
            }
            push(c === "'" ? "str" : "name", value, start, startLine);
            continue;
        }
        if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
            const m = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
            i += m![0].length;
            push("num", m![0], start, startLine);
            continue;
        }
        if (isIdentStart(c)) {
            while (i < text.length && isIdentPart(text[i])) i++;
            push("ident", text.slice(start, i), start, startLine);
            continue;
        }
        const op = OPS.find((o) => text.startsWith(o, i));
        if (!op) throw new SyntaxError2(`Unexpected token: '${c}'`, startLine);
        i += op.length;
        push("op", op, start, startLine);
    }
    out.push({ type: "eof", value: "", pos: text.length, end: text.length, line });
    return out;
}

/** Cursor over a token list with the small helpers both parsers need. */
export class TokenStream {
    i = 0;
    constructor(readonly tokens: Token[]) {}
    peek(k = 0): Token {
        return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
    }
    next(): Token {
        const t = this.peek();
        if (t.type !== "eof") this.i++;
        return t;
    }
    atEnd(): boolean {
        return this.peek().type === "eof";
    }
    isKw(word: string, k = 0): boolean {
        const t = this.peek(k);
        return t.type === "ident" && t.value.toLowerCase() === word.toLowerCase();
    }
    isOp(op: string, k = 0): boolean {
        const t = this.peek(k);
        return t.type === "op" && t.value === op;
    }
    acceptKw(word: string): boolean {
        if (this.isKw(word)) {
            this.i++;
            return true;
        }
        return false;
    }
    acceptOp(op: string): boolean {
        if (this.isOp(op)) {
            this.i++;
            return true;
        }
        return false;
    }
    fail(expected?: string): never {
        const t = this.peek();
        const shown = t.type === "eof" ? "EOF" : tokenText(t);
        throw new SyntaxError2(
            `Unexpected token: '${shown}'${expected ? `, expected one of: ${expected}` : ""}`,
            t.line,
        );
    }
    expectKw(word: string): void {
        if (!this.acceptKw(word)) this.fail(`'${word.toUpperCase()}'`);
    }
    expectOp(op: string): void {
        if (!this.acceptOp(op)) this.fail(`'${op}'`);
    }
}

function tokenText(t: Token): string {
    if (t.type === "str") return `'${t.value}'`;
    if (t.type === "name") return `[${t.value}]`;
    return t.value;
}
