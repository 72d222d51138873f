/**
 * Data connectors reachable from `LIB CONNECT TO`. The emulator implements one: datasourceID "sqlite",
 * whose connectionProperties.database is a SQLite file opened read-only. Every other data source fails
 * at connect time with a connector error, because there is no customer database to reach.
 * Error texts imitate Qlik's ODBC connector replies ("SQL##f - SqlState: ..., ErrorCode: ..., ErrorMsg: ...").
 */
import Database = require("better-sqlite3");
import type { ResolvedConnection } from "../reloadRunner";
import type { Cell } from "../data/cell";

export class ConnectorError extends Error {}

export interface SqlResult {
    fields: string[];
    rows: Cell[][];
}

export interface OpenConnection {
    query(sql: string): SqlResult | undefined; // undefined: statement returned no table
    close(): void;
}

const SQLITE_CODES: Record<string, number> = {
    SQLITE_ERROR: 1,
    SQLITE_PERM: 3,
    SQLITE_BUSY: 5,
    SQLITE_READONLY: 8,
    SQLITE_CANTOPEN: 14,
    SQLITE_NOTADB: 26,
};

function odbcText(e: unknown): string {
    const err = e as { code?: string; message?: string };
    const code = err.code && SQLITE_CODES[err.code] !== undefined ? SQLITE_CODES[err.code] : 1;
    return `SQL##f - SqlState: S1000, ErrorCode: ${code}, ErrorMsg: ${err.message ?? String(e)}`;
}

function toCell(v: unknown): Cell {
    if (v === null || v === undefined) return null;
    if (typeof v === "number" || typeof v === "string") return v;
    if (typeof v === "bigint") return Number(v);
    return null; // BLOBs have no representation in the data model
}

export function openConnection(conn: ResolvedConnection): OpenConnection {
    if (conn.datasourceID !== "sqlite") {
        throw new ConnectorError(
            `Connector connect error: Data source '${conn.datasourceID}' cannot be reached from the emulator (only 'sqlite' connections are supported)`,
        );
    }
    const file = conn.connectionProperties.database;
    if (typeof file !== "string" || file === "") {
        throw new ConnectorError(
            "Connector connect error: SQL##f - SqlState: S1000, ErrorCode: 14, ErrorMsg: no database file in connectionProperties.database",
        );
    }
    let db: Database.Database;
    try {
        db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (e) {
        throw new ConnectorError(`Connector connect error: ${odbcText(e)}`);
    }
    return {
        query(sql: string) {
            try {
                const stmt = db.prepare(sql);
                if (!stmt.reader) {
                    stmt.run();
                    return undefined;
                }
                const fields = stmt.columns().map((c) => c.name);
                const rows = (stmt.raw(true).all() as unknown[][]).map((r) => r.map(toCell));
                return { fields, rows };
            } catch (e) {
                throw new ConnectorError(`Connector reply error: ${odbcText(e)}`);
            }
        },
        close() {
            db.close();
        },
    };
}
