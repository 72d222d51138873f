// POST /oauth/token on the register host and on every tenant host (docs/reference/qlik-cloud-api.md §0).
import type { Route } from "../../core/router";
import { TIER2 } from "../../core/limits";
import { apiError } from "../../core/errors";
import { json } from "../../core/http";
import { oauthModel } from "./model";
import { usersModel } from "../users/model";

export const routes: Route[] = [
    {
        method: "POST",
        path: "/oauth/token",
        host: "any",
        auth: "none",
        tier: TIER2,
        api: "oauth",
        op: "oauth.token",
        handler: (ctx) => {
            const b = ctx.body;
            if (!b || typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) {
                throw apiError("oauth", 400, "OAUTH-1", "Invalid request", "Body must be JSON or form-encoded");
            }
            const { client_id, client_secret, grant_type } = b as Record<string, unknown>;
            if (grant_type !== "client_credentials") {
                throw apiError(
                    "oauth",
                    400,
                    "OAUTH-1",
                    "unsupported_grant_type",
                    "Only client_credentials is supported by the emulator",
                );
            }
            const model = oauthModel(ctx.emu);
            const client = model.checkClient(client_id, client_secret);
            if (!client) throw apiError("oauth", 401, "OAUTH-3", "invalid_client", "Invalid client credentials");
            const tenantId = ctx.tenant?.id ?? "";
            if (ctx.tenant) usersModel(ctx.emu).bot(ctx.tenant.id, client.clientId);
            const t = model.issue(ctx.host, tenantId, client.clientId);
            const scope = (b as Record<string, unknown>).scope;
            return json(
                200,
                {
                    access_token: t.id,
                    token_type: "bearer",
                    scope: typeof scope === "string" ? scope : "user_default",
                    expires_at: new Date(t.expiresAt).toISOString(),
                    expires_in: Math.round((t.expiresAt - t.issuedAt) / 1000),
                },
                { "cache-control": "no-store" },
            );
        },
    },
];
