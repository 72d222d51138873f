// Shared setup for the content-area tests: an emulator, bot tokens per tenant, plain users with API keys.
import { startEmulator, type RunningEmulator } from "../../../emulator/index";
import { usersModel } from "../../../emulator/apis/users/model";
import { oauthModel } from "../../../emulator/apis/oauth/model";
import { call, tokenFor, type CallResult } from "../../support/http";
import { waitFor } from "../../support/wait";

export interface Tenant {
    id: string;
    host: string;
    token: string;
}

export class Env {
    constructor(
        readonly emu: RunningEmulator,
        readonly source: Tenant,
    ) {}

    static async start(profile: "instant" | "realistic" = "instant"): Promise<Env> {
        const emu = await startEmulator({ port: 0, quiet: true, profile });
        const host = emu.info.sourceTenant.hostname;
        const token = await tokenFor(emu.url, host, emu.info.oauthClient);
        return new Env(emu, { id: emu.info.sourceTenant.id, host, token });
    }

    req(
        t: Tenant | { host: string; token: string },
        method: string,
        path: string,
        body?: unknown,
        headers?: Record<string, string>,
    ): Promise<CallResult> {
        return call(this.emu.url, path, { method, host: t.host, token: t.token, body, headers });
    }

    /** A plain (non-admin) user of the tenant, authenticated with its own API key. */
    user(t: Tenant, subject: string): { host: string; token: string; userId: string } {
        const u = usersModel(this.emu.emu).create(t.id, { subject, name: subject });
        const key = oauthModel(this.emu.emu).addApiKey(t.id, u.id);
        return { host: t.host, token: key.id, userId: u.id };
    }

    /** A second tenant created through the register host, as the qlik.dev tutorial does. */
    async newTenant(): Promise<Tenant> {
        const reg = this.emu.info.registerHost;
        const regToken = await tokenFor(this.emu.url, reg, this.emu.info.oauthClient);
        const r = await call(this.emu.url, "/api/v1/tenants", {
            method: "POST",
            host: reg,
            token: regToken,
            body: { licenseKey: this.emu.info.licenseKey },
        });
        if (r.status !== 201) throw new Error(`tenant create ${r.status} ${r.text}`);
        const host = r.body.hostnames[0] as string;
        return { id: r.body.id as string, host, token: await tokenFor(this.emu.url, host, this.emu.info.oauthClient) };
    }

    close(): Promise<void> {
        return this.emu.close();
    }
}

/** `fn` until it returns a value (tests/support/wait.ts; the deadline is generous for a busy machine). */
export function until<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    return waitFor(fn, { timeoutMs: ms, pollMs: 10 });
}
