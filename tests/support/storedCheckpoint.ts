// Reads a checkpoint the way a DIY backend stored it: plain JSON, or gzip (PULUMI_DIY_BACKEND_GZIP, which
// scripts/lib/engine.js sets by default) or zstd. Pulumi writes `<stack>.json[.gz|.zst]` and keeps the most
// recently written variant (pkg/backend/diy/state.go, stackPath), so tests that read the file directly look
// for each name rather than assuming `.json`.
import * as fs from "fs";
import * as zlib from "zlib";

/** The stored bytes as JSON text, whatever compression they were written with (by their magic bytes). */
export function checkpointText(bytes: Buffer): string {
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return zlib.gunzipSync(bytes).toString("utf8");
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xfd2fb528) {
        const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
        if (!zstd) throw new Error("a zstd checkpoint needs Node.js >= 22.15 (zlib.zstdDecompressSync)");
        return zstd(bytes).toString("utf8");
    }
    return bytes.toString("utf8");
}

/** The newest of `<base>.json`, `<base>.json.gz`, `<base>.json.zst` (base = the path without `.json`). */
export function storedCheckpointFile(base: string): string | undefined {
    const plain = base.endsWith(".json") ? base : `${base}.json`;
    const found = [plain, `${plain}.gz`, `${plain}.zst`].filter((f) => fs.existsSync(f));
    found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    return found[0];
}

/** The parsed checkpoint of a file backend's stack, or undefined when the stack has none. */
export function readStoredCheckpoint<T = unknown>(base: string): T | undefined {
    const file = storedCheckpointFile(base);
    return file === undefined ? undefined : (JSON.parse(checkpointText(fs.readFileSync(file))) as T);
}
