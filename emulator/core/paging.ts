// Cursor pagination with full-URL links (links.self/next/prev.href), as Qlik list endpoints answer.
// Cursors are opaque (base64url offsets).
import * as crypto from "node:crypto";
import { apiError, type ApiName } from "./errors";
import type { RequestContext } from "./context";

export interface PageOptions {
    api: ApiName;
    defaultLimit: number;
    maxLimit?: number; // default 100; Infinity where the spec sets no maximum
    cursorParams?: [string, string]; // default ["next", "prev"]; licenses/data-connections use ["page", "page"]
}

export interface Page<T> {
    data: T[];
    links: Record<string, { href: string }>;
}

/**
 * Cursors are opaque to clients but must be ours: an offset plus an HMAC with the emulator's secret. A cursor
 * the client made up (or edited) is a 400, as Qlik's services answer for a `next`/`page` value they did not
 * issue, instead of silently paging from an arbitrary offset.
 */
const sig = (ctx: RequestContext, n: number) =>
    crypto.createHmac("sha256", ctx.emu.secrets.cookieSecret).update(`cursor:${n}`).digest("base64url").slice(0, 16);
const enc = (ctx: RequestContext, n: number) => `${Buffer.from(`o:${n}`).toString("base64url")}.${sig(ctx, n)}`;
function dec(ctx: RequestContext, s: string): number | undefined {
    const [body, mac, extra] = s.split(".");
    if (!body || !mac || extra !== undefined) return undefined;
    const m = /^o:(\d{1,9})$/.exec(Buffer.from(body, "base64url").toString("utf8"));
    if (!m) return undefined;
    const n = Number(m[1]);
    const want = Buffer.from(sig(ctx, n)),
        got = Buffer.from(mac);
    return want.length === got.length && crypto.timingSafeEqual(want, got) ? n : undefined;
}

/**
 * `limit` as the spec types it: most lists say `type: number` with minimum 1 and maximum 100, so 2.5 is a
 * valid value (read as 2), and spaces documents no maximum at all (max = Infinity there).
 */
function readLimit(ctx: RequestContext, api: ApiName, def: number, max = 100): number {
    const raw = ctx.query.get("limit");
    if (raw === null || raw === "") return def;
    const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n < 1 || n > max) {
        throw apiError(
            api,
            400,
            "HTTP-400",
            "Bad request",
            max === Infinity ? "limit must be a number of at least 1" : `limit must be a number between 1 and ${max}`,
        );
    }
    return Math.floor(n);
}

export function paginate<T>(ctx: RequestContext, items: T[], o: PageOptions): Page<T> {
    const limit = readLimit(ctx, o.api, o.defaultLimit, o.maxLimit ?? 100);
    const [nextName, prevName] = o.cursorParams ?? ["next", "prev"];
    let offset = 0;
    for (const name of new Set([nextName, prevName])) {
        const c = ctx.query.get(name);
        if (c) {
            const n = dec(ctx, c);
            if (n === undefined) throw apiError(o.api, 400, "HTTP-400", "Bad request", `Invalid ${name} cursor`);
            offset = n;
        }
    }
    const data = items.slice(offset, offset + limit);
    const link = (cursorName: string | undefined, at: number | undefined) => {
        const q = new URLSearchParams(ctx.query);
        q.delete(nextName);
        q.delete(prevName);
        if (cursorName && at !== undefined) q.set(cursorName, enc(ctx, at));
        const qs = q.toString();
        return { href: `${ctx.baseUrl}${ctx.path}${qs ? `?${qs}` : ""}` };
    };
    const links: Record<string, { href: string }> = {
        self: link(offset > 0 ? nextName : undefined, offset > 0 ? offset : undefined),
    };
    if (offset + limit < items.length) links.next = link(nextName, offset + limit);
    if (offset > 0) links.prev = link(prevName, Math.max(0, offset - limit));
    return { data, links };
}
