// Bearer credentials. Qlik OAuth tokens are bound to one host (docs/reference/qlik-cloud-api.md §0): the same region client
// needs a separate POST /oauth/token on the register host, the source tenant and each new tenant. Tokens are
// cached per host for the whole provider process (globalThis, see throttle.ts for why), refreshed ahead of
// expiry, and fetched single-flight so 8 parallel resources on a new tenant cause one token request.

import { Handler, Plugin, QlikRequest } from "./types";
import { registerSecret } from "./errors";

export type Credentials =
    { kind: "apiKey"; apiKey: string } | { kind: "oauth"; clientId: string; clientSecret: string; scope?: string };

interface CachedToken {
    token: string;
    expiresAt: number;
}

interface Entry {
    current?: CachedToken;
    pending?: Promise<CachedToken>;
}

export interface TokenCacheStats {
    fetches: number;
}

export class TokenCache {
    private readonly entries = new Map<string, Entry>();
    readonly stats: TokenCacheStats = { fetches: 0 };

    constructor(private readonly now: () => number = () => Date.now()) {}

    /**
     * A valid token for host. `fetchToken` is the raw token call (already retried/throttled by the caller).
     * Refresh margin: 5 minutes or 10% of the lifetime, whichever is smaller, so a long reload poll never
     * starts with a token about to die.
     */
    async get(key: string, fetchToken: () => Promise<{ token: string; expiresInMs: number }>): Promise<string> {
        const e = this.entry(key);
        const now = this.now();
        if (e.current && e.current.expiresAt > now) return e.current.token;
        if (!e.pending) {
            this.stats.fetches++;
            const started = now;
            e.pending = fetchToken()
                .then(({ token, expiresInMs }) => {
                    const margin = Math.min(5 * 60_000, expiresInMs * 0.1);
                    const t = { token, expiresAt: started + expiresInMs - margin };
                    e.current = t;
                    return t;
                })
                .finally(() => {
                    e.pending = undefined;
                });
        }
        return (await e.pending).token;
    }

    /** Drop the token after a 401, unless another caller already replaced it. */
    invalidate(key: string, token: string): void {
        const e = this.entries.get(key);
        if (e?.current?.token === token) e.current = undefined;
    }

    private entry(key: string): Entry {
        let e = this.entries.get(key);
        if (!e) {
            e = {};
            this.entries.set(key, e);
        }
        return e;
    }
}

const g = globalThis as typeof globalThis & { __qlikFleetTokens?: TokenCache };

export function globalTokenCache(): TokenCache {
    return (g.__qlikFleetTokens ??= new TokenCache());
}

/** Expiry from a token response: expires_in (seconds) first, then expires_at, else assume one hour. */
export function tokenLifetimeMs(body: Record<string, unknown>, now: number = Date.now()): number {
    if (typeof body.expires_in === "number" && body.expires_in > 0) return body.expires_in * 1000;
    if (typeof body.expires_at === "string") {
        const t = Date.parse(body.expires_at);
        if (!Number.isNaN(t) && t > now) return t - now;
    }
    return 60 * 60_000;
}

export interface AuthContext {
    credentials: () => Credentials;
    cache: () => TokenCache;
    /** Distinguishes caches when the same host name is served by different endpoints (emulator vs real). */
    cacheNamespace: () => string;
    /** The pipeline without auth: used for POST /oauth/token. */
    raw: Handler;
}

function cacheKey(ctx: AuthContext, host: string, creds: Credentials & { kind: "oauth" }): string {
    return `${ctx.cacheNamespace()}|${host}|${creds.clientId}`;
}

/** Obtain a token for host (cached). Exposed for the engine client, which needs the same Bearer. */
export async function bearerFor(ctx: AuthContext, host: string): Promise<string> {
    const creds = ctx.credentials();
    if (creds.kind === "apiKey") return creds.apiKey;
    return ctx.cache().get(cacheKey(ctx, host, creds), async () => {
        const body: Record<string, string> = {
            client_id: creds.clientId,
            client_secret: creds.clientSecret,
            grant_type: "client_credentials",
        };
        if (creds.scope) body.scope = creds.scope;
        const res = await ctx.raw({
            host,
            method: "POST",
            path: "/oauth/token",
            body,
            auth: false,
            // Asking twice for a token is harmless.
            idempotent: true,
            expect: [200],
            purpose: `get an OAuth token (client_credentials) for ${host}`,
        });
        const b = (res.body ?? {}) as Record<string, unknown>;
        if (typeof b.access_token !== "string" || !b.access_token) {
            throw new Error(`Qlik token endpoint of ${host} answered ${res.status} without access_token`);
        }
        registerSecret(b.access_token);
        return { token: b.access_token, expiresInMs: tokenLifetimeMs(b) };
    });
}

export function authPlugin(ctx: AuthContext): Plugin {
    return (next) => async (req: QlikRequest) => {
        if (req.auth === false) return next(req);
        const token = await bearerFor(ctx, req.host);
        const res = await next(withBearer(req, token));
        const creds = ctx.credentials();
        // One retry with a fresh token: the cached one may have been revoked or the tenant's keys rotated.
        // TENANT_DISABLED is also a 401, but a new token cannot fix that.
        if (res.status === 401 && creds.kind === "oauth" && !mentionsCode(res.body, "TENANT_DISABLED")) {
            ctx.cache().invalidate(cacheKey(ctx, req.host, creds), token);
            const fresh = await bearerFor(ctx, req.host);
            return next(withBearer(req, fresh));
        }
        return res;
    };
}

function withBearer(req: QlikRequest, token: string): QlikRequest {
    return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
}

function mentionsCode(body: unknown, code: string): boolean {
    if (!body || typeof body !== "object") return false;
    const errors = (body as { errors?: unknown }).errors;
    return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === code);
}
