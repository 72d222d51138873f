// A scripted loopback HTTP server standing in for Qlik hosts (requests arrive with the real Host header).

import * as http from "http";
import { AddressInfo } from "net";
import { ProviderConfig } from "../../../provider/config";
import { ClientOptions, createRequester, QlikRequester } from "../../../provider/qlik/rest";
import { Throttle } from "../../../provider/qlik/throttle";
import { TokenCache } from "../../../provider/qlik/auth";

export interface Seen {
    method: string;
    host: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    at: number;
}

export interface Reply {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    /** Never answer (for timeout tests). */
    hang?: boolean;
    delayMs?: number;
}

export type Script = (req: Seen, n: number) => Reply | Promise<Reply>;

export interface Scripted {
    url: string;
    seen: Seen[];
    inFlight: { now: number; max: number };
    close(): Promise<void>;
}

export async function startScripted(script: Script): Promise<Scripted> {
    const seen: Seen[] = [];
    const inFlight = { now: 0, max: 0 };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
            const s: Seen = {
                method: req.method ?? "",
                host: req.headers.host ?? "",
                path: req.url ?? "",
                headers: req.headers,
                body: Buffer.concat(chunks),
                at: Date.now(),
            };
            seen.push(s);
            inFlight.now++;
            inFlight.max = Math.max(inFlight.max, inFlight.now);
            const reply = await script(s, seen.length);
            if (reply.hang) {
                res.on("close", () => inFlight.now--);
                return;
            }
            if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
            inFlight.now--;
            const headers = { ...reply.headers };
            let payload: Buffer | string = "";
            if (Buffer.isBuffer(reply.body)) payload = reply.body;
            else if (reply.body !== undefined) {
                payload = JSON.stringify(reply.body);
                headers["content-type"] ??= "application/json";
            }
            res.writeHead(reply.status, headers);
            res.end(payload);
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        seen,
        inFlight,
        close: () =>
            new Promise((r) => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

export const SECRET = "sup3r-s3cret-value-XYZ";

export function testConfig(override: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
    return {
        region: "us",
        domain: "qlikcloud.com",
        registerHost: "register.us.qlikcloud.com",
        clientId: "client-1",
        clientSecret: SECRET,
        endpointOverride: override,
        purgeAfterDays: 30,
        allowTenantDeactivation: false,
        requestTimeoutMs: 5000,
        maxRetries: 4,
        maxConcurrentPerHost: 8,
        ...extra,
    };
}

export interface TestClient extends QlikRequester {
    throttle: Throttle;
    tokens: TokenCache;
    delays: number[];
}

/** A requester with its own throttle/token cache and fast, deterministic backoff. */
export function testClient(srv: Scripted, cfg: Partial<ProviderConfig> = {}, opts: ClientOptions = {}): TestClient {
    const throttle = opts.throttle ?? new Throttle();
    const tokens = opts.tokenCache ?? new TokenCache();
    const delays: number[] = [];
    const config = testConfig(srv.url, cfg);
    const r = createRequester({
        getConfig: () => config,
        throttle,
        tokenCache: tokens,
        log: () => undefined,
        ...opts,
        retry: {
            baseDelayMs: 20,
            maxDelayMs: 200,
            random: () => 1,
            onRetry: (i) => delays.push(i.delayMs),
            ...opts.retry,
        },
    });
    return { ...r, throttle, tokens, delays };
}

/** Default token endpoint: hands out tok-1, tok-2, ... */
export function tokenReply(n: number, expiresIn = 21600): Reply {
    return { status: 200, body: { access_token: `tok-${n}`, token_type: "bearer", expires_in: expiresIn } };
}
