// The emulator's app export container (our stand-in for a .qvf; documented in docs/emulator.md):
//   bytes 0..7  ASCII "QEMU-QVF" (magic)
//   byte  8     container version (1)
//   bytes 9..   gzip(JSON ExportedApp)
// Import accepts only this container; anything else is rejected as "not a valid app file".
import * as zlib from "node:zlib";
import type { AppObject, DataTable, ScriptVersion } from "./appDocument";

const EXPORT_MAGIC = Buffer.from("QEMU-QVF", "ascii");
const EXPORT_VERSION = 1;

export interface ExportedApp {
    format: "qlik-emulator-app";
    version: 1;
    exportedAt: string;
    attributes: { name: string; description: string; usage: string; locale?: string; hasSectionAccess: boolean };
    scripts: ScriptVersion[];
    currentScriptId: string;
    objects: Record<string, AppObject>;
    tables: DataTable[]; // empty when exported with NoData=true
    hasData: boolean;
}

export function encodeExport(app: ExportedApp): Buffer {
    return Buffer.concat([
        EXPORT_MAGIC,
        Buffer.from([EXPORT_VERSION]),
        zlib.gzipSync(Buffer.from(JSON.stringify(app), "utf8")),
    ]);
}

/** Decodes a container; returns a reason string when the bytes are not one we can read. */
export function decodeExport(buf: Buffer): ExportedApp | string {
    if (buf.length < 10 || !buf.subarray(0, 8).equals(EXPORT_MAGIC))
        return "not a Qlik emulator app file (bad magic header)";
    if (buf[8] !== EXPORT_VERSION) return `unsupported app file version ${buf[8]}`;
    try {
        const parsed = JSON.parse(zlib.gunzipSync(buf.subarray(9)).toString("utf8")) as ExportedApp;
        if (
            parsed.format !== "qlik-emulator-app" ||
            !Array.isArray(parsed.scripts) ||
            typeof parsed.objects !== "object"
        ) {
            return "corrupt app file";
        }
        return parsed;
    } catch {
        return "corrupt app file";
    }
}
