/**
 * Doc.Evaluate / Doc.EvaluateEx over an app's loaded tables.
 * The QIX spec defines only the success shapes (qReturn string / qValue FieldValue). For an expression
 * the engine cannot compute, Evaluate answers with a result string starting "Error: " instead of a
 * JSON-RPC error (the chart-expression behaviour); the emulator does the same for both methods.
 */
import { Cell, formatNumber, toText } from "./cell";
import { parseStandalone } from "./expr";
import { evalExpr, modelScope } from "./evaluator";
import { DataTable } from "./table";

export interface FieldValue {
    qText: string;
    qIsNumeric: boolean;
    qNumber: number | "NaN";
}

export type EvalOutcome = { ok: true; value: Cell } | { ok: false; message: string };

export function evaluateInModel(expression: string, tables: DataTable[]): EvalOutcome {
    try {
        return { ok: true, value: evalExpr(parseStandalone(expression), modelScope(tables)) };
    } catch (e) {
        return { ok: false, message: (e as Error).message };
    }
}

export function evaluateText(expression: string, tables: DataTable[]): string {
    const r = evaluateInModel(expression, tables);
    return r.ok ? toText(r.value) : `Error: ${r.message}`;
}

export function evaluateDual(expression: string, tables: DataTable[]): FieldValue {
    const r = evaluateInModel(expression, tables);
    if (!r.ok) return { qText: `Error: ${r.message}`, qIsNumeric: false, qNumber: "NaN" };
    const v = r.value;
    // The engine serialises NaN as the string "NaN" in JSON (no JSON literal exists for it).
    if (typeof v === "number") return { qText: formatNumber(v), qIsNumeric: true, qNumber: v };
    return { qText: toText(v), qIsNumeric: false, qNumber: "NaN" };
}
