/**
 * Cell values of the emulated data model. Qlik keeps "duals" (text + number); the emulator keeps a
 * plain number when the value is numeric and the text otherwise, which is enough for the supported
 * functions. Qlik's logical true is -1 and false is 0.
 */
export type Cell = string | number | null;

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Numeric interpretation of a cell, or null when Qlik would see no number (text, null). */
export function toNumber(v: Cell): number | null {
    if (v === null) return null;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    const t = v.trim();
    return NUMERIC.test(t) ? Number(t) : null;
}

/** How a loaded text value is stored: INLINE and LET values that read as numbers become numbers. */
export function interpret(text: string): Cell {
    const t = text.trim();
    if (t === "") return text;
    // Leading zeros ("007") would lose their text in a plain number, so they stay text.
    if (NUMERIC.test(t) && !/^[-+]?0\d/.test(t)) return Number(t);
    return text;
}

/** Number formatting as the engine renders an unformatted number: integers plain, others to 14 significant digits. */
export function formatNumber(n: number): string {
    if (!Number.isFinite(n)) return "-";
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
    return String(Number(n.toPrecision(14)));
}

/** Text of a cell as Evaluate returns it; null renders as "-" like in the Qlik UI and Evaluate. */
export function toText(v: Cell): string {
    if (v === null) return "-";
    return typeof v === "number" ? formatNumber(v) : v;
}

export function truthy(v: Cell): boolean {
    const n = toNumber(v);
    return n !== null && n !== 0;
}

export const qlikBool = (b: boolean): number => (b ? -1 : 0);

/** Key for DISTINCT and grouping: numbers and numeric text compare as numbers. */
export function distinctKey(v: Cell): string {
    const n = toNumber(v);
    return n !== null ? `n:${n}` : `s:${String(v)}`;
}

/** `1234567` -> `1,234,567` (the reload log's "Lines fetched" style). */
export function thousands(n: number): string {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
