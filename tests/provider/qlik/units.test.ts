import { expect } from "chai";
import {
    getProviderConfig,
    ProviderConfigError,
    resetProviderConfig,
    setProviderConfig,
} from "../../../provider/config";
import { QlikApiError, parseQlikErrorBody, redact, registerSecret } from "../../../provider/qlik/errors";
import { parseRetryAfter, retryReason } from "../../../provider/qlik/retry";
import { TokenCache, tokenLifetimeMs } from "../../../provider/qlik/auth";
import { tierFor } from "../../../provider/qlik/throttle";
import { redirectTarget } from "../../../provider/qlik/rest";
import { TransportError } from "../../../provider/qlik/types";

describe("provider/config", () => {
    afterEach(() => resetProviderConfig());

    it("explains every missing setting with its config key, env var and pulumi command", () => {
        setProviderConfig({});
        let err: unknown;
        try {
            getProviderConfig({ env: {}, require: ["sourceTenantHost"] });
        } catch (e) {
            err = e;
        }
        expect(err).to.be.instanceOf(ProviderConfigError);
        const m = (err as Error).message;
        for (const part of [
            "qlik:region",
            "QLIK_REGION",
            "qlik:clientId",
            "QLIK_CLIENT_ID",
            "pulumi config set --secret qlik:clientSecret",
            "QLIK_CLIENT_SECRET",
            "qlik:sourceTenantHost",
        ]) {
            expect(m).to.contain(part);
        }
        expect(m).not.to.contain("--secret qlik:region");
    });

    it("prefers configure() values over env, falls back to env, applies defaults, derives the register host", () => {
        setProviderConfig({
            "qlik:region": "eu",
            "qlik:clientId": "cid",
            "qlik:clientSecret": "cs",
            "qlik:maxRetries": "2",
        });
        const cfg = getProviderConfig({
            env: { QLIK_REGION: "us", QLIK_ENDPOINT_OVERRIDE: "http://127.0.0.1:8080/", QLIK_PURGE_AFTER_DAYS: "45" },
        });
        expect(cfg.region).to.equal("eu");
        expect(cfg.endpointOverride).to.equal("http://127.0.0.1:8080");
        expect(cfg.purgeAfterDays).to.equal(45);
        expect(cfg.maxRetries).to.equal(2);
        expect(cfg.domain).to.equal("qlikcloud.com");
        expect(cfg.requestTimeoutMs).to.equal(60000);
        expect(cfg.allowTenantDeactivation).to.equal(false);
        expect(cfg.registerHost).to.equal("register.eu.qlikcloud.com");
    });

    it("accepts a dynamic.Config-like object and an API key instead of OAuth", () => {
        const values: Record<string, string> = {
            "qlik:region": "de",
            "qlik:apiKey": "key-abcdef",
            "qlik:allowTenantDeactivation": "true",
        };
        setProviderConfig({ get: (k: string) => values[k] });
        const cfg = getProviderConfig({ env: {} });
        expect(cfg.apiKey).to.equal("key-abcdef");
        expect(cfg.allowTenantDeactivation).to.equal(true);
    });

    it("rejects out-of-range values and says how to fix them", () => {
        expect(() =>
            getProviderConfig({ env: { QLIK_REGION: "us", QLIK_API_KEY: "k", QLIK_PURGE_AFTER_DAYS: "5" } }),
        ).to.throw(/qlik:purgeAfterDays.*between 10 and 90/);
        expect(() =>
            getProviderConfig({ env: { QLIK_REGION: "us", QLIK_API_KEY: "k", QLIK_ENDPOINT_OVERRIDE: "nope" } }),
        ).to.throw(/qlik:endpointOverride/);
    });

    it("reads PULUMI_CONFIG in the provider process", () => {
        const cfg = getProviderConfig({
            env: { PULUMI_CONFIG: JSON.stringify({ "qlik:region": "jp", "qlik:apiKey": "k1" }) },
        });
        expect(cfg.region).to.equal("jp");
    });

    it("re-reads PULUMI_CONFIG when its text changes (the parse is cached per text)", () => {
        const env = (region: string) => ({
            PULUMI_CONFIG: JSON.stringify({ "qlik:region": region, "qlik:apiKey": "k1" }),
        });
        expect(getProviderConfig({ env: env("jp") }).region).to.equal("jp");
        expect(getProviderConfig({ env: env("eu") }).region).to.equal("eu");
        expect(
            getProviderConfig({ env: { PULUMI_CONFIG: "{not json", QLIK_API_KEY: "k1", QLIK_REGION: "de" } }).region,
        ).to.equal("de");
        expect(getProviderConfig({ env: env("jp") }).region).to.equal("jp");
    });
});

