// Cursor pagination with full-URL links (links.self/next/prev.href), as Qlik list endpoints answer.
// Cursors are opaque (base64url offsets).
import { apiError, type ApiName } from "./errors";
import type { RequestContext } from "./context";

export interface PageOptions {
  api: ApiName;
  defaultLimit: number;
  maxLimit?: number;               // default 100
  cursorParams?: [string, string]; // default ["next", "prev"]; licenses/data-connections use ["page", "page"]
}

export interface Page<T> { data: T[]; links: Record<string, { href: string }> }

const enc = (n: number) => Buffer.from(`o:${n}`).toString("base64url");
function dec(s: string): number | undefined {
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(s, "base64url").toString("utf8"));
  return m ? Number(m[1]) : undefined;
}

export function readLimit(ctx: RequestContext, api: ApiName, def: number, max = 100): number {
  const raw = ctx.query.get("limit");
  if (raw === null || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw apiError(api, 400, "HTTP-400", "Bad request", `limit must be an integer between 1 and ${max}`);
  }
  return n;
}

export function paginate<T>(ctx: RequestContext, items: T[], o: PageOptions): Page<T> {
  const limit = readLimit(ctx, o.api, o.defaultLimit, o.maxLimit ?? 100);
  const [nextName, prevName] = o.cursorParams ?? ["next", "prev"];
  let offset = 0;
  for (const name of new Set([nextName, prevName])) {
    const c = ctx.query.get(name);
    if (c) {
      const n = dec(c);
      if (n === undefined) throw apiError(o.api, 400, "HTTP-400", "Bad request", `Invalid ${name} cursor`);
      offset = n;
    }
  }
  const data = items.slice(offset, offset + limit);
  const link = (cursorName: string | undefined, at: number | undefined) => {
    const q = new URLSearchParams(ctx.query);
    q.delete(nextName); q.delete(prevName);
    if (cursorName && at !== undefined) q.set(cursorName, enc(at));
    const qs = q.toString();
    return { href: `${ctx.baseUrl}${ctx.path}${qs ? `?${qs}` : ""}` };
  };
  const links: Record<string, { href: string }> = { self: link(offset > 0 ? nextName : undefined, offset > 0 ? offset : undefined) };
  if (offset + limit < items.length) links.next = link(nextName, offset + limit);
  if (offset > 0) links.prev = link(prevName, Math.max(0, offset - limit));
  return { data, links };
}
