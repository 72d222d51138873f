// The Directory (core/context.ts) over the API models: how the pipeline resolves hosts and callers without
// importing a model. Rules: ARCHITECTURE.md "Auth rules"; docs/reference/qlik-cloud-api.md §2.
import type { AuthInput, Caller, Directory, Emulator } from "../core/context";
import { cookieSig, parseCookies, safeEqual } from "../core/cookies";
import { tenantsModel } from "./tenants/model";
import { oauthModel } from "./oauth/model";
import { usersModel } from "./users/model";
import { loginModel } from "./login/model";

export function createDirectory(emu: Emulator): Directory {
    return {
        tenantByHostname: (hostname) => tenantsModel(emu).byHostname(hostname),
        bearerCaller: (a, token) => bearerCaller(emu, a, token),
        cookieCaller: (a) => cookieCaller(emu, a),
        sessionCsrf: (caller) => (caller.sessionId ? loginModel(emu).session(caller.sessionId)?.csrfToken : undefined),
    };
}

function bearerCaller(emu: Emulator, a: AuthInput, value: string): Caller | undefined {
    const oauth = oauthModel(emu);
    const tok = oauth.token(value, a.host);
    if (tok) {
        if (a.hostKind === "register") {
            return {
                kind: "bot",
                userId: `bot:${tok.clientId}`,
                subject: `qlikbot\\${tok.clientId}`,
                tenantId: "",
                roles: ["TenantAdmin"],
                groupIds: [],
                clientId: tok.clientId,
                auth: "bearer",
            };
        }
        if (!a.tenant || tok.tenantId !== a.tenant.id) return undefined;
        return usersModel(emu).caller(usersModel(emu).bot(a.tenant.id, tok.clientId), "bot", "bearer");
    }
    const key = oauth.apiKey(value);
    if (key && a.tenant && key.tenantId === a.tenant.id) {
        const u = usersModel(emu).get(key.tenantId, key.userId);
        return u && u.status !== "disabled" ? usersModel(emu).caller(u, "apikey", "bearer") : undefined;
    }
    return undefined;
}

function cookieCaller(emu: Emulator, a: AuthInput): Caller | undefined {
    if (!a.tenant) return undefined;
    const c = parseCookies(a.headers.cookie);
    const sid = c["eas.sid"],
        sig = c["eas.sid.sig"];
    if (!sid || !sig || !safeEqual(sig, cookieSig(emu.secrets.cookieSecret, "eas.sid", sid))) return undefined;
    const s = loginModel(emu).session(sid);
    if (!s || s.tenantId !== a.tenant.id) return undefined;
    const u = usersModel(emu).get(s.tenantId, s.userId);
    if (!u || u.status === "disabled") return undefined;
    return { ...usersModel(emu).caller(u, "user", "cookie"), sessionId: s.id };
}
