// Types shared by the pipeline, the routes and the models (no runtime code besides the Emulator factory
// helpers, so any part can import this without cycles).
import type { Store } from "../store/store";
import type { Clock } from "./clock";
import type { LatencyProfile, ProfileName } from "./profiles";
import type { RateLimiter } from "./limits";
import type { FaultInjector } from "./faults";
import type { RequestLog } from "./requestLog";
import type { WebSocket } from "ws";

export interface Caller {
    kind: "bot" | "user" | "apikey";
    userId: string;
    subject: string;
    tenantId: string; // "" for callers on the register host
    roles: string[]; // role names, e.g. ["TenantAdmin"]
    groupIds: string[];
    clientId?: string;
    auth: "bearer" | "cookie";
    sessionId?: string; // cookie sessions
}

export type TenantStatus = "active" | "disabled" | "deleted";

export interface Tenant {
    id: string;
    name: string;
    hostnames: string[]; // [0] system hostname, [1] alias
    datacenter: string;
    status: TenantStatus;
    created: string;
    lastUpdated: string;
    statusLastUpdatedAt: string;
    createdByUser: string;
    enableAnalyticCreation: boolean;
    enableAppOpeningFeedback: boolean;
    autoAssignCreateSharedSpacesRoleToProfessionals: boolean;
    autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: boolean;
    autoAssignDataServicesContributorRoleToProfessionals: boolean;
    estimatedPurgeDate?: string;
    licenseNumber?: string; // the OEM license it was created with (quota accounting)
    isSource?: boolean; // the seeded ISV tenant
}

export type HostKind = "register" | "tenant" | "admin";

export interface RequestContext {
    method: string;
    host: string; // without port, lower-case
    path: string;
    hostKind: HostKind;
    tenant?: Tenant;
    params: Record<string, string>;
    query: URLSearchParams;
    headers: Record<string, string | undefined>;
    body: unknown; // parsed JSON / form object; Buffer for other content types
    rawBody: Buffer;
    caller?: Caller;
    emu: Emulator;
    /** Scheme + host as the client addressed us, for links (e.g. "https://acme.us.qlikcloud.com"). */
    baseUrl: string;
}

export interface Reply {
    status: number;
    body?: unknown | Buffer | string;
    headers?: Record<string, string | string[]>;
    /** WebSocket routes only: accepts the upgrade (101) and takes the socket over. */
    upgrade?: (ws: WebSocket) => void;
}

/** What the auth stage knows about a request when it asks the directory who is calling. */
export interface AuthInput {
    host: string;
    hostKind: HostKind;
    tenant?: Tenant;
    headers: Record<string, string | undefined>;
}

/**
 * The API state the pipeline needs (host -> tenant, credentials -> caller). apis/directory.ts implements it
 * over the models, so core/ depends on this interface and never on an API model.
 */
export interface Directory {
    tenantByHostname(hostname: string): Tenant | undefined;
    /** An OAuth access token bound to this host, or an API key of this tenant. */
    bearerCaller(a: AuthInput, token: string): Caller | undefined;
    /** The jwt-session cookie (eas.sid + eas.sid.sig) of this tenant. */
    cookieCaller(a: AuthInput): Caller | undefined;
    /** The CSRF token of a cookie caller's session (undefined for bearer callers). */
    sessionCsrf(caller: Caller): string | undefined;
}

export interface EmulatorConfig {
    region: string;
    domain: string;
    registerHost: string; // register.<region>.<domain>
    datacenter: string; // e.g. us-east-1
    profile: ProfileName;
    rateLimitScale: number;
    tokenTtlSeconds: number;
    quiet: boolean;
    /** Seeds every random behaviour (fault rates): the same seed replays the same faults (core/random.ts). */
    randomSeed: number;
}

export interface EmulatorInfo {
    version: 1;
    pid: number;
    httpUrl: string;
    httpsUrl?: string;
    caCertFile?: string;
    adminUrl: string;
    domain: string;
    region: string;
    registerHost: string;
    sourceTenant: { id: string; hostname: string; adminEmail: string; adminSubject: string };
    oauthClient: { clientId: string; clientSecret: string };
    licenseKey: string;
    tenantQuota: number;
    apiKeys: { tenantId: string; key: string }[];
    profile: ProfileName;
    /** EmulatorConfig.randomSeed: give it back (--random-seed / QLIK_EMULATOR_SEED) to replay a run's faults. */
    randomSeed: number;
}

/**
 * Everything a request handler or model can reach. Areas register their model lazily with
 * `emu.model(name, factory)`: the first call builds it, later calls return the same instance.
 */
export interface Emulator {
    store: Store;
    clock: Clock;
    profile: LatencyProfile;
    config: EmulatorConfig;
    limits: RateLimiter;
    faults: FaultInjector;
    log: RequestLog;
    directory: Directory;
    secrets: { cookieSecret: string; licenseSecret: string };
    info?: EmulatorInfo;
    model<T>(name: string, factory: (emu: Emulator) => T): T;
    /** Register cleanup (timers, sockets) run by close(). */
    onClose(fn: () => void | Promise<void>): void;
    /** Schedules work after `ms` (0 = next tick); cancelled on close. Use instead of raw setTimeout. */
    later(ms: number, fn: () => void): void;
}

/** What server.ts hands to engine/index.ts handleEngineConnection(ws, ctx) after authenticating an upgrade. */
export interface EngineConnectionContext {
    emu: Emulator;
    tenant: Tenant;
    caller: Caller;
    appId: string; // decoded from /app/<appId>
    url: URL; // full request URL (query: reloadUri, identity, qlik-csrf-token, ...)
    headers: Record<string, string | undefined>;
}
