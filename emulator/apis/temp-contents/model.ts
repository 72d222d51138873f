// Temporary contents (docs/reference/qlik-cloud-api.md §7): short-lived blobs, e.g. app exports. Bytes are kept base64 in the
// store so they survive a restart with the same data dir; expired entries answer 410 until swept.
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { hex24 } from "../../core/ids";

const TEMP_CONTENTS = "tempContents";
const DEFAULT_TTL = 3600;
const MAX_TTL = 259200;

export interface TempContentRecord {
    id: string;
    tenantId: string;
    ownerId: string;
    filename: string;
    size: number;
    createdAt: string;
    expiresAt: string;
    ttlSeconds: number;
    data: string; // base64
}

export class TempContentsModel {
    constructor(private readonly emu: Emulator) {}

    create(tenantId: string, ownerId: string, data: Buffer, filename?: string, ttl?: number): TempContentRecord {
        const ttlSeconds = ttl === undefined ? DEFAULT_TTL : ttl;
        if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL) {
            throw domainError(
                "invalid",
                "TEMPCONTENT-1",
                "Bad request",
                `ttl must be an integer between 1 and ${MAX_TTL}.`,
            );
        }
        const now = this.emu.clock.now();
        const rec: TempContentRecord = {
            id: hex24(),
            tenantId,
            ownerId,
            filename: filename ?? "",
            size: data.length,
            createdAt: new Date(now).toISOString(),
            expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
            ttlSeconds,
            data: data.toString("base64"),
        };
        this.emu.store.put(TEMP_CONTENTS, rec.id, rec, tenantId);
        return rec;
    }

    /** The record, 404 if unknown in this tenant, 410 once expired. */
    get(tenantId: string, id: string): TempContentRecord {
        const rec = this.emu.store.get<TempContentRecord>(TEMP_CONTENTS, id);
        if (!rec || rec.tenantId !== tenantId)
            throw domainError("not-found", "TEMPCONTENT-4", "Not found", `Temporary content ${id} not found.`);
        if (Date.parse(rec.expiresAt) <= this.emu.clock.now()) {
            throw domainError("gone", "TEMPCONTENT-5", "Gone", `Temporary content ${id} has expired.`);
        }
        return rec;
    }

    bytes(rec: TempContentRecord): Buffer {
        return Buffer.from(rec.data, "base64");
    }

    details(rec: TempContentRecord): Record<string, unknown> {
        return {
            ID: rec.id,
            Name: rec.filename,
            Size: String(rec.size),
            CreatedAt: rec.createdAt,
            CreatorID: rec.ownerId,
            UpdatedAt: rec.createdAt,
            Expires: rec.expiresAt,
            TTLSeconds: rec.ttlSeconds,
        };
    }
}

export const tempContentsModel = (emu: Emulator): TempContentsModel =>
    emu.model("tempContents", (e) => new TempContentsModel(e));
