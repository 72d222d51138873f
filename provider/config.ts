// Provider settings, resolved at CALL time.
//
// Dynamic-provider closures are serialized per resource (docs/reference/pulumi-offline.md B3/B4): anything captured is baked
// into state in plaintext. So settings are never captured: the shim hands the stack config over in configure()
// (setProviderConfig), it is kept on globalThis of the provider process, and every call reads it again.
//
// The same validation runs once in the stack program (checkProgramConfig, from the SDK's shim factory), so
// a missing or malformed qlik:* setting fails `pulumi preview` ONCE with one message naming the key and the
// fix, before any resource is registered, instead of once per resource later.
import { KNOWN_REGIONS, isKnownRegion } from "./naming";

export interface ProviderConfig {
    region: string;
    domain: string;
    clientId?: string;
    clientSecret?: string;
    apiKey?: string;
    sourceTenantHost?: string;
    /** Origin (scheme://host:port) that receives every request; the real host goes into the Host header. */
    endpointOverride?: string;
    purgeAfterDays: number;
    allowTenantDeactivation: boolean;
    /** Re-declaring a customer whose tenant is deactivated reactivates and adopts it (provider/resources/reactivation.ts). */
    reactivateTenants?: boolean;
    requestTimeoutMs: number;
    maxRetries: number;
    maxConcurrentPerHost: number;
    /** Derived: register.<region>.<domain>, where tenant create/deactivate/reactivate go. */
    registerHost: string;
}

export type SettingName = Exclude<keyof ProviderConfig, "registerHost">;

interface SettingSpec {
    key: string;
    env: string;
    secret: boolean;
    kind: "string" | "int" | "bool";
    // Not named "default": Pulumi's closure serializer treats any object with a non-null `default` as an
    // import-star wrapper and crashes on a string (createClosure.js isImportStarResult).
    fallback?: string;
    min?: number;
    max?: number;
    help: string;
}

/** The single table of settings; docs/provider-client.md mirrors it. */
export const SETTINGS: Record<SettingName, SettingSpec> = {
    region: {
        key: "qlik:region",
        env: "QLIK_REGION",
        secret: false,
        kind: "string",
        help: `Qlik Cloud region: one of ${KNOWN_REGIONS.join(", ")}`,
    },
    domain: {
        key: "qlik:domain",
        env: "QLIK_DOMAIN",
        secret: false,
        kind: "string",
        fallback: "qlikcloud.com",
        help: "DNS domain of Qlik Cloud hosts",
    },
    clientId: {
        key: "qlik:clientId",
        env: "QLIK_CLIENT_ID",
        secret: false,
        kind: "string",
        help: "region-level OAuth client id (client_credentials)",
    },
    clientSecret: {
        key: "qlik:clientSecret",
        env: "QLIK_CLIENT_SECRET",
        secret: true,
        kind: "string",
        help: "secret of the region-level OAuth client",
    },
    apiKey: {
        key: "qlik:apiKey",
        env: "QLIK_API_KEY",
        secret: true,
        kind: "string",
        help: "API key used as Bearer instead of OAuth (single tenant only; cannot create tenants)",
    },
    sourceTenantHost: {
        key: "qlik:sourceTenantHost",
        env: "QLIK_SOURCE_TENANT_HOST",
        secret: false,
        kind: "string",
        help: "host of the ISV's source tenant (license key, source apps), e.g. isv.us.qlikcloud.com",
    },
    endpointOverride: {
        key: "qlik:endpointOverride",
        env: "QLIK_ENDPOINT_OVERRIDE",
        secret: false,
        kind: "string",
        help: "send every request to this origin (e.g. the emulator http://127.0.0.1:8080) keeping the real Host header",
    },
    purgeAfterDays: {
        key: "qlik:purgeAfterDays",
        env: "QLIK_PURGE_AFTER_DAYS",
        secret: false,
        kind: "int",
        fallback: "30",
        min: 10,
        max: 90,
        help: "days between tenant deactivation and purge (10-90)",
    },
    allowTenantDeactivation: {
        key: "qlik:allowTenantDeactivation",
        env: "QLIK_ALLOW_TENANT_DEACTIVATION",
        secret: false,
        kind: "bool",
        fallback: "false",
        help: "must be true for a destroy/replace to deactivate a tenant",
    },
    reactivateTenants: {
        key: "qlik:reactivateTenants",
        env: "QLIK_REACTIVATE_TENANTS",
        secret: false,
        kind: "bool",
        fallback: "false",
        help: "true lets a re-declared customer's DEACTIVATED tenant be reactivated and adopted (or set reactivate: true per tenant)",
    },
    requestTimeoutMs: {
        key: "qlik:requestTimeoutMs",
        env: "QLIK_REQUEST_TIMEOUT_MS",
        secret: false,
        kind: "int",
        fallback: "60000",
        min: 100,
        max: 3_600_000,
        help: "timeout of one HTTP attempt in milliseconds",
    },
    maxRetries: {
        key: "qlik:maxRetries",
        env: "QLIK_MAX_RETRIES",
        secret: false,
        kind: "int",
        fallback: "6",
        min: 0,
        max: 50,
        help: "retries after the first attempt for retryable failures",
    },
    maxConcurrentPerHost: {
        key: "qlik:maxConcurrentPerHost",
        env: "QLIK_MAX_CONCURRENT_PER_HOST",
        secret: false,
        kind: "int",
        fallback: "32",
        min: 1,
        max: 256,
        help: "requests in flight per Qlik host (all resources of the provider process)",
    },
};

