// JWT identity providers (docs/reference/qlik-cloud-api.md §2). Only protocol jwtAuth / provider external can be created.
import * as crypto from "node:crypto";
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import * as ids from "../../core/ids";

export interface StaticKey {
    kid: string;
    pem: string;
}
export interface IdentityProvider {
    id: string;
    tenantId: string;
    active: boolean;
    interactive: boolean;
    protocol: "jwtAuth";
    provider: "external";
    tenantIds: string[];
    description?: string;
    created: string;
    lastUpdated: string;
    clockToleranceSec: number;
    createNewUsersOnLogin: boolean;
    meta: Record<string, unknown>;
    options: { issuer: string; staticKeys: StaticKey[]; jwtLoginEnabled?: boolean };
}

const bad = (detail: string) => domainError("invalid", "IDENTITY-PROVIDERS-400", "Bad request", detail);

/** PEM as sent (single line without line breaks is what the docs prescribe) -> canonical multi-line PEM. */
function normalisePem(pem: string): string {
    const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem.trim());
    if (!m) return pem;
    const b64 = m[2].replace(/\\n/g, "").replace(/\s+/g, "");
    return `-----BEGIN ${m[1]}-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${m[1]}-----\n`;
}

export function publicKeyOf(pem: string): crypto.KeyObject | undefined {
    try {
        const k = crypto.createPublicKey(normalisePem(pem)); // PEM public key or X.509 certificate
        return k.type === "public" ? k : undefined;
    } catch {
        return undefined;
    }
}

export class IdentityProvidersModel {
    constructor(private readonly emu: Emulator) {}

    list(tenantId: string): IdentityProvider[] {
        return this.emu.store.list<IdentityProvider>("identityProviders", tenantId);
    }
    get(tenantId: string, id: string): IdentityProvider | undefined {
        const p = this.emu.store.get<IdentityProvider>("identityProviders", id);
        return p && p.tenantId === tenantId ? p : undefined;
    }

    create(tenantId: string, body: unknown): IdentityProvider {
        if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Body must be a JSON object");
        const b = body as Record<string, unknown>;
        if (b.provider !== "external") throw bad('provider must be "external" for a JWT identity provider');
        if (b.protocol !== "jwtAuth") throw bad('protocol must be "jwtAuth"');
        const o = b.options;
        if (!o || typeof o !== "object" || Array.isArray(o)) throw bad("options is required");
        const opts = o as Record<string, unknown>;
        if (typeof opts.issuer !== "string" || opts.issuer.length === 0 || opts.issuer.length > 2048)
            throw bad("options.issuer is required");
        if (!Array.isArray(opts.staticKeys) || opts.staticKeys.length !== 1)
            throw bad("options.staticKeys must hold exactly 1 key");
        const key = opts.staticKeys[0] as Record<string, unknown> | null;
        if (
            !key ||
            typeof key !== "object" ||
            typeof key.kid !== "string" ||
            key.kid.length === 0 ||
            typeof key.pem !== "string"
        ) {
            throw bad("options.staticKeys[0] must be {kid, pem}");
        }
        if (!publicKeyOf(key.pem)) throw bad("options.staticKeys[0].pem is not a valid PEM public key or certificate");
        if (opts.jwtLoginEnabled !== undefined && typeof opts.jwtLoginEnabled !== "boolean")
            throw bad("options.jwtLoginEnabled must be a boolean");
        if (b.description !== undefined && (typeof b.description !== "string" || b.description.length > 128))
            throw bad("description must be a string of at most 128 characters");
        const tol = b.clockToleranceSec ?? 5;
        if (typeof tol !== "number" || !Number.isInteger(tol) || tol < 0 || tol > 7200)
            throw bad("clockToleranceSec must be an integer 0..7200");
        for (const f of ["interactive", "active"] as const)
            if (b[f] !== undefined && typeof b[f] !== "boolean") throw bad(`${f} must be a boolean`);
        if (b.tenantIds !== undefined) {
            if (!Array.isArray(b.tenantIds) || b.tenantIds.some((t) => typeof t !== "string"))
                throw bad("tenantIds must be an array of strings");
            if (b.tenantIds.some((t) => t !== tenantId)) {
                throw domainError(
                    "forbidden",
                    "IDENTITY-PROVIDERS-403",
                    "Forbidden",
                    "The tenantID in the JWT does not match any of the tenantIDs in the payload",
                );
            }
        }
        const now = this.emu.clock.iso();
        const p: IdentityProvider = {
            id: ids.hex24(),
            tenantId,
            active: b.active !== false,
            interactive: b.interactive === true,
            protocol: "jwtAuth",
            provider: "external",
            tenantIds: [tenantId],
            created: now,
            lastUpdated: now,
            clockToleranceSec: tol,
            createNewUsersOnLogin: true,
            meta: {},
            options: { issuer: opts.issuer, staticKeys: [{ kid: key.kid, pem: key.pem }] },
        };
        if (typeof opts.jwtLoginEnabled === "boolean") p.options.jwtLoginEnabled = opts.jwtLoginEnabled;
        if (typeof b.description === "string") p.description = b.description;
        this.emu.store.put("identityProviders", p.id, p, tenantId);
        return p;
    }

    /** JWT IdPs accept only /description (docs/reference/qlik-cloud-api.md §2); partial failure is complete failure. */
    patch(tenantId: string, id: string, ops: unknown): IdentityProvider {
        const p = this.get(tenantId, id);
        if (!p) throw domainError("not-found", "IDENTITY-PROVIDERS-404", "Not found");
        if (!Array.isArray(ops) || ops.length === 0) throw bad("Body must be a non-empty JSON Patch array");
        const next = { ...p };
        for (const raw of ops) {
            const op =
                raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
            if (!op || op.op !== "replace" || op.path !== "/description")
                throw bad('Only {"op":"replace","path":"/description"} is supported for JWT identity providers');
            if (typeof op.value !== "string" || op.value.length > 128)
                throw bad("description must be a string of at most 128 characters");
            next.description = op.value;
        }
        next.lastUpdated = this.emu.clock.iso();
        this.emu.store.put("identityProviders", id, next, tenantId);
        return next;
    }

    delete(tenantId: string, id: string): void {
        if (!this.get(tenantId, id)) throw domainError("not-found", "IDENTITY-PROVIDERS-404", "Not found");
        this.emu.store.delete("identityProviders", id);
    }
}

export const identityProvidersModel = (emu: Emulator): IdentityProvidersModel =>
    emu.model("identity-providers", (e) => new IdentityProvidersModel(e));
