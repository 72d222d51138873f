/**
 * Scalar functions of the supported expression subset. Arguments arrive evaluated, except If(),
 * which the evaluator short-circuits. Names are lower-case (Qlik function names are case-insensitive).
 */
import { Cell, formatNumber, toNumber, toText } from "./cell";

export class EvalError extends Error {}

type Fn = (args: Cell[]) => Cell;

function num(args: Cell[], i: number): number | null {
    return args[i] === undefined ? null : toNumber(args[i]);
}
function str(args: Cell[], i: number): string | null {
    const v = args[i];
    if (v === undefined || v === null) return null;
    return typeof v === "number" ? formatNumber(v) : v;
}
function arity(name: string, args: Cell[], min: number, max: number): void {
    if (args.length < min || args.length > max) throw new EvalError(`Wrong number of arguments to ${name}`);
}

/** Num(x, '#,##0.00'): decimals from the format, thousands separator when the format has ','. */
function formatWith(n: number, fmt: string): string {
    const dot = fmt.indexOf(".");
    const decimals = dot < 0 ? 0 : fmt.slice(dot + 1).replace(/[^0#]/g, "").length;
    const fixed = Math.abs(n).toFixed(decimals);
    const [intPart, frac] = fixed.split(".");
    const grouped = fmt.includes(",") ? intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : intPart;
    return `${n < 0 ? "-" : ""}${grouped}${frac !== undefined ? "." + frac : ""}`;
}

export const FUNCTIONS: Record<string, Fn> = {
    round: (a) => {
        arity("Round", a, 1, 3);
        const x = num(a, 0);
        if (x === null) return null;
        const step = a.length > 1 ? (num(a, 1) ?? 1) : 1;
        const offset = a.length > 2 ? (num(a, 2) ?? 0) : 0;
        if (step === 0) return x;
        const r = Math.round((x - offset) / step) * step + offset;
        return Number(r.toPrecision(15));
    },
    floor: (a) => {
        arity("Floor", a, 1, 1);
        const x = num(a, 0);
        return x === null ? null : Math.floor(x);
    },
    ceil: (a) => {
        arity("Ceil", a, 1, 1);
        const x = num(a, 0);
        return x === null ? null : Math.ceil(x);
    },
    fabs: (a) => {
        arity("Fabs", a, 1, 1);
        const x = num(a, 0);
        return x === null ? null : Math.abs(x);
    },
    sqrt: (a) => {
        arity("Sqrt", a, 1, 1);
        const x = num(a, 0);
        return x === null || x < 0 ? null : Math.sqrt(x);
    },
    mod: (a) => {
        arity("Mod", a, 2, 2);
        const x = num(a, 0),
            y = num(a, 1);
        if (x === null || y === null || y === 0) return null;
        return ((x % y) + y) % y;
    },
    num: (a) => {
        arity("Num", a, 1, 4);
        const x = num(a, 0);
        if (x === null) return null;
        const fmt = str(a, 1);
        // Formatted Num() yields text in the emulator (Qlik keeps a dual; Evaluate shows the text).
        return fmt ? formatWith(x, fmt) : x;
    },
    text: (a) => {
        arity("Text", a, 1, 1);
        return a[0] === null ? null : toText(a[0]);
    },
    upper: (a) => {
        arity("Upper", a, 1, 1);
        const s = str(a, 0);
        return s === null ? null : s.toUpperCase();
    },
    lower: (a) => {
        arity("Lower", a, 1, 1);
        const s = str(a, 0);
        return s === null ? null : s.toLowerCase();
    },
    len: (a) => {
        arity("Len", a, 1, 1);
        const s = str(a, 0);
        return s === null ? 0 : s.length;
    },
    trim: (a) => {
        arity("Trim", a, 1, 1);
        const s = str(a, 0);
        return s === null ? null : s.trim();
    },
    left: (a) => {
        arity("Left", a, 2, 2);
        const s = str(a, 0);
        return s === null ? null : s.slice(0, Math.max(0, num(a, 1) ?? 0));
    },
    right: (a) => {
        arity("Right", a, 2, 2);
        const s = str(a, 0);
        const n = Math.max(0, num(a, 1) ?? 0);
        return s === null ? null : n === 0 ? "" : s.slice(-n);
    },
    mid: (a) => {
        arity("Mid", a, 2, 3);
        const s = str(a, 0);
        if (s === null) return null;
        const start = Math.max(1, num(a, 1) ?? 1) - 1;
        return a.length > 2 ? s.substr(start, Math.max(0, num(a, 2) ?? 0)) : s.slice(start);
    },
    isnull: (a) => {
        arity("IsNull", a, 1, 1);
        return a[0] === null ? -1 : 0;
    },
    isnum: (a) => {
        arity("IsNum", a, 1, 1);
        return toNumber(a[0]) !== null ? -1 : 0;
    },
    istext: (a) => {
        arity("IsText", a, 1, 1);
        return a[0] !== null && toNumber(a[0]) === null ? -1 : 0;
    },
    null: (a) => {
        arity("Null", a, 0, 0);
        return null;
    },
    alt: (a) => {
        for (const v of a) if (toNumber(v) !== null) return v;
        return null;
    },
    pi: (a) => {
        arity("Pi", a, 0, 0);
        return Math.PI;
    },
};
