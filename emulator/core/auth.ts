// Resolves the caller of a request: Bearer (OAuth access token bound to the host, or API key of the tenant)
// or the jwt-session cookie (eas.sid + eas.sid.sig), with the CSRF rule for cookie writes. The credentials
// are looked up through emu.directory (core/context.ts Directory), never through an API model.
import type { AuthInput, Caller, Emulator } from "./context";
import { apiError, type ApiName } from "./errors";

/**
 * 401 in the error shape of the API that owns the route: each spec documents its own 401 body (groups and
 * identity-providers an integer `status`, licenses the `errorResponse` {error, message, errors}, tenants and
 * login a string `status`), so one login-style body for every API broke several schemas.
 */
const notAuthorized = (api: ApiName = "login") => apiError(api, 401, "LOGIN-1", "Not authorized");

export function bearerOf(headers: Record<string, string | undefined>, query?: URLSearchParams): string | undefined {
    const h = headers.authorization;
    if (h) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
        return m ? m[1] : undefined;
    }
    return query?.get("accessToken") ?? undefined;
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
function sessionFallback(bearer: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(bearer);
}

export interface AuthRequest extends AuthInput {
    method: string;
    /** The route also takes the session cookie (bearer-or-cookie). */
    cookie: boolean;
    /** A WebSocket upgrade: see authenticate(). */
    upgrade: boolean;
    query: URLSearchParams;
}

/**
 * The caller of a request, or a thrown 401/403 in the route's error style. A WebSocket upgrade differs from
 * REST in three documented ways: browsers cannot set headers on a websocket, so the access token may come
 * as the `accessToken` query parameter and the CSRF token as `qlik-csrf-token` in the URL
 * (`wss://<tenant>/app/<id>?qlik-web-integration-id=…&qlik-csrf-token=…`, as Qlik's embedding samples do) or
 * as the header Node clients send (the cookie auth of @qlik/api,
 * https://github.com/qlik-oss/qlik-api-ts/blob/main/docs/authentication.md); the upgrade is a GET yet
 * still needs the CSRF token; and a refused upgrade is a plain 401 (there is no CSRF error body to show).
 */
export function authenticate(emu: Emulator, r: AuthRequest, api: ApiName): Caller {
    const bearer = bearerOf(r.headers, r.upgrade ? r.query : undefined);
    let caller = bearer ? emu.directory.bearerCaller(r, bearer) : undefined;
    // A bearer that is neither an access token nor an API key (Qlik's JWT samples keep sending the signed
    // IdP JWT after /login/jwt-session) does not outvote a valid session cookie: see sessionFallback().
    const mayUseCookie = bearer === undefined ? r.upgrade || !r.headers.authorization : sessionFallback(bearer);
    if (!caller && r.cookie && mayUseCookie) {
        caller = emu.directory.cookieCaller(r);
        if (caller && (r.upgrade || (r.method !== "GET" && r.method !== "HEAD"))) {
            const want = emu.directory.sessionCsrf(caller);
            const sent = [r.headers["qlik-csrf-token"], r.upgrade ? r.query.get("qlik-csrf-token") : undefined];
            if (!want || !sent.includes(want)) {
                if (r.upgrade) throw notAuthorized(api);
                throw apiError(api, 403, "CSRF-TOKEN-1", "Forbidden", "Missing or invalid qlik-csrf-token header");
            }
        }
    }
    if (!caller) throw notAuthorized(api);
    return caller;
}
