/**
 * Syntax check of a load script without running it, shaped as the apps API's ScriptIssues
 * (POST /api/v1/apps/validatescript, qliksense-apps-api-openapi.yml: {Errors:[{Msg,Tab,Line,Column,Info}], Warnings}).
 * It uses the same lexer/parser as a reload, so what this accepts is what a reload can run.
 */
import { splitStatements } from "./lexer";
import { parseStatement } from "./parser";

export interface ScriptIssue {
    Msg: string;
    Tab: number;
    Line: number;
    Column: number;
    Info?: string;
}
export interface ScriptIssues {
    Errors: ScriptIssue[];
    Warnings: ScriptIssue[];
}

export function validateScript(script: string): ScriptIssues {
    const errors: ScriptIssue[] = [];
    try {
        for (const st of splitStatements(script)) {
            // $(...) expansions are only known at reload time: such statements cannot be checked statically.
            if (st.text.includes("$(")) continue;
            try {
                parseStatement(st.text, st.line);
            } catch (e) {
                errors.push({
                    Msg: e instanceof Error ? e.message : String(e),
                    Tab: 0,
                    Line: lineOf(e, st.line),
                    Column: 0,
                });
            }
        }
    } catch (e) {
        // The lexer itself failed (an unterminated string or comment): one error at its line.
        errors.push({ Msg: e instanceof Error ? e.message : String(e), Tab: 0, Line: lineOf(e, 1), Column: 0 });
    }
    return { Errors: errors, Warnings: [] };
}

function lineOf(e: unknown, fallback: number): number {
    const line = (e as { line?: unknown }).line;
    return typeof line === "number" && Number.isInteger(line) && line > 0 ? line : fallback;
}
