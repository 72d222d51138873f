// Qlik error bodies -> one error class whose message tells the operator what failed and how to fix it.
// Everything echoed goes through redact(): messages end up in Pulumi logs and state.

import { configSecrets } from "../config";

const g = globalThis as typeof globalThis & { __qlikFleetSecrets?: Set<string> };
function secretSet(): Set<string> {
    return (g.__qlikFleetSecrets ??= new Set());
}

/** Remember a runtime secret (an access token, a generated password) so redact() removes it everywhere. */
export function registerSecret(value: string | undefined): void {
    if (value && value.length >= 6) secretSet().add(value);
}

const SECRET_KEYS =
    /^(authorization|client_secret|clientsecret|password|passwd|secret|access_token|refresh_token|apikey|api_key|privatekey|private_key|cookie|set-cookie|token|licensekey|qpassword|x-api-key)$/i;
const REDACTED = "[REDACTED]";

function redactString(s: string): string {
    let out = s;
    for (const secret of [...secretSet(), ...configSecrets()]) {
        if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out
        .replace(
            /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
            `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`,
        )
        .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`)
        .replace(
            /("?(?:client_secret|clientSecret|password|access_token|refresh_token|apiKey|api_key|privateKey|licenseKey|qPassword)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,&}]+)/gi,
            `$1"${REDACTED}"`,
        );
}

/** Deep copy with secret keys masked and secret strings removed. Safe for logs and messages. */
export function redact<T>(value: T): T {
    return redactValue(value, 0) as T;
}

function redactValue(value: unknown, depth: number): unknown {
    if (typeof value === "string") return redactString(value);
    if (value === null || typeof value !== "object" || depth > 8) return value;
    if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] =
            SECRET_KEYS.test(k) && v !== undefined && v !== null && v !== "" ? REDACTED : redactValue(v, depth + 1);
    }
    return out;
}

export interface QlikErrorItem {
    code?: string;
    title?: string;
    detail?: string;
    status?: string | number;
}

export type QlikErrorKind = "http" | "timeout" | "network" | "engine";

export interface QlikApiErrorInit {
    kind: QlikErrorKind;
    purpose: string;
    method: string;
    host: string;
    path: string;
    status?: number;
    body?: unknown;
    cause?: unknown;
    attempts?: number;
    /** For network errors: a Node error code like ECONNREFUSED. */
    netCode?: string;
    /** For network errors: the origin actually contacted (qlik:endpointOverride, or https://<host>). */
    endpoint?: string;
    /**
     * For a call cut in mid-flight (ECONNRESET, socket hang up): the code of a fresh connect to `endpoint`
     * when that failed too (e.g. ECONNREFUSED: the emulator was stopped during the call).
     */
    probeCode?: string;
    timeoutMs?: number;
}

/** Pull {code,title,detail} out of any Qlik error style. */
export function parseQlikErrorBody(body: unknown): { items: QlikErrorItem[]; traceId?: string; message?: string } {
    if (body === null || body === undefined) return { items: [] };
    if (typeof body === "string") {
        const t = body.trim();
        if (t.startsWith("{")) {
            try {
                return parseQlikErrorBody(JSON.parse(t));
            } catch {
                // fall through: plain text body
            }
        }
        return { items: [], message: t ? t.slice(0, 300) : undefined };
    }
    if (typeof body !== "object" || Buffer.isBuffer(body)) return { items: [] };
    const b = body as Record<string, unknown>;
    const items: QlikErrorItem[] = [];
    if (Array.isArray(b.errors)) {
        for (const e of b.errors) {
            if (e && typeof e === "object") {
                const r = e as Record<string, unknown>;
                items.push({
                    code: str(r.code),
                    title: str(r.title),
                    detail: str(r.detail),
                    status: typeof r.status === "number" ? r.status : str(r.status),
                });
            }
        }
    }
    // spaces (deprecated) and some gateways: top-level code/title
    if (!items.length && (b.code !== undefined || b.title !== undefined)) {
        items.push({ code: str(b.code), title: str(b.title), detail: str(b.detail) ?? str(b.message) });
    }
    // licenses: {error, message, errors}
    let message: string | undefined;
    if (typeof b.error === "string" || typeof b.message === "string") {
        message = [str(b.error), str(b.message)].filter(Boolean).join(": ");
    }
    return { items, traceId: str(b.traceId), message };
}

function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** A FIX line for the common cases; undefined when we have nothing useful to add. */
function fixHint(
    init: Pick<QlikApiErrorInit, "kind" | "status" | "method" | "path" | "netCode" | "timeoutMs">,
    codes: string[],
): string | undefined {
    const has = (c: string): boolean => codes.includes(c);
    if (init.kind === "timeout")
        return `the call did not answer within ${init.timeoutMs} ms; raise qlik:requestTimeoutMs (env QLIK_REQUEST_TIMEOUT_MS) or check the network path to Qlik Cloud`;
    if (init.kind === "network") {
        if (init.netCode === "ECONNREFUSED")
            return "nothing is listening at the target address; if qlik:endpointOverride (env QLIK_ENDPOINT_OVERRIDE) is set, is the emulator running there?";
        if (init.netCode === "ENOTFOUND" || init.netCode === "EAI_AGAIN")
            return "the host name does not resolve; check qlik:region / qlik:domain, or set qlik:endpointOverride for the emulator";
        return "network failure talking to Qlik Cloud; re-run `pulumi up` (the operation is safe to repeat)";
    }
    if (has("TENANT_DISABLED"))
        return "the tenant is deactivated; reactivate it (POST register.<region>.<domain>/api/v1/tenants/<id>/actions/reactivate with header qlik-confirm-hostname) or remove it from the stack";
    if (has("TENANTS-22"))
        return "license quota limit reached: the signed license allows no more tenants; deactivate unused tenants or ask Qlik to raise the tenant quota";
    if (has("TENANTS-23"))
        return "the license key was rejected; check that qlik:sourceTenantHost is the ISV source tenant whose /api/v1/licenses/overview licenseKey is valid";
    if (has("HTTP-429") || init.status === 429)
        return "Qlik's API rate limit was still exceeded after retries; lower `pulumi up --parallel`, or raise qlik:maxRetries";
    switch (init.status) {
        case 401:
            return "authentication failed: check qlik:clientId and qlik:clientSecret (env QLIK_CLIENT_ID / QLIK_CLIENT_SECRET; set the secret with `pulumi config set --secret qlik:clientSecret <value>`), that the OAuth client is a region-level client of this region, or that qlik:apiKey belongs to this tenant";
        case 403:
            return "the OAuth client's bot user lacks permission for this call (needs TenantAdmin, space membership for app export, or a region-level client for tenant create/deactivate)";
        case 404:
            return "the object does not exist (deleted outside Pulumi?); run `pulumi refresh` to drop it from state, or check the id";
        case 409:
            return "name conflict: an object with this name already exists; choose another name, or remove the other object (an object another stack manages is taken over only with takeOverFrom, docs/ownership.md)";
        case 412:
            return "precondition failed: the qlik-confirm-hostname header must equal the tenant's hostname; check the tenant's hostnames[0]";
        case 413:
            return "payload too large for this endpoint";
    }
    if (init.status !== undefined && init.status >= 500)
        return "Qlik Cloud returned a server error after retries; re-run later and quote the traceId to Qlik support if it persists";
    return undefined;
}

/** Node codes meaning "nobody answers there at all": the endpoint, not the call, is the problem. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const gu = globalThis as typeof globalThis & { __qlikFleetUnreachable?: Set<string> };

/**
 * True the first time this process reports `endpoint` unreachable. A stopped emulator (or a dead
 * network path) mid-`up` makes every in-flight resource fail; the cause and fix are said once, the
 * other resources' errors just point at it (issue 8 item 8).
 */
function firstUnreachable(endpoint: string): boolean {
    const seen = (gu.__qlikFleetUnreachable ??= new Set());
    if (seen.has(endpoint)) return false;
    seen.add(endpoint);
    return true;
}

/** For tests: forget which endpoints were reported. */
export function resetUnreachableReports(): void {
    gu.__qlikFleetUnreachable?.clear();
}

export class QlikApiError extends Error {
    readonly kind: QlikErrorKind;
    readonly purpose: string;
    readonly method: string;
    readonly host: string;
    readonly path: string;
    readonly status?: number;
    readonly code?: string;
    readonly title?: string;
    readonly detail?: string;
    readonly traceId?: string;
    readonly errors: QlikErrorItem[];
    readonly fix?: string;
    readonly attempts?: number;
    readonly netCode?: string;
    /** Nothing answers at the endpoint (refused, no DNS, no route, or a cut call whose endpoint then refused). */
    readonly unreachable: boolean;

    constructor(init: QlikApiErrorInit) {
        const parsed = parseQlikErrorBody(redact(init.body));
        const first = parsed.items[0];
        const codes = parsed.items.map((i) => i.code).filter((c): c is string => !!c);
        const cut = init.kind === "network" && !!init.probeCode && UNREACHABLE.has(init.probeCode);
        const unreachable =
            init.kind === "network" && !!init.endpoint && (cut || (!!init.netCode && UNREACHABLE.has(init.netCode)));
        const firstReport = unreachable ? firstUnreachable(init.endpoint as string) : true;
        // A cut call whose endpoint no longer answers has the FIX of a refused connection.
        const fix = firstReport ? fixHint(cut ? { ...init, netCode: init.probeCode } : init, codes) : undefined;
        const path = redactString(init.path);
        const call = `${init.method} ${init.host}${path}`;
        let what: string;
        if (init.kind === "timeout") what = `timed out after ${init.timeoutMs} ms`;
        else if (cut && firstReport)
            what = `the connection to ${init.endpoint} was cut (${init.netCode}) and nothing listens there any more (${init.probeCode}): no Qlik endpoint answers there`;
        else if (unreachable && firstReport)
            what = `cannot connect to ${init.endpoint} (${init.netCode}): no Qlik endpoint answers there`;
        else if (unreachable)
            what = `${init.netCode}: the Qlik endpoint is unreachable (the first error naming it says which and how to fix it)`;
        else if (init.kind === "network")
            what = `network error ${init.netCode ?? ""}: ${redactString(errMessage(init.cause))}`.replace("  ", " ");
        else {
            const parts = parsed.items.length
                ? parsed.items.map((i) =>
                      [i.code && `[${i.code}]`, i.title, i.detail && `- ${i.detail}`].filter(Boolean).join(" "),
                  )
                : parsed.message
                  ? [parsed.message]
                  : [];
            what = `HTTP ${init.status}${parts.length ? `: ${parts.join("; ")}` : ""}`;
            if (parsed.message && parsed.items.length) what += ` (${parsed.message})`;
        }
        const lines = [`Qlik API call failed while ${init.purpose}: ${call} -> ${what}`];
        if (parsed.traceId) lines.push(`traceId: ${parsed.traceId}`);
        if (init.attempts && init.attempts > 1) lines.push(`attempts: ${init.attempts}`);
        if (fix) lines.push(`FIX: ${fix}`);
        super(lines.join("\n"));
        this.name = "QlikApiError";
        this.kind = init.kind;
        this.purpose = init.purpose;
        this.method = init.method;
        this.host = init.host;
        this.path = path;
        this.status = init.status;
        this.code = first?.code;
        this.title = first?.title;
        this.detail = first?.detail;
        this.traceId = parsed.traceId;
        this.errors = parsed.items;
        this.fix = fix;
        this.attempts = init.attempts;
        this.netCode = init.netCode;
        this.unreachable = unreachable;
    }

    /** True when any Qlik error item carries this code (e.g. "TENANTS-22"). */
    hasCode(code: string): boolean {
        return this.errors.some((e) => e.code === code);
    }
}

export function errMessage(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** Name-based as well as instanceof: serialized provider closures may carry their own copy of the class. */
export function isQlikApiError(e: unknown, status?: number): e is QlikApiError {
    const ok = e instanceof QlikApiError || (e instanceof Error && e.name === "QlikApiError");
    return ok && (status === undefined || (e as QlikApiError).status === status);
}
