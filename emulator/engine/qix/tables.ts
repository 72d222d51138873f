/** Doc.GetTablesAndKeys result (TableRecord / SourceKeyRecord) computed from the loaded tables. */
import { Cell, distinctKey } from "../data/cell";
import type { DataTable } from "../data/table";

export function tablesAndKeys(tables: DataTable[]): { qtr: unknown[]; qk: unknown[] } {
    const holders = new Map<string, string[]>();
    for (const t of tables) for (const f of t.fields) holders.set(f, [...(holders.get(f) ?? []), t.name]);
    const qtr = tables.map((t, ti) => ({
        qName: t.name,
        qLoose: false,
        qNoOfRows: t.rows.length,
        qFields: t.fields.map((f, i) => {
            const values = t.rows.map((r) => r[i] as Cell);
            const nonNull = values.filter((v) => v !== null);
            const distinct = new Set(nonNull.map(distinctKey)).size;
            const isKey = (holders.get(f) ?? []).length > 1;
            return {
                qName: f,
                qOriginalFields: [],
                qPresent: true,
                qHasNull: nonNull.length < values.length,
                qHasWild: false,
                qHasDuplicates: distinct < nonNull.length,
                qIsSynthetic: false,
                qInformationDensity: values.length ? nonNull.length / values.length : 0,
                qnNonNulls: nonNull.length,
                qnRows: values.length,
                qSubsetRatio: 1,
                qnTotalDistinctValues: distinct,
                qnPresentDistinctValues: distinct,
                qKeyType: !isKey ? "NOT_KEY" : distinct === nonNull.length ? "PRIMARY_KEY" : "ANY_KEY",
                qComment: "",
                qTags: [],
                qDerivedFields: [],
                qIsFieldOnTheFly: false,
                qReadableName: f,
            };
        }),
        qPos: { qx: ti * 200, qy: 0 },
        qComment: "",
        qIsDirectDiscovery: false,
        qIsSynthetic: false,
        qTableTags: [],
        qProfilingData: {},
    }));
    const qk = [...holders.entries()]
        .filter(([, ts]) => ts.length > 1)
        .map(([f, ts]) => ({ qKeyFields: [f], qTables: ts }));
    return { qtr, qk };
}
