import type { DataTable } from "../../apis/apps/appDocument";
import type { Cell } from "./cell";

export type { DataTable };

/**
 * Simplification (documented in docs/load-script.md): the emulator has no associative engine.
 * A field that lives in several tables (a key) is read from the FIRST loaded table that holds it.
 */
export function tableWithField(tables: DataTable[], field: string): DataTable | undefined {
    return tables.find((t) => t.fields.includes(field));
}

/** The table holding all `fields`, else the one holding most of them (missing fields read as null). */
export function tableForFields(tables: DataTable[], fields: string[]): DataTable | undefined {
    let best: DataTable | undefined;
    let bestHits = 0;
    for (const t of tables) {
        const hits = fields.filter((f) => t.fields.includes(f)).length;
        if (hits > bestHits) {
            best = t;
            bestHits = hits;
        }
    }
    return best;
}

export function findTable(tables: DataTable[], name: string): DataTable | undefined {
    return tables.find((t) => t.name === name);
}

/** Column of one field as cells (empty when the table does not hold it). */
export function column(t: DataTable, field: string): Cell[] {
    const i = t.fields.indexOf(field);
    return i < 0 ? [] : t.rows.map((r) => r[i] as Cell);
}
