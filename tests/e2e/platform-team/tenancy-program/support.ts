// What the tenancy and two-stacks suites do the way a platform team's own tooling would: raw REST calls as
// the OAuth client's bot, a user's JWT login, and reading `pulumi preview --json` steps.
import * as crypto from "crypto";
import type { RunningEmulator } from "../../../../emulator/index";
import { call, tokenFor, type JsonBody } from "../../../support/http";
import type { RunResult, TempProject } from "../../harness";
import { stableJson } from "../../../../provider/resources/handlers";

/** REST as the region OAuth client's bot on `host`; throws on an unexpected status. */
export class Rest {
    private readonly tokens = new Map<string, Promise<string>>();
    constructor(readonly emu: RunningEmulator) {}

    async call(
        host: string,
        method: string,
        path: string,
        body?: unknown,
    ): Promise<{ status: number; body: JsonBody }> {
        let token = this.tokens.get(host);
        if (!token) {
            token = tokenFor(this.emu.info.httpUrl, host, this.emu.info.oauthClient);
            this.tokens.set(host, token);
        }
        let bearer: string;
        try {
            bearer = await token;
        } catch (e) {
            // No tenant answers on this host (e.g. a released alias): that is the answer, not a test failure.
            this.tokens.delete(host);
            if (/: 404 /.test((e as Error).message)) return { status: 404, body: (e as Error).message };
            throw e;
        }
        const r = await call(this.emu.info.httpUrl, path, { method, host, token: bearer, body });
        // /users/me and /tenants/me answer with a redirect to the object, as Qlik Cloud does: follow it on the same host.
        const location = (r.headers as Record<string, string | undefined>)?.location;
        if (method === "GET" && r.status >= 301 && r.status <= 308 && location)
            return this.call(host, "GET", new URL(location, `https://${host}`).pathname);
        return { status: r.status, body: r.body };
    }

    async ok(host: string, method: string, path: string, body?: unknown): Promise<JsonBody> {
        const r = await this.call(host, method, path, body);
        if (r.status >= 300) throw new Error(`${method} ${host}${path} -> ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    async list(host: string, path: string): Promise<JsonBody[]> {
        return ((await this.ok(host, "GET", `${path}${path.includes("?") ? "&" : "?"}limit=100`)).data ??
            []) as JsonBody[];
    }
}

function b64url(v: unknown): string {
    return Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
}

/** A login token as the ISV's web app signs it (qlik.dev "JWT authorization"). */
export function signJwt(privateKeyPem: string, kid: string, issuer: string, sub: string): string {
    const now = Math.floor(Date.now() / 1000);
    const head = b64url({ alg: "RS256", typ: "JWT", kid });
    const body = b64url({
        iss: issuer,
        aud: "qlik.api/login/jwt-session",
        sub,
        subType: "user",
        name: sub,
        email: `${sub.replace(/\W/g, "")}@example.com`,
        email_verified: true,
        jti: crypto.randomUUID(),
        iat: now,
        nbf: now - 5,
        exp: now + 300,
    });
    const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), privateKeyPem).toString("base64url");
    return `${head}.${body}.${sig}`;
}

/** A user's JWT login on the tenant host; the HTTP status and body text. */
export async function jwtLogin(
    emu: RunningEmulator,
    host: string,
    key: { privateKey: string; keyId: string; issuer: string },
    sub: string,
): Promise<{ status: number; text: string }> {
    const r = await call(emu.info.httpUrl, "/login/jwt-session", {
        method: "POST",
        host,
        headers: { authorization: `Bearer ${signJwt(key.privateKey, key.keyId, key.issuer, sub)}` },
    });
    return { status: r.status, text: r.text };
}

export interface Step {
    op: string;
    urn: string;
    oldState?: { inputs?: Record<string, unknown> };
    newState?: { inputs?: Record<string, unknown> };
}

export const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The input keys a step changes (unknowns count: they are what a reviewer sees as "output<string>"). */
export function changedKeys(s: Step): string[] {
    const o = s.oldState?.inputs ?? {};
    const n = s.newState?.inputs ?? {};
    return [...new Set([...Object.keys(o), ...Object.keys(n)])]
        .filter((k) => k !== "__provider" && stableJson(o[k] ?? null) !== stableJson(n[k] ?? null))
        .sort();
}

export interface Preview {
    /** Resource names with a non-"same" step, sorted, each once (a replacement's three steps are one resource). */
    resources: string[];
    /** name -> the ops of its steps. */
    ops: Record<string, string[]>;
    /** name -> changed input keys. */
    keys: Record<string, string[]>;
    result: RunResult;
}

export async function previewSteps(project: TempProject, env: NodeJS.ProcessEnv = {}): Promise<Preview> {
    const result = await project.run(["preview", "--json"], { env, timeoutMs: 600_000 });
    const plan = JSON.parse(result.stdout) as { steps?: Step[] };
    const ops: Record<string, string[]> = {};
    const keys: Record<string, string[]> = {};
    for (const s of plan.steps ?? []) {
        if (s.op === "same" || s.op === "read") continue;
        if (s.urn.includes("pulumi:pulumi:Stack")) continue; // the stack's own outputs are not a resource
        const n = nameOf(s.urn);
        (ops[n] ??= []).push(s.op);
        keys[n] = [...new Set([...(keys[n] ?? []), ...changedKeys(s)])].sort();
    }
    return { resources: Object.keys(ops).sort(), ops, keys, result };
}
