/**
 * What a reload runs (the load-script interpreter) and what it returns: the reloads model (REST reload) and the
 * engine's Doc.DoReload both call `runScript`, then persist the tables themselves. Tests swap the runner with
 * `reloadsModel(emu).setRunner(fake)`. `ctx.resolveConnection` returns undefined for an unknown connection; the
 * runner then fails the reload naming the LIB CONNECT line. Table cells: string | number | null.
 */
import type { DataTable } from "../apis/apps/appDocument";
// The interpreter imports only types from this file, so this is no runtime cycle.
import { executeScript } from "./script/interpreter";

export interface ResolvedConnection {
    datasourceID: string; // e.g. "sqlite", "mysql"
    connectionProperties: Record<string, unknown>; // e.g. { database: "/path/to/file.sqlite" } for sqlite
    qConnectStatement: string;
}

export interface ReloadRunContext {
    tenantId: string;
    appId?: string;
    spaceId?: string;
    /** Resolve `LIB CONNECT TO '[space:]name'`; spaceName undefined = the app's own space. */
    resolveConnection(name: string, spaceName?: string): ResolvedConnection | undefined;
}

export interface ReloadResult {
    ok: boolean;
    tables: DataTable[];
    log: string;
    error?: { line: number; message: string };
}

export type ReloadRunner = (script: string, ctx: ReloadRunContext) => Promise<ReloadResult>;

/**
 * The engine's ReloadRunner: runs a load script (subset documented in docs/load-script.md) and returns
 * the tables and the script progress log. The caller persists the tables (the REST reload or Doc.DoReload).
 */
export const runScript: ReloadRunner = (script, ctx) => executeScript(script, ctx);
