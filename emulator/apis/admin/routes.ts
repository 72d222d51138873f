// Emulator admin endpoints on 127.0.0.1/localhost (no Qlik auth): request log, faults, state, info.
import type { Route } from "../../core/router";
import type { RequestContext } from "../../core/context";
import { apiError } from "../../core/errors";
import { json, noContent } from "../../core/http";

const ADMIN_TIER = { tier: "special" as const, limit: 1_000_000 };
const SECRET_KEY = /secret|password|token|^key$|^id$/i;

function redact(collection: string, v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => redact(collection, x));
    if (!v || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
        // Tokens, sessions and API keys are keyed by their secret value.
        const secretId = k === "id" && ["tokens", "apiKeys", "sessions"].includes(collection);
        out[k] =
            (SECRET_KEY.test(k) && (k !== "id" || secretId)) || (collection === "meta" && /Secret$/.test(k))
                ? "<redacted>"
                : redact(collection, x);
    }
    return out;
}

const admin = (
    method: Route["method"],
    path: string,
    handler: (ctx: RequestContext) => ReturnType<Route["handler"]>,
): Route => ({ method, path, host: "admin", auth: "none", tier: ADMIN_TIER, api: "admin", handler });

export const routes: Route[] = [
    admin("GET", "/_emulator/info", (ctx) => json(200, ctx.emu.info ?? {})),
    admin("GET", "/_emulator/requests", (ctx) => {
        const since = Number(ctx.query.get("since") ?? "0");
        return json(200, { data: ctx.emu.log.since(Number.isFinite(since) ? since : 0) });
    }),
    admin("DELETE", "/_emulator/requests", (ctx) => {
        ctx.emu.log.clear();
        return noContent();
    }),
    admin("GET", "/_emulator/faults", (ctx) => json(200, { rules: ctx.emu.faults.list(), seed: ctx.emu.faults.seed })),
    admin("POST", "/_emulator/faults", (ctx) => {
        const b = ctx.body as { rules?: unknown } | undefined;
        try {
            return json(201, { rules: ctx.emu.faults.add(b && typeof b === "object" ? b.rules : undefined) });
        } catch (e) {
            throw apiError("admin", 400, "EMULATOR-1", "Invalid fault rules", (e as Error).message);
        }
    }),
    admin("DELETE", "/_emulator/faults", (ctx) => {
        ctx.emu.faults.clear();
        return noContent();
    }),
    admin("GET", "/_emulator/state", (ctx) => {
        const out: Record<string, unknown> = {};
        for (const c of ctx.emu.store.collections()) out[c] = redact(c, ctx.emu.store.list(c));
        return json(200, out);
    }),
    admin("POST", "/_emulator/rate-limits/reset", (ctx) => {
        ctx.emu.limits.reset();
        return noContent();
    }),
    admin("POST", "/_emulator/clock/advance", (ctx) => {
        const ms = (ctx.body as { ms?: unknown } | undefined)?.ms;
        if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
            throw apiError("admin", 400, "EMULATOR-2", "ms must be a non-negative number");
        ctx.emu.clock.advance(ms);
        return json(200, { now: ctx.emu.clock.iso() });
    }),
];
