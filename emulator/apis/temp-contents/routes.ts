// HTTP surface of temporary contents (docs/reference/qlik-cloud-api.md §7): upload 201 + Location, download with Range (206),
// 410 once expired, /details.
import { apiError } from "../../core/errors";
import { json } from "../../core/http";
import { TIER1, TIER2 } from "../../core/limits";
import { tenantRoutes, type Route } from "../../core/router";
import { who } from "../apps/routeUtil";
import { tempContentsModel } from "./model";

const API = "temp-contents" as const;

/**
 * RFC 6266 section 4.3 / RFC 5987: an ASCII `filename` fallback plus `filename*=UTF-8''<pct-encoded>`, so a
 * name like "€-report.qvf" survives (Node refuses non-Latin-1 header values, which used to crash the download).
 * https://www.rfc-editor.org/rfc/rfc6266#section-4.3 ; https://www.rfc-editor.org/rfc/rfc5987#section-3.2
 */
function contentDisposition(filename: string): string {
    const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
    // encodeURIComponent leaves ' ( ) * ! which RFC 5987 attr-char does not allow: encode them too.
    const ext = encodeURIComponent(filename).replace(
        /['()*!]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    return ascii === filename
        ? `attachment; filename="${ascii}"`
        : `attachment; filename="${ascii}"; filename*=UTF-8''${ext}`;
}

const r = tenantRoutes(API, { bodyLimit: 200 * 1024 * 1024 });

export const routes: Route[] = [
    r("POST", "/api/v1/temp-contents", TIER2, (ctx) => {
        const { tenantId, actor } = who(ctx, API);
        // The spec marks the octet-stream body `required: true` (qliksense-temporary-contents-api-openapi.yml):
        // an upload without content is a 400, not an empty file.
        if (ctx.rawBody.length === 0)
            throw apiError(
                API,
                400,
                "TEMPCONTENT-2",
                "Bad request",
                "The request body (the file content) is required.",
            );
        const ttlRaw = ctx.query.get("ttl");
        const ttl = ttlRaw === null || ttlRaw === "" ? undefined : Number(ttlRaw);
        const rec = tempContentsModel(ctx.emu).create(
            tenantId,
            actor.userId,
            ctx.rawBody,
            ctx.query.get("filename") ?? undefined,
            ttl,
        );
        return { status: 201, headers: { location: `/api/v1/temp-contents/${rec.id}` } };
    }),
    r("GET", "/api/v1/temp-contents/:id", TIER1, (ctx) => {
        const { tenantId } = who(ctx, API);
        const m = tempContentsModel(ctx.emu);
        const rec = m.get(tenantId, ctx.params.id);
        const bytes = m.bytes(rec);
        const headers: Record<string, string> = {
            "content-type": "application/octet-stream",
            "accept-ranges": "bytes",
            "content-disposition": contentDisposition(rec.filename),
        };
        if (bytes.length === 0) return { status: 204, headers };
        const range = ctx.headers.range;
        if (range) {
            const m2 = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
            let start = m2 && m2[1] !== "" ? Number(m2[1]) : NaN;
            let end = m2 && m2[2] !== "" ? Number(m2[2]) : bytes.length - 1;
            if (m2 && m2[1] === "" && m2[2] !== "") {
                start = Math.max(0, bytes.length - Number(m2[2]));
                end = bytes.length - 1;
            }
            if (!m2 || Number.isNaN(start) || start >= bytes.length || end < start) {
                const e = apiError(API, 416, "TEMPCONTENT-6", "Range not satisfiable", `Invalid range ${range}.`);
                e.headers["content-range"] = `bytes */${bytes.length}`;
                throw e;
            }
            end = Math.min(end, bytes.length - 1);
            headers["content-range"] = `bytes ${start}-${end}/${bytes.length}`;
            return { status: 206, body: bytes.subarray(start, end + 1), headers };
        }
        return { status: 200, body: bytes, headers };
    }),
    r("GET", "/api/v1/temp-contents/:id/details", TIER1, (ctx) => {
        const { tenantId } = who(ctx, API);
        const m = tempContentsModel(ctx.emu);
        return json(200, m.details(m.get(tenantId, ctx.params.id)));
    }),
];
