// POST /login/jwt-session and GET /api/v1/csrf-token (docs/reference/qlik-cloud-api.md §2).
import type { Route } from "../../core/router";
import { TIER1, TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { tenantOf } from "../../core/http";
import { bearerOf } from "../../core/auth";
import { cookieSig } from "../../core/cookies";
import { identityProvidersModel, publicKeyOf } from "../identity-providers/model";
import { usersModel } from "../users/model";
import { loginModel } from "./model";
import { decodeJwt, verifySignature } from "./jwt";

export const JWT_AUDIENCE = "qlik.api/login/jwt-session";
const MAX_LIFETIME_S = 3600;
const denied = (detail: string) => apiError("login", 401, "LOGIN-2", "Not authorized", detail);

export const routes: Route[] = [
    {
        method: "POST",
        path: "/login/jwt-session",
        host: "tenant",
        auth: "none",
        tier: TIER2,
        api: "login",
        op: "login.jwt",
        handler: (ctx) => {
            const tenant = tenantOf(ctx);
            const raw = bearerOf(ctx.headers);
            if (!raw) throw denied("Missing Authorization: Bearer <JWT>");
            const jwt = decodeJwt(raw);
            if (!jwt) throw denied("Malformed JWT");
            const { header, claims } = jwt;
            const idp = identityProvidersModel(ctx.emu)
                .list(tenant.id)
                .find(
                    (p) =>
                        p.active && p.options.jwtLoginEnabled !== false && p.options.staticKeys[0]?.kid === header.kid,
                );
            if (!idp) throw denied("No JWT identity provider with this kid");
            const key = publicKeyOf(idp.options.staticKeys[0].pem);
            if (!key || !verifySignature(header.alg, key, jwt))
                throw denied("Invalid signature or unsupported algorithm");
            if (claims.iss !== idp.options.issuer) throw denied("Invalid iss");
            const aud = claims.aud;
            if (!(aud === JWT_AUDIENCE || (Array.isArray(aud) && aud.includes(JWT_AUDIENCE))))
                throw denied(`aud must be ${JWT_AUDIENCE}`);
            if (typeof claims.sub !== "string" || claims.sub.length === 0 || claims.sub.length > 512)
                throw denied("Missing sub");
            if (claims.subType !== undefined && claims.subType !== "user") throw denied('subType must be "user"');
            const { nbf, exp } = claims;
            if (typeof nbf !== "number" || typeof exp !== "number") throw denied("nbf and exp are required");
            if (exp - nbf > MAX_LIFETIME_S) throw denied("exp - nbf must not exceed 1 hour");
            const now = ctx.emu.clock.now() / 1000,
                tol = idp.clockToleranceSec;
            if (now + tol < nbf) throw denied("Token not yet valid (nbf)");
            if (now - tol >= exp) throw denied("Token expired");
            if (typeof claims.jti !== "string" || claims.jti.length === 0) throw denied("Missing jti");
            const groups = claims.groups;
            if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")))
                throw denied("groups must be an array of strings");
            for (const f of ["name", "email"] as const)
                if (claims[f] !== undefined && typeof claims[f] !== "string") throw denied(`${f} must be a string`);
            if (!loginModel(ctx.emu).useJti(tenant.id, claims.jti, exp * 1000))
                throw denied("jti has already been used");
            const existing = usersModel(ctx.emu).bySubject(tenant.id, claims.sub);
            if (existing?.status === "disabled") throw denied("User is disabled");
            const user = usersModel(ctx.emu).upsertFromLogin(tenant.id, {
                sub: claims.sub,
                name: claims.name as string | undefined,
                email: claims.email as string | undefined,
                groups: groups as string[] | undefined,
            });
            const s = loginModel(ctx.emu).createSession(tenant.id, user.id);
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
