// Request body reading and parsing (JSON, form, or raw Buffer).
import type * as http from "node:http";
import { apiError, type ApiName } from "./errors";

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let over = false;
        req.on("data", (c: Buffer) => {
            size += c.length;
            if (size > limit) {
                over = true;
                chunks.length = 0;
                return;
            } // keep draining, drop data
            if (!over) chunks.push(c);
        });
        req.on("end", () => resolve(over ? "too-large" : Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

export function parseBody(api: ApiName, contentType: string | undefined, raw: Buffer): unknown {
    const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
    if (raw.length === 0) return ct === "application/octet-stream" ? raw : undefined;
    if (ct === "application/x-www-form-urlencoded") {
        return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
    }
    const looksJson = ct === "" || ct.endsWith("json") || ct === "text/plain";
    if (
        ct === "application/json" ||
        ct.endsWith("+json") ||
        (looksJson && /^\s*[[{"]/.test(raw.toString("utf8", 0, 64)))
    ) {
        try {
            return JSON.parse(raw.toString("utf8"));
        } catch {
            throw apiError(api, 400, "HTTP-400", "Bad request", "Request body is not valid JSON");
        }
    }
    return raw;
}
