// One in-process emulator per contract test file, with a validating client and bot tokens.
import * as crypto from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { ContractClient, type ContractRequest, type ContractResponse } from "./client";

export interface Host {
    host: string;
    token: string;
    id: string;
}

export class ContractFixture {
    readonly c: ContractClient;
    private constructor(
        readonly emu: RunningEmulator,
        readonly source: Host,
    ) {
        this.c = new ContractClient(emu.info.httpUrl);
    }

    static async start(opts: { rateLimitScale?: number } = {}): Promise<ContractFixture> {
        const emu = await startEmulator({ quiet: true, port: 0, ...opts });
        const c = new ContractClient(emu.info.httpUrl);
        const host = emu.info.sourceTenant.hostname;
        const token = await c.token(host, emu.info.oauthClient);
        return new ContractFixture(emu, { host, token, id: emu.info.sourceTenant.id });
    }

    get register(): string {
        return this.emu.info.registerHost;
    }

    token(host: string): Promise<string> {
        return this.c.token(host, this.emu.info.oauthClient);
    }

    /** Validated request as the given tenant's bot (override token/host in `req` when needed). */
    req(
        t: Host,
        method: string,
        path: string,
        extra: Partial<ContractRequest> = {},
        expect?: number | number[],
    ): Promise<ContractResponse> {
        return this.c.request({ method, path, host: t.host, token: t.token, ...extra }, expect);
    }

    async newTenant(): Promise<Host> {
        const regToken = await this.token(this.register);
        const r = await this.c.request(
            {
                method: "POST",
                host: this.register,
                path: "/api/v1/tenants",
                token: regToken,
                body: { licenseKey: this.emu.info.licenseKey },
            },
            201,
        );
        const host = r.body.hostnames[0] as string;
        return { host, id: r.body.id as string, token: await this.token(host) };
    }

    close(): Promise<void> {
        return this.emu.close();
    }
}

/** An RSA key pair and a JWT signer for the JWT IdP + /login/jwt-session scenarios. */
export class JwtSigner {
    readonly privateKey: crypto.KeyObject;
    readonly pemOneLine: string;
    constructor(
        readonly issuer = "https://isv.example/contract",
        readonly kid = "contract-kid",
    ) {
        const kp = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        this.privateKey = kp.privateKey;
        // qlik.dev identity-provider-create: the pem must be sent on one line.
        this.pemOneLine = (kp.publicKey.export({ type: "spki", format: "pem" }) as string).replace(/\n/g, "");
    }

    idpBody(tenantId: string): Record<string, unknown> {
        return {
            provider: "external",
            protocol: "jwtAuth",
            tenantIds: [tenantId],
            description: "contract JWT IdP",
            options: { issuer: this.issuer, staticKeys: [{ kid: this.kid, pem: this.pemOneLine }] },
        };
    }

    sign(sub: string, extra: Record<string, unknown> = {}): string {
        const now = Math.floor(Date.now() / 1000);
        const header = { alg: "RS256", typ: "JWT", kid: this.kid };
        const claims = {
            sub,
            subType: "user",
            name: sub,
            email: `${sub}@customer.example`,
            email_verified: true,
            jti: crypto.randomUUID(),
            iat: now,
            nbf: now - 5,
            exp: now + 600,
            iss: this.issuer,
            aud: "qlik.api/login/jwt-session",
            ...extra,
        };
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const input = `${enc(header)}.${enc(claims)}`;
        return `${input}.${crypto.sign("sha256", Buffer.from(input), this.privateKey).toString("base64url")}`;
    }
}
