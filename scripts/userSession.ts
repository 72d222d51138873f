// What a customer's user goes through, done the way an ISV's web portal does it: sign a JWT with
// the tenant's JWT identity-provider key, exchange it at /login/jwt-session for a session cookie,
// then open the published app over the engine with that cookie. Used by `npm start` to prove the
// fleet works and by the fleet tests.
import * as crypto from "crypto";
import * as http from "http";
import * as https from "https";
import { SignJWT } from "jose";
import { openQixDoc, QixOpenError, type QixDoc } from "./template/qix";

export const JWT_AUDIENCE = "qlik.api/login/jwt-session";

export interface JwtUser {
    subject: string;
    name: string;
    email: string;
    groups: string[];
}

export interface JwtSigner {
    /** PEM (PKCS#8 or PKCS#1) private key matching the identity provider's public key. */
    privateKey: string;
    keyId: string;
    issuer: string;
}

/** A resource of `pulumi stack export --show-secrets` (the Automation API's exportStack shows them too). */
export interface ExportedResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

/** A shown secret of an export is `{<sig>: ..., plaintext: "<the value as JSON>"}`; anything else is itself. */
function shown(v: unknown): unknown {
    if (typeof v === "object" && v !== null && "plaintext" in v)
        return JSON.parse(String((v as { plaintext: unknown }).plaintext));
    return v;
}

/**
 * The signer of customer `name`'s tenant, read from the state of its JwtIdentityProvider (`<name>-jwt`, a child of
 * CustomerTenant `name`): the only stored copy of a generated private key (docs/state-size.md). Undefined when the
 * stack has no such identity provider, or it holds no private key (the ISV passed its own public key) or only a
 * ciphertext (an export without --show-secrets).
 */
export function jwtSignerFromState(resources: ExportedResource[], name: string): JwtSigner | undefined {
    const idp = resources.find((r) => r.type.endsWith(":JwtIdentityProvider") && r.urn.endsWith(`::${name}-jwt`));
    const o = idp?.outputs;
    const privateKey = shown(o?.privateKeyPem);
    if (!o || typeof privateKey !== "string") return undefined;
    return { privateKey, keyId: String(shown(o.keyId)), issuer: String(shown(o.issuer)) };
}

/**
 * RS256 JWT with the claims Qlik's /login/jwt-session requires (lifetime <= 1 hour; the claims are listed in
 * docs/reference/qlik-cloud-api.md, "JWT login"), signed with jose.
 */
export async function signUserJwt(
    signer: JwtSigner,
    user: JwtUser,
    lifetimeSec = 300,
    now = Math.floor(Date.now() / 1000),
): Promise<string> {
    // A KeyObject, because the identity provider's keys may be PKCS#1 PEM, which jose's importPKCS8 refuses.
    const key = crypto.createPrivateKey(signer.privateKey);
    return new SignJWT({
        subType: "user",
        name: user.name,
        email: user.email,
        email_verified: true,
        groups: user.groups,
    })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: signer.keyId })
        .setIssuer(signer.issuer)
        .setAudience(JWT_AUDIENCE)
        .setSubject(user.subject)
        .setJti(crypto.randomUUID())
        .setIssuedAt(now)
        .setNotBefore(now - 5)
        .setExpirationTime(now + Math.min(lifetimeSec, 3600 - 5))
        .sign(key);
}

export interface UserSession {
    host: string;
    /** Cookie header value (eas.sid, eas.sid.sig, _csrfToken, _csrfToken.sig). */
    cookie: string;
    csrfToken: string;
}

interface RawResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** node:http because fetch cannot send a Host header other than the URL's. */
function request(
    origin: string,
    host: string,
    method: string,
    path: string,
    headers: Record<string, string>,
): Promise<RawResponse> {
    const u = new URL(path, origin);
    const lib = u.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = lib.request(u, { method, headers: { Host: host, ...headers }, timeout: 30_000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`${method} ${host}${path}: timeout`)));
        req.on("error", reject);
        req.end();
    });
}

export async function jwtLogin(origin: string, host: string, jwt: string): Promise<UserSession> {
    const res = await request(origin, host, "POST", "/login/jwt-session", { Authorization: `Bearer ${jwt}` });
    if (res.status !== 200) throw new Error(`JWT login on ${host} failed: HTTP ${res.status} ${res.body}`);
    const cookies = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]);
    const csrf = cookies.find((c) => c.startsWith("_csrfToken="));
    if (!cookies.some((c) => c.startsWith("eas.sid=")) || !csrf)
        throw new Error(`JWT login on ${host}: no session cookie in the answer`);
    return { host, cookie: cookies.join("; "), csrfToken: csrf.slice("_csrfToken=".length) };
}

/**
 * Opens the app as the user. Right after a publish Qlik answers 403 for a while (access control
 * propagation, docs/reference/qlik-cloud-api.md §11); like Qlik's own samples this retries on 403 for up to 120 s.
 */
export async function openAppAsUser(
    origin: string,
    session: UserSession,
    appId: string,
    opts: { maxWaitMs?: number; onWait?: (ms: number) => void } = {},
): Promise<QixDoc> {
    const deadline = Date.now() + (opts.maxWaitMs ?? 120_000);
    const started = Date.now();
    for (;;) {
        try {
            return await openQixDoc({
                origin,
                host: session.host,
                appId,
                auth: { cookie: session.cookie, csrfToken: session.csrfToken },
            });
        } catch (e) {
            const denied = e instanceof QixOpenError && (e.httpStatus === 403 || e.closeCode === 4203);
            if (!denied || Date.now() > deadline) throw e;
            opts.onWait?.(Date.now() - started);
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}

export interface Dashboard {
    orders: number;
    revenue: number;
    bigOrders: number;
    sheets: string[];
}

/** What the user's dashboard shows: the KPIs the template's sheets are built from. */
export async function readDashboard(doc: QixDoc): Promise<Dashboard> {
    const num = async (expr: string) => Number(await doc.doc.evaluate(expr));
    const infos = (await doc.doc.getAllInfos()) as { qId: string; qType: string }[];
    return {
        orders: await num("Count(OrderId)"),
        revenue: await num("Sum(Amount)"),
        bigOrders: await num("Count(BigOrderId)"),
        sheets: infos.filter((i) => i.qType === "sheet").map((i) => i.qId),
    };
}
