// OAuth clients, access tokens (bound to the host they were issued on) and API keys.
import type { Emulator } from "../../core/context";
import * as ids from "../../core/ids";

export interface OAuthClient {
    clientId: string;
    clientSecret: string;
    name: string;
}
export interface AccessToken {
    id: string; // the token string itself
    host: string; // issued on this host; valid only there
    tenantId: string; // "" on the register host
    clientId: string;
    issuedAt: number;
    expiresAt: number;
}
export interface ApiKey {
    id: string;
    tenantId: string;
    userId: string;
    created: string;
}

export class OAuthModel {
    constructor(private readonly emu: Emulator) {}

    addClient(c: OAuthClient): void {
        this.emu.store.put("oauthClients", c.clientId, c);
    }
    client(clientId: string): OAuthClient | undefined {
        return this.emu.store.get("oauthClients", clientId);
    }

    checkClient(clientId: unknown, secret: unknown): OAuthClient | undefined {
        if (typeof clientId !== "string" || typeof secret !== "string") return undefined;
        const c = this.client(clientId);
        return c && c.clientSecret === secret ? c : undefined;
    }

    issue(host: string, tenantId: string, clientId: string): AccessToken {
        const now = this.emu.clock.now();
        const t: AccessToken = {
            id: ids.token(48),
            host,
            tenantId,
            clientId,
            issuedAt: now,
            expiresAt: now + this.emu.config.tokenTtlSeconds * 1000,
        };
        this.emu.store.put("tokens", t.id, t, tenantId || undefined);
        return t;
    }

    /** A valid token for exactly this host, or undefined (expired tokens are removed). */
    token(value: string, host: string): AccessToken | undefined {
        const t = this.emu.store.get<AccessToken>("tokens", value);
        if (!t) return undefined;
        if (t.expiresAt <= this.emu.clock.now()) {
            this.emu.store.delete("tokens", value);
            return undefined;
        }
        return t.host === host ? t : undefined;
    }

    addApiKey(tenantId: string, userId: string, key = ids.token(64)): ApiKey {
        const k: ApiKey = { id: key, tenantId, userId, created: this.emu.clock.iso() };
        this.emu.store.put("apiKeys", key, k, tenantId);
        return k;
    }
    apiKey(value: string): ApiKey | undefined {
        return this.emu.store.get("apiKeys", value);
    }
    apiKeys(): ApiKey[] {
        return this.emu.store.list("apiKeys");
    }
}

export const oauthModel = (emu: Emulator): OAuthModel => emu.model("oauth", (e) => new OAuthModel(e));