/** Anything the shim may hand over: a plain map (PULUMI_CONFIG style) or a pulumi dynamic.Config. */
export type ConfigSource = Record<string, unknown> | { get(key: string): string | undefined };

interface ConfigStore {
    values: Map<string, string>;
}
const g = globalThis as typeof globalThis & { __qlikFleetConfig?: ConfigStore };
function store(): ConfigStore {
    return (g.__qlikFleetConfig ??= { values: new Map() });
}

export class ProviderConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProviderConfigError";
    }
}

/** Called by the shim from configure(); replaces whatever was set before. */
export function setProviderConfig(src: ConfigSource | undefined): void {
    const values = new Map<string, string>();
    if (src) {
        const getter = (src as { get?: unknown }).get;
        if (typeof getter === "function") {
            const cfg = src as { get(key: string): string | undefined };
            for (const spec of Object.values(SETTINGS)) {
                const v = cfg.get(spec.key);
                if (v !== undefined && v !== null && v !== "") values.set(spec.key, String(v));
            }
        } else {
            for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
                if (v === undefined || v === null || v === "") continue;
                values.set(normalizeKey(k), typeof v === "string" ? v : JSON.stringify(v));
            }
        }
    }
    store().values = values;
}

/** Test helper: forget configure() input. */
export function resetProviderConfig(): void {
    store().values = new Map();
}

function normalizeKey(k: string): string {
    // PULUMI_CONFIG uses "qlik:region"; accept bare "region" too.
    return k.includes(":") ? k : `qlik:${k}`;
}

function rawValue(spec: SettingSpec, env: NodeJS.ProcessEnv): { value?: string; from: string } {
    const fromConfig = store().values.get(spec.key);
    if (fromConfig !== undefined) return { value: fromConfig, from: spec.key };
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, from: spec.env };
    // The provider process also gets the whole stack config as JSON (docs/reference/pulumi-offline.md B1).
    const v = stackConfigJson(env.PULUMI_CONFIG)?.[spec.key];
    if (typeof v === "string" && v !== "") return { value: v, from: spec.key };
    return { value: spec.fallback, from: "default" };
}

// getProviderConfig runs for every API call and reads every setting; parsing PULUMI_CONFIG (the whole stack
// config) each time was the provider's largest own CPU cost in a 50-tenant up (0.9 of 15 CPU-s,
// docs/benchmark.md#where-the-cpu-goes). One parse per distinct text.
let lastConfigText: string | undefined;
let lastConfig: Record<string, unknown> | undefined;
function stackConfigJson(text: string | undefined): Record<string, unknown> | undefined {
    if (!text) return undefined;
    if (text !== lastConfigText) {
        lastConfigText = text;
        try {
            const parsed: unknown = JSON.parse(text);
            lastConfig = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
        } catch {
            lastConfig = undefined; // malformed PULUMI_CONFIG is not ours to report
        }
    }
    return lastConfig;
}

function howToSet(name: SettingName, example = "<value>"): string {
    const s = SETTINGS[name];
    return `set it with \`pulumi config set ${s.secret ? "--secret " : ""}${s.key} ${example}\` or the environment variable ${s.env}`;
}

export interface GetConfigOptions {
    /** Settings the calling operation cannot do without (beyond the always-required ones). */
    require?: SettingName[];
    /** Credentials are needed for any API call; false only for offline checks. */
    requireCredentials?: boolean;
    env?: NodeJS.ProcessEnv;
}

