// Signed license keys. Real keys are opaque signed entitlements; ours are
// base64url(JSON payload) + "." + base64url(HMAC-SHA256(emulator license secret, payload part)),
// so tenant creation can verify them (TENANTS-23) and read the quota (TENANTS-22).
import * as crypto from "node:crypto";
import { safeEqual } from "../../core/cookies";

export interface LicensePayload {
    licenseNumber: string;
    product: string;
    quota: number; // tenants that may be created with this key
    professional: number; // allotment units per tenant
    analyzer: number;
    issued: string;
}

export function signLicense(secret: string, payload: LicensePayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const sig = crypto.createHmac("sha256", secret).update(body).digest("base64url");
    return `${body}.${sig}`;
}

export function verifyLicense(secret: string, key: unknown): LicensePayload | undefined {
    if (typeof key !== "string" || key.length > 10_000) return undefined;
    const [body, sig, extra] = key.split(".");
    if (!body || !sig || extra !== undefined) return undefined;
    const want = crypto.createHmac("sha256", secret).update(body).digest("base64url");
    if (!safeEqual(sig, want)) return undefined;
    try {
        const p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as LicensePayload;
        return typeof p.licenseNumber === "string" && typeof p.quota === "number" ? p : undefined;
    } catch {
        return undefined;
    }
}
