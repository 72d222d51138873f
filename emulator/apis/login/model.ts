// Cookie sessions created by /login/jwt-session, and the jti replay list.
import type { Emulator } from "../../core/context";
import * as ids from "../../core/ids";

export interface Session {
    id: string;
    tenantId: string;
    userId: string;
    csrfToken: string;
    created: number;
    expiresAt: number;
}

const SESSION_TTL_MS = 8 * 3600_000;

export class LoginModel {
    constructor(private readonly emu: Emulator) {}

    createSession(tenantId: string, userId: string): Session {
        const now = this.emu.clock.now();
        const s: Session = {
            id: ids.token(24),
            tenantId,
            userId,
            csrfToken: ids.token(18),
            created: now,
            expiresAt: now + SESSION_TTL_MS,
        };
        this.emu.store.put("sessions", s.id, s, tenantId);
        return s;
    }

    session(id: string): Session | undefined {
        const s = this.emu.store.get<Session>("sessions", id);
        if (!s) return undefined;
        if (s.expiresAt <= this.emu.clock.now()) {
            this.emu.store.delete("sessions", id);
            return undefined;
        }
        return s;
    }

    /** Records a jti; false when it was seen before (replay). Entries live until the token expired. */
    useJti(tenantId: string, jti: string, expMs: number): boolean {
        const key = `${tenantId}:${jti}`;
        const seen = this.emu.store.get<{ exp: number }>("jtis", key);
        if (seen && seen.exp + 3600_000 > this.emu.clock.now()) return false;
        this.emu.store.put("jtis", key, { exp: expMs }, tenantId);
        return true;
    }
}

export const loginModel = (emu: Emulator): LoginModel => emu.model("login", (e) => new LoginModel(e));
