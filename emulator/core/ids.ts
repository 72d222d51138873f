import * as crypto from "node:crypto";

const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

function pick(alphabet: string, n: number): string {
    // Rejection-free because both alphabets divide 256 evenly or bias is irrelevant for ids.
    const bytes = crypto.randomBytes(n);
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[bytes[i] % alphabet.length];
    return s;
}

/** Tenant ids: 32 chars of [A-Za-z0-9_-] (e.g. TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69). */
export const tenantId = (): string => pick(URL_SAFE, 32);
/** Group, role, space, user ids: 24 hex (Mongo ObjectId look). */
export const hex24 = (): string => crypto.randomBytes(12).toString("hex");
export const hex32 = (): string => crypto.randomBytes(16).toString("hex");
export const uuid = (): string => crypto.randomUUID();
/** Generated tenant name / host label: 15 lowercase alphanumerics (e.g. ire7t7hg58avbmx). */
export const hostLabel = (): string => pick(LOWER_ALNUM, 15);
export const token = (bytes = 32): string => crypto.randomBytes(bytes).toString("base64url");
