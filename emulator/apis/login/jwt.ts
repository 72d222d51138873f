// JWT verification for /login/jwt-session (docs/reference/qlik-cloud-api.md §2): signed with a non-HS algorithm by the
// key of the tenant's JWT IdP whose staticKeys.kid equals the header kid.
import * as crypto from "node:crypto";

export interface JwtParts {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
    signingInput: string;
    signature: Buffer;
}

export function decodeJwt(token: string): JwtParts | undefined {
    const parts = token.split(".");
    if (parts.length !== 3 || token.length > 64 * 1024) return undefined;
    try {
        const header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
        const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
        if (
            !header ||
            typeof header !== "object" ||
            Array.isArray(header) ||
            !claims ||
            typeof claims !== "object" ||
            Array.isArray(claims)
        )
            return undefined;
        return {
            header,
            claims,
            signingInput: `${parts[0]}.${parts[1]}`,
            signature: Buffer.from(parts[2], "base64url"),
        };
    } catch {
        return undefined;
    }
}

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** True when `alg` is a supported asymmetric algorithm, the key fits it, and the signature verifies. */
export function verifySignature(alg: unknown, key: crypto.KeyObject, jwt: JwtParts): boolean {
    if (typeof alg !== "string") return false;
    const data = Buffer.from(jwt.signingInput);
    const kt = key.asymmetricKeyType;
    try {
        const m = /^(RS|PS|ES)(256|384|512)$/.exec(alg);
        if (m) {
            const hash = HASH[m[2]];
            if (m[1] === "RS" && kt === "rsa") return crypto.verify(hash, data, key, jwt.signature);
            if (m[1] === "PS" && (kt === "rsa" || kt === "rsa-pss")) {
                return crypto.verify(
                    hash,
                    data,
                    {
                        key,
                        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
                        saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
                    },
                    jwt.signature,
                );
            }
            if (m[1] === "ES" && kt === "ec")
                return crypto.verify(hash, data, { key, dsaEncoding: "ieee-p1363" }, jwt.signature);
            return false;
        }
        if (alg === "EdDSA" && (kt === "ed25519" || kt === "ed448"))
            return crypto.verify(null, data, key, jwt.signature);
    } catch {
        return false;
    }
    return false; // "none", HS*, unknown
}