describe("provider/qlik errors and redaction", () => {
    it("redacts secret keys, bearer tokens, private keys and registered secrets", () => {
        registerSecret("tok-registered-123");
        const r = redact({
            headers: { Authorization: "Bearer abc.def.ghi" },
            body: {
                client_secret: "cs-1",
                password: "pw",
                nested: { privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----" },
            },
            text: 'sent {"client_secret":"cs-2"} and token tok-registered-123 and Bearer xyz',
            pem: "key: -----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY----- end",
        });
        const s = JSON.stringify(r);
        for (const secret of ["abc.def.ghi", "cs-1", '"pw"', "MIIE", "cs-2", "tok-registered-123", "xyz", "AAA"])
            expect(s).not.to.contain(secret);
        expect(s).to.contain("[REDACTED]");
    });

    it("parses every Qlik error style", () => {
        expect(
            parseQlikErrorBody({ errors: [{ code: "TENANTS-8", title: "Not found", status: "404" }], traceId: "t" }),
        ).to.deep.include({ traceId: "t" });
        const lic = parseQlikErrorBody({
            error: "Forbidden",
            message: "no allotment",
            errors: [{ code: "LICENSES-011", title: "No available allotment" }],
        });
        expect(lic.items[0].code).to.equal("LICENSES-011");
        expect(lic.message).to.equal("Forbidden: no allotment");
        const top = parseQlikErrorBody({ code: "SpaceNameConflict", title: "Space name exists" });
        expect(top.items[0]).to.include({ code: "SpaceNameConflict", title: "Space name exists" });
        expect(parseQlikErrorBody("plain text failure").message).to.equal("plain text failure");
    });

    it("gives FIX hints for 409, 412 and TENANT_DISABLED", () => {
        const mk = (status: number, body: unknown) =>
            new QlikApiError({ kind: "http", purpose: "p", method: "POST", host: "h", path: "/x", status, body });
        expect(mk(409, { errors: [{ code: "X", title: "conflict" }] }).message).to.match(
            /FIX: name conflict.*takeOverFrom/,
        );
        expect(mk(412, {}).message).to.contain("qlik-confirm-hostname");
        expect(
            mk(401, { errors: [{ code: "TENANT_DISABLED", title: "Tenant has been deactivated", status: "401" }] })
                .message,
        ).to.match(/FIX: the tenant is deactivated; reactivate/);
    });
});

describe("provider/qlik retry, tiers, tokens", () => {
    it("parses Retry-After seconds and HTTP dates", () => {
        expect(parseRetryAfter("13")).to.equal(13000);
        expect(parseRetryAfter("0.5")).to.equal(500);
        const now = Date.parse("2026-01-01T00:00:00Z");
        expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).to.equal(5000);
        expect(parseRetryAfter("garbage")).to.equal(undefined);
    });

    it("decides retryability by method and failure", () => {
        const get = { host: "h", method: "GET", path: "/", purpose: "p" };
        const post = { ...get, method: "POST" };
        const res = (status: number) => ({ res: { status, headers: {}, body: undefined } });
        expect(retryReason(get, res(503))).to.be.a("string");
        expect(retryReason(post, res(503))).to.equal(undefined);
        expect(retryReason(post, res(429))).to.be.a("string");
        expect(retryReason(get, res(404))).to.equal(undefined);
        expect(retryReason(get, res(401))).to.equal(undefined);
        expect(retryReason(post, { err: new TransportError("x", "network", "ECONNREFUSED", false) })).to.be.a("string");
        expect(retryReason(post, { err: new TransportError("x", "network", "ECONNRESET", true) })).to.equal(undefined);
        expect(retryReason({ ...post, idempotent: true }, { err: new TransportError("t", "timeout") })).to.be.a(
            "string",
        );
    });

    it("maps routes to the documented tiers", () => {
        expect(tierFor({ method: "GET", path: "/api/v1/spaces" })).to.equal(1);
        expect(tierFor({ method: "POST", path: "/api/v1/spaces" })).to.equal(2);
        expect(tierFor({ method: "POST", path: "/api/v1/reloads" })).to.equal("reloads");
        expect(tierFor({ method: "POST", path: "/api/v1/reloads/abc/actions/cancel" })).to.equal("reloads");
        expect(tierFor({ method: "POST", path: "/api/v1/users/actions/filter" })).to.equal("filter");
        expect(tierFor({ method: "GET", path: "/api/v1/temp-contents/x?inline=1" })).to.equal("temp-contents");
        expect(tierFor({ method: "POST", path: "/oauth/token" })).to.equal(2);
    });

    it("refreshes a token before it expires", async () => {
        let now = 1_000_000;
        const cache = new TokenCache(() => now);
        let n = 0;
        const fetch = async () => ({ token: `t${++n}`, expiresInMs: 60_000 });
        expect(await cache.get("k", fetch)).to.equal("t1");
        now += 50_000;
        expect(await cache.get("k", fetch)).to.equal("t1");
        now += 5_000; // 55 s of 60: inside the 10% margin
        expect(await cache.get("k", fetch)).to.equal("t2");
        cache.invalidate("k", "stale");
        expect(await cache.get("k", fetch)).to.equal("t2");
        cache.invalidate("k", "t2");
        expect(await cache.get("k", fetch)).to.equal("t3");
    });

    it("reads expires_in or expires_at", () => {
        expect(tokenLifetimeMs({ expires_in: 21600 })).to.equal(21600000);
        const now = Date.parse("2026-01-01T00:00:00Z");
        expect(tokenLifetimeMs({ expires_at: "2026-01-01T01:00:00Z" }, now)).to.equal(3600000);
    });

    it("rewrites next links and Locations onto the Qlik host", () => {
        expect(
            redirectTarget("https://a.us.qlikcloud.com/api/v1/users?next=x", "a.us.qlikcloud.com", {}),
        ).to.deep.equal({ host: "a.us.qlikcloud.com", path: "/api/v1/users?next=x" });
        expect(
            redirectTarget("http://127.0.0.1:9999/api/v1/x", "a.us.qlikcloud.com", {
                endpointOverride: "http://127.0.0.1:9999",
            }),
        ).to.deep.equal({ host: "a.us.qlikcloud.com", path: "/api/v1/x" });
        expect(redirectTarget("/api/v1/temp-contents/1", "a.us.qlikcloud.com", {})).to.deep.equal({
            host: "a.us.qlikcloud.com",
            path: "/api/v1/temp-contents/1",
        });
    });
});
