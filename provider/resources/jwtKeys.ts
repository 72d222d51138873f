// The keys of a JwtIdentityProvider and the IdPs they identify (docs/reference/qlik-cloud-api.md §2): PEM handling
// (Qlik stores the key single-line), the local check of a public key, generated key pairs, and the lookups by issuer
// and key id (adoption, and the sweep of generated IdPs whose private key died with a crashed run).
import * as crypto from "crypto";
import { isQlikApiError } from "../qlik";
import { api } from "./support";
import { parseMarker } from "./ownership";

export interface IdpJson {
    id: string;
    protocol: string;
    description?: string;
    clockToleranceSec?: number;
    tenantIds?: string[];
    options: { issuer: string; staticKeys: { kid: string; pem: string }[] };
}

/** Canonical multi-line PEM from any line layout (Qlik stores it as sent: one line). */
export function canonicalPem(pem: string): string {
    const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem.trim());
    if (!m) return pem.trim();
    const b64 = m[2].replace(/\\n/g, "").replace(/\s+/g, "");
    return `-----BEGIN ${m[1]}-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${m[1]}-----\n`;
}

/** Qlik requires the pem on one line without line breaks (DEV:identity-provider-create). */
export function singleLinePem(pem: string): string {
    return canonicalPem(pem).replace(/\n/g, "");
}

export function publicKeyError(pem: string): string | undefined {
    if (!pem.includes("-----BEGIN")) {
        return "not a PEM public key or certificate; pass the contents of the .pem file (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)";
    }
    if (/PRIVATE KEY-----/.test(pem))
        return "is a PRIVATE key; pass only the public key or certificate (never a private key)";
    try {
        const key = crypto.createPublicKey(canonicalPem(pem));
        if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "ec") {
            return `uses ${key.asymmetricKeyType} keys; Qlik JWT login needs an RSA (RS256) key`;
        }
        return undefined;
    } catch {
        return "not a valid PEM public key or certificate (it does not parse); pass the contents of the .pem file";
    }
}

export function generateRsaKeyPair(): Promise<{ publicKey: crypto.KeyObject; privateKey: crypto.KeyObject }> {
    return new Promise((resolve, reject) =>
        crypto.generateKeyPair("rsa", { modulusLength: 2048 }, (err, publicKey, privateKey) =>
            err ? reject(err) : resolve({ publicKey, privateKey }),
        ),
    );
}

export async function findExisting(host: string, issuer: string, kid: string): Promise<IdpJson | undefined> {
    for await (const p of api(host).paginate<IdpJson>("/api/v1/identity-providers", {
        purpose: `look for a JWT IdP with issuer ${issuer}`,
        query: { limit: 100 },
    })) {
        if (
            p.protocol === "jwtAuth" &&
            p.options?.issuer === issuer &&
            p.options.staticKeys?.some((k) => k.kid === kid)
        )
            return p;
    }
    return undefined;
}

/**
 * Generated key ids start with a prefix derived from the tenant and issuer, so this resource can
 * recognise IdPs it generated in an earlier run that crashed before Pulumi recorded them: their
 * private key died with that run, so they can never be used and are not adoptable.
 */
export function generatedKidPrefix(host: string, issuer: string): string {
    return `qtf-${crypto.createHash("sha256").update(`${host}\n${issuer}`).digest("hex").slice(0, 10)}-`;
}

/** After creating a generated-key IdP, remove earlier generated ones with the same issuer (see above). */
export async function deleteOrphanedGeneratedIdps(
    host: string,
    issuer: string,
    prefix: string,
    keepId: string,
    owner: string,
): Promise<void> {
    const orphans: IdpJson[] = [];
    for await (const p of api(host).paginate<IdpJson>("/api/v1/identity-providers", {
        purpose: `look for orphaned generated JWT IdPs of ${issuer}`,
        query: { limit: 100 },
    })) {
        // Only this owner's (or unmarked) ones: another stack's IdP is never an orphan of ours (issue 9).
        const m = parseMarker(p.description).marker;
        if (m && m.owner !== owner) continue;
        if (
            p.id !== keepId &&
            p.protocol === "jwtAuth" &&
            p.options?.issuer === issuer &&
            p.options.staticKeys?.some((k) => k.kid.startsWith(prefix))
        )
            orphans.push(p);
    }
    for (const o of orphans) {
        try {
            await api(host).delete(`/api/v1/identity-providers/${encodeURIComponent(o.id)}`, {
                purpose: `delete orphaned generated JWT IdP ${o.id} (its private key was lost)`,
            });
        } catch (e) {
            if (!(isQlikApiError(e) && e.status === 404)) throw e;
        }
    }
}