/** Resolve and validate. Throws one ProviderConfigError naming every problem and how to fix it. */
export function getProviderConfig(opts: GetConfigOptions = {}): ProviderConfig {
    const env = opts.env ?? process.env;
    const problems: string[] = [];
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
        const { value, from } = rawValue(spec, env);
        if (value === undefined) continue;
        const v = value.trim();
        if (spec.kind === "string") out[name] = v;
        else if (spec.kind === "int") {
            const n = Number(v);
            if (
                !Number.isInteger(n) ||
                (spec.min !== undefined && n < spec.min) ||
                (spec.max !== undefined && n > spec.max)
            ) {
                problems.push(
                    `${spec.key} (from ${from}) must be an integer between ${spec.min} and ${spec.max}, got ${JSON.stringify(v)}; ${howToSet(name)}`,
                );
            } else out[name] = n;
        } else {
            const b = /^(true|1|yes)$/i.test(v) ? true : /^(false|0|no)$/i.test(v) ? false : undefined;
            if (b === undefined)
                problems.push(
                    `${spec.key} (from ${from}) must be true or false, got ${JSON.stringify(v)}; ${howToSet(name, "true")}`,
                );
            else out[name] = b;
        }
    }
    const missing = (name: SettingName, why: string): void => {
        problems.push(`missing ${SETTINGS[name].key} (${why}): ${howToSet(name)}`);
    };
    if (!out.region) missing("region", SETTINGS.region.help);
    else if (!isKnownRegion(out.region)) {
        problems.push(
            `${SETTINGS.region.key} must be a Qlik Cloud region (${KNOWN_REGIONS.join(", ")}), got ${JSON.stringify(out.region)}; ${howToSet("region", "us")}`,
        );
    }
    if (opts.requireCredentials !== false && !out.apiKey) {
        if (!out.clientId) missing("clientId", SETTINGS.clientId.help);
        if (!out.clientSecret) missing("clientSecret", SETTINGS.clientSecret.help);
    }
    for (const name of opts.require ?? []) {
        if (out[name] === undefined) missing(name, SETTINGS[name].help);
    }
    if (typeof out.endpointOverride === "string") {
        try {
            const u = new URL(out.endpointOverride);
            if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
            out.endpointOverride = u.origin;
        } catch {
            problems.push(
                `${SETTINGS.endpointOverride.key} must be an origin like http://127.0.0.1:8080, got ${JSON.stringify(out.endpointOverride)}; ` +
                    `fix it with \`pulumi config set ${SETTINGS.endpointOverride.key} http://127.0.0.1:8080\`, or \`pulumi config rm ${SETTINGS.endpointOverride.key}\` for Qlik Cloud itself`,
            );
        }
    }
    if (problems.length) {
        throw new ProviderConfigError(`Qlik provider configuration is incomplete:\n  - ${problems.join("\n  - ")}`);
    }
    const cfg = out as unknown as ProviderConfig;
    cfg.registerHost = `register.${cfg.region}.${cfg.domain}`;
    return cfg;
}

/** Values that must never appear in messages or logs. */
export function configSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
    const out: string[] = [];
    for (const spec of Object.values(SETTINGS)) {
        if (!spec.secret) continue;
        const v = rawValue(spec, env).value;
        if (v) out.push(v);
    }
    return out;
}

interface ProgramCheckState {
    done?: boolean;
}
const programCheck = g as typeof g & { __qlikFleetProgramCheck?: ProgramCheckState };

/**
 * Called in the STACK PROGRAM when the first Qlik resource is declared (provider/shim.ts providerShim):
 * validates the stack's qlik:* config (plus QLIK_* variables) exactly like the provider will, and ends
 * the program with one message naming every bad key and its fix. pulumi.RunError prints the message
 * without a stack trace (@pulumi/pulumi errors.ts). Runs once per program; QLIK_SKIP_CONFIG_CHECK=1 skips it.
 */
export function checkProgramConfig(): void {
    const state = (programCheck.__qlikFleetProgramCheck ??= {});
    if (state.done || process.env.QLIK_SKIP_CONFIG_CHECK === "1") return;
    state.done = true;
    // Loaded lazily: the provider process never needs it here.
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const all = pulumi.runtime.allConfig();
    const values = new Map<string, string>();
    for (const spec of Object.values(SETTINGS)) {
        const v = all[spec.key];
        if (v !== undefined && v !== null && v !== "") values.set(spec.key, String(v));
    }
    const saved = store().values;
    store().values = values;
    try {
        getProviderConfig();
    } catch (e) {
        if (e instanceof ProviderConfigError) throw new pulumi.RunError(e.message);
        throw e;
    } finally {
        store().values = saved;
    }
}
