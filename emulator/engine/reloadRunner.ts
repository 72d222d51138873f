/**
 * Contract between the reloads REST area (emulator/apis/reloads) and the load-script interpreter (E3).
 * The reloads model calls a ReloadRunner with the app's current script; the runner returns the loaded
 * tables and a script progress log. Types only here; the engine provides an implementation.
 *
 * WHERE THE IMPLEMENTATION LIVES (agreed convention, E2 <-> E3): the module
 * `emulator/engine/script/runScript.ts` exports `runScript: ReloadRunner`. The reloads model loads it lazily
 * (so the REST areas work before the engine exists) and tests can replace it with
 * `reloadsModel(emu).setRunner(fake)`. `ctx.resolveConnection` returns undefined for an unknown connection;
 * the runner must then fail the reload with a clear message (line of the LIB CONNECT statement).
 * Table cells: string | number | null.
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
