import * as crypto from "node:crypto";

export function parseCookies(header: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (!header) return out;
    for (const part of header.split(";")) {
        const i = part.indexOf("=");
        if (i <= 0) continue;
        const k = part.slice(0, i).trim();
        let v = part.slice(i + 1).trim();
        try {
            v = decodeURIComponent(v);
        } catch {
            /* keep raw */
        }
        out[k] = v;
    }
    return out;
}

/** Signature cookie value (`<name>.sig`), keyed HMAC like the cookie-signature scheme Qlik's edge uses. */
export function cookieSig(secret: string, name: string, value: string): string {
    return crypto.createHmac("sha1", secret).update(`${name}=${value}`).digest("base64url");
}

export function safeEqual(a: string, b: string): boolean {
    const ba = Buffer.from(a),
        bb = Buffer.from(b);
    return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}
