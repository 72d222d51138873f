// Resolves the caller of a request: Bearer (OAuth access token bound to the host, or API key of the
// tenant) or the jwt-session cookie (eas.sid + eas.sid.sig), with the CSRF rule for cookie writes.
import type { Caller, Emulator, HostKind, Tenant } from "./context";
import { apiError, type ApiName } from "./errors";
import { cookieSig, parseCookies, safeEqual } from "./cookies";
import { oauthModel } from "../apis/oauth/model";
import { usersModel } from "../apis/users/model";
import { loginModel } from "../apis/login/model";

export interface AuthInput {
    host: string;
    hostKind: HostKind;
    tenant?: Tenant;
    headers: Record<string, string | undefined>;
    query?: URLSearchParams;
}

/**
 * 401 in the error shape of the API that owns the route: each spec documents its own 401 body (groups and
 * identity-providers an integer `status`, licenses the `errorResponse` {error, message, errors}, tenants and
 * login a string `status`), so one login-style body for every API broke several schemas.
 */
export const notAuthorized = (api: ApiName = "login") => apiError(api, 401, "LOGIN-1", "Not authorized");

export function bearerOf(headers: Record<string, string | undefined>, query?: URLSearchParams): string | undefined {
    const h = headers.authorization;
    if (h) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
        return m ? m[1] : undefined;
    }
    return query?.get("accessToken") ?? undefined;
}

export function bearerCaller(emu: Emulator, a: AuthInput, value: string): Caller | undefined {
    const oauth = oauthModel(emu);
    const tok = oauth.token(value, a.host);
    if (tok) {
        if (a.hostKind === "register") {
            return {
                kind: "bot",
                userId: `bot:${tok.clientId}`,
                subject: `qlikbot\\${tok.clientId}`,
                tenantId: "",
                roles: ["TenantAdmin"],
                groupIds: [],
                clientId: tok.clientId,
                auth: "bearer",
            };
        }
        if (!a.tenant || tok.tenantId !== a.tenant.id) return undefined;
        return usersModel(emu).caller(usersModel(emu).bot(a.tenant.id, tok.clientId), "bot", "bearer");
    }
    const key = oauth.apiKey(value);
    if (key && a.tenant && key.tenantId === a.tenant.id) {
        const u = usersModel(emu).get(key.tenantId, key.userId);
        return u && u.status !== "disabled" ? usersModel(emu).caller(u, "apikey", "bearer") : undefined;
    }
    return undefined;
}

export function cookieCaller(emu: Emulator, a: AuthInput): Caller | undefined {
    if (!a.tenant) return undefined;
    const c = parseCookies(a.headers.cookie);
    const sid = c["eas.sid"],
        sig = c["eas.sid.sig"];
    if (!sid || !sig || !safeEqual(sig, cookieSig(emu.secrets.cookieSecret, "eas.sid", sid))) return undefined;
    const s = loginModel(emu).session(sid);
    if (!s || s.tenantId !== a.tenant.id) return undefined;
    const u = usersModel(emu).get(s.tenantId, s.userId);
    if (!u || u.status === "disabled") return undefined;
    return { ...usersModel(emu).caller(u, "user", "cookie"), sessionId: s.id };
}

/**
 * Whether an unrecognised bearer may fall back to the session cookie: only a signed IdP JWT (three
 * base64url parts) does. Qlik's JWT samples (qlik.dev "Implement JWT Authorization",
 * https://qlik.dev/authenticate/jwt/implement-jwt-authorization/, and the embedding samples built on it)
 * call /login/jwt-session with `Authorization: Bearer <JWT>` and then keep that header on
 * `fetch(".../api/v1/users/me", {credentials: "include"})`, expecting 200 from the session cookie: the
 * edge authenticates the session and does not treat the IdP JWT as an access token. Garbage bearers
 * (not a JWT) still answer 401, like an expired or revoked access token.
 */
export function sessionFallback(bearer: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(bearer);
}

/** CSRF token of the caller's cookie session (undefined for bearer callers). */
export function sessionCsrf(emu: Emulator, caller: Caller): string | undefined {
    return caller.sessionId ? loginModel(emu).session(caller.sessionId)?.csrfToken : undefined;
}
