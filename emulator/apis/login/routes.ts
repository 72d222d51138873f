// POST /login/jwt-session and GET /api/v1/csrf-token (docs/reference/qlik-cloud-api.md §2).
import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { tenantOf } from "../../core/http";
import { bearerOf } from "../../core/auth";
import { cookieSig } from "../../core/cookies";
import { loginModel } from "./model";

export const routes: Route[] = [
    {
        method: "POST",
        path: "/login/jwt-session",
        host: "tenant",
        auth: "none",
        tier: TIER2,
        api: "login",
        op: "login.jwt",
        handler: async (ctx) => {
            const s = await loginModel(ctx.emu).jwtSession(tenantOf(ctx).id, bearerOf(ctx.headers));
            const secret = ctx.emu.secrets.cookieSecret;
            const attrs = `Path=/; Expires=${new Date(s.expiresAt).toUTCString()}; Secure; SameSite=None`;
            return {
                status: 200,
                body: {},
                headers: {
                    "set-cookie": [
                        `eas.sid=${s.id}; ${attrs}; HttpOnly`,
                        `eas.sid.sig=${cookieSig(secret, "eas.sid", s.id)}; ${attrs}; HttpOnly`,
                        `_csrfToken=${s.csrfToken}; ${attrs}`,
                        `_csrfToken.sig=${cookieSig(secret, "_csrfToken", s.csrfToken)}; ${attrs}`,
                    ],
                },
            };
        },
    },
    {
        // Error style "login": the csrf spec's Error.status is a string (qliksense-csrf-api-openapi.yml); titles from its examples.
        method: "GET",
        path: "/api/v1/csrf-token",
        host: "tenant",
        auth: "bearer-or-cookie",
        tier: TIER1,
        api: "login",
        handler: (ctx) => {
            if (ctx.caller?.auth !== "cookie" || !ctx.caller.sessionId) {
                throw apiError(
                    "login",
                    400,
                    "CSRF-TOKEN-4",
                    "CSRF token not supported for given authentication type",
                    "CSRF tokens exist only for cookie sessions",
                );
            }
            const s = loginModel(ctx.emu).session(ctx.caller.sessionId);
            if (!s) throw apiError("login", 404, "CSRF-TOKEN-3", "No token found");
            return { status: 204, headers: { "qlik-csrf-token": s.csrfToken } };
        },
    },
];
