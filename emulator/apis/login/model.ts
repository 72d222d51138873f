// The rules of POST /login/jwt-session (docs/reference/qlik-cloud-api.md §2; qlik.dev "Implement JWT
// Authorization", https://qlik.dev/authenticate/jwt/implement-jwt-authorization/): which JWT opens a cookie
// session, the sessions themselves, and the jti replay list. Signature and registered claims are checked
// by jose (jwtVerify); the Qlik-specific claim rules follow it.
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import * as ids from "../../core/ids";
import { identityProvidersModel, publicKeyOf } from "../identity-providers/model";
import { usersModel } from "../users/model";
import { licensesModel } from "../licenses/model";

export interface Session {
    id: string;
    tenantId: string;
    userId: string;
    csrfToken: string;
    created: number;
    expiresAt: number;
}

export const JWT_AUDIENCE = "qlik.api/login/jwt-session";
/** Qlik refuses login JWTs that live longer than an hour (exp - nbf). */
const MAX_LIFETIME_S = 3600;
const SESSION_TTL_MS = 8 * 3600_000;
/** Asymmetric algorithms only: the IdP holds a public key, so HS* (and "none") can never verify. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const MAX_TOKEN_CHARS = 64 * 1024;

const denied = (detail: string) => domainError("not-authorized", "LOGIN-2", "Not authorized", detail);

/** jose's verdict in the words the emulator has always used (tests and users read these details). */
function deniedBy(e: unknown): Error {
    if (e instanceof joseErrors.JWTExpired) return denied("Token expired");
    if (e instanceof joseErrors.JWTClaimValidationFailed) {
        if (e.claim === "iss") return denied("Invalid iss");
        if (e.claim === "aud") return denied(`aud must be ${JWT_AUDIENCE}`);
        if (e.claim === "nbf" && e.reason === "check_failed") return denied("Token not yet valid (nbf)");
        if (e.claim === "nbf" || e.claim === "exp") return denied("nbf and exp are required");
        return denied(`Invalid ${e.claim}`);
    }
    if (e instanceof joseErrors.JWTInvalid) return denied("Malformed JWT");
    if (e instanceof joseErrors.JOSEError) return denied("Invalid signature or unsupported algorithm");
    return e instanceof Error ? e : new Error(String(e));
}

export class LoginModel {
    constructor(private readonly emu: Emulator) {}

    /**
     * Verifies a login JWT for `tenantId` (kid -> the tenant's active JWT IdP, signature, iss, aud, nbf/exp with
     * the IdP's clock tolerance, lifetime, sub, jti once, claim types), upserts its user and opens a session.
     */
    async jwtSession(tenantId: string, token: string | undefined): Promise<Session> {
        if (!token) throw denied("Missing Authorization: Bearer <JWT>");
        let kid: unknown;
        try {
            if (token.length > MAX_TOKEN_CHARS) throw new Error("too long");
            kid = decodeProtectedHeader(token).kid;
        } catch {
            throw denied("Malformed JWT");
        }
        const idp = identityProvidersModel(this.emu)
            .list(tenantId)
            .find((p) => p.active && p.options.jwtLoginEnabled !== false && p.options.staticKeys[0]?.kid === kid);
        if (!idp) throw denied("No JWT identity provider with this kid");
        const key = publicKeyOf(idp.options.staticKeys[0].pem);
        if (!key) throw denied("Invalid signature or unsupported algorithm");
        let claims: JWTPayload;
        try {
            ({ payload: claims } = await jwtVerify(token, key, {
                algorithms: ALGORITHMS,
                issuer: idp.options.issuer,
                audience: JWT_AUDIENCE,
                clockTolerance: idp.clockToleranceSec,
                currentDate: new Date(this.emu.clock.now()),
                requiredClaims: ["nbf", "exp"],
            }));
        } catch (e) {
            throw deniedBy(e);
        }
        return this.openSession(tenantId, claims);
    }

    private openSession(tenantId: string, claims: JWTPayload): Session {
        const { nbf, exp, sub, jti } = claims as { nbf: number; exp: number; sub?: unknown; jti?: unknown };
        if (exp - nbf > MAX_LIFETIME_S) throw denied("exp - nbf must not exceed 1 hour");
        if (typeof sub !== "string" || sub.length === 0 || sub.length > 512) throw denied("Missing sub");
        if (claims.subType !== undefined && claims.subType !== "user") throw denied('subType must be "user"');
        if (typeof jti !== "string" || jti.length === 0) throw denied("Missing jti");
        const groups = claims.groups;
        if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")))
            throw denied("groups must be an array of strings");
        for (const f of ["name", "email"] as const)
            if (claims[f] !== undefined && typeof claims[f] !== "string") throw denied(`${f} must be a string`);
        if (!this.useJti(tenantId, jti, exp * 1000)) throw denied("jti has already been used");
        const users = usersModel(this.emu);
        if (users.bySubject(tenantId, sub)?.status === "disabled") throw denied("User is disabled");
        const user = users.upsertFromLogin(tenantId, {
            sub,
            name: claims.name as string | undefined,
            email: claims.email as string | undefined,
            groups: groups as string[] | undefined,
        });
        // Signing in without an assignment is when the tenant's license auto-assignment acts (PUT
        // /api/v1/licenses/settings, docs/reference/qlik-cloud-api.md §3); an assigned user keeps its type.
        licensesModel(this.emu).autoAssign(tenantId, sub);
        return this.createSession(tenantId, user.id);
    }

    createSession(tenantId: string, userId: string): Session {
        const now = this.emu.clock.now();
        const s: Session = {
            id: ids.token(24),
            tenantId,
            userId,
            csrfToken: ids.token(18),
            created: now,
            expiresAt: now + SESSION_TTL_MS,
        };
        this.emu.store.put("sessions", s.id, s, tenantId);
        return s;
    }

    session(id: string): Session | undefined {
        const s = this.emu.store.get<Session>("sessions", id);
        if (!s) return undefined;
        if (s.expiresAt <= this.emu.clock.now()) {
            this.emu.store.delete("sessions", id);
            return undefined;
        }
        return s;
    }

    /** Records a jti; false when it was seen before (replay). Entries live until the token expired. */
    useJti(tenantId: string, jti: string, expMs: number): boolean {
        const key = `${tenantId}:${jti}`;
        const seen = this.emu.store.get<{ exp: number }>("jtis", key);
        if (seen && seen.exp + 3600_000 > this.emu.clock.now()) return false;
        this.emu.store.put("jtis", key, { exp: expMs }, tenantId);
        return true;
    }
}

export const loginModel = (emu: Emulator): LoginModel => emu.model("login", (e) => new LoginModel(e));
