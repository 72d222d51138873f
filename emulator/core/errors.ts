// The one error factory and the one mapping to HTTP. Models throw DomainError (what went wrong, in domain
// terms: kind + Qlik's error code + wording); routes may throw QlikError (an HTTP status of their own). The
// pipeline's errorBoundary turns both into the body style of the API that owns the route
// (docs/reference/qlik-cloud-api.md §11: the style differs per service) via toQlikError + errorBody.
import * as crypto from "node:crypto";

export type ApiName =
    | "default"
    | "tenants"
    | "login"
    | "oauth"
    | "csrf"
    | "licenses"
    | "identity-providers"
    | "users"
    | "groups"
    | "roles"
    | "spaces"
    | "apps"
    | "items"
    | "temp-contents"
    | "data-connections"
    | "reloads"
    | "admin";

export interface ErrorItemExtra {
    source?: { pointer?: string; parameter?: string };
    meta?: unknown;
}

export class QlikError extends Error {
    readonly extra: ErrorItemExtra;
    headers: Record<string, string> = {};
    /** Set once per error, so the body and the server log name the same trace id. */
    readonly traceId = traceId();
    constructor(
        readonly api: ApiName,
        readonly status: number,
        readonly code: string,
        readonly title: string,
        readonly detail?: string,
        extra?: ErrorItemExtra,
    ) {
        super(`${status} ${code}: ${title}${detail ? ` (${detail})` : ""}`);
        this.extra = extra ?? {};
    }
}

export function apiError(
    api: ApiName,
    status: number,
    code: string,
    title: string,
    detail?: string,
    extra?: ErrorItemExtra,
): QlikError {
    return new QlikError(api, status, code, title, detail, extra);
}

/** What a model can report; the HTTP status is this module's business (DOMAIN_STATUS). */
export type DomainErrorKind =
    "invalid" | "forbidden" | "not-found" | "conflict" | "gone" | "precondition-failed" | "not-authorized";

const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
    invalid: 400,
    "not-authorized": 401,
    forbidden: 403,
    "not-found": 404,
    conflict: 409,
    gone: 410,
    "precondition-failed": 412,
};

/** A rule of the domain was broken. `code` and `title` are Qlik's documented wording for that rule. */
export class DomainError extends Error {
    constructor(
        readonly kind: DomainErrorKind,
        readonly code: string,
        readonly title: string,
        readonly detail?: string,
        readonly extra?: ErrorItemExtra,
    ) {
        super(`${kind} ${code}: ${title}${detail ? ` (${detail})` : ""}`);
    }
}

export function domainError(
    kind: DomainErrorKind,
    code: string,
    title: string,
    detail?: string,
    extra?: ErrorItemExtra,
): DomainError {
    return new DomainError(kind, code, title, detail, extra);
}

/** The HTTP status of a domain error (also used per item in bulk answers). */
export const statusOf = (e: DomainError): number => DOMAIN_STATUS[e.kind];

/** The single mapping: a DomainError in the style of `api` (the route's API); a QlikError as it is. */
export function toQlikError(e: unknown, api: ApiName): QlikError | undefined {
    if (e instanceof QlikError) return e;
    if (e instanceof DomainError) return apiError(api, statusOf(e), e.code, e.title, e.detail, e.extra);
    return undefined;
}

export function traceId(): string {
    return crypto.randomBytes(16).toString("hex");
}

const STRING_STATUS: ReadonlySet<ApiName> = new Set<ApiName>(["tenants", "login", "oauth"]);

/** Renders an error in the body style of its API. */
export function errorBody(err: QlikError): Record<string, unknown> {
    const item: Record<string, unknown> = { code: err.code, title: err.title };
    if (err.detail !== undefined) item.detail = err.detail;
    if (err.extra.source) item.source = err.extra.source;
    if (err.extra.meta !== undefined) item.meta = err.extra.meta;
    switch (err.api) {
        case "licenses":
            return { error: err.title, message: err.detail ?? err.title, errors: [item] };
        case "data-connections":
        case "reloads":
            return { errors: [{ ...item, status: err.status }] };
        case "spaces": {
            const top: Record<string, unknown> = { code: err.code, title: err.title };
            if (err.detail !== undefined) top.detail = err.detail;
            return { ...top, errors: [{ ...item, status: err.status }], traceId: err.traceId };
        }
        default:
            return {
                errors: [{ ...item, status: STRING_STATUS.has(err.api) ? String(err.status) : err.status }],
                traceId: err.traceId,
            };
    }
}

/** 429 body shared by every API (qlik.dev rate-limiting page). */
export function rateLimitBody(waitSeconds: number): Record<string, unknown> {
    return {
        errors: [
            {
                code: "HTTP-429",
                title: "API rate limit reached.",
                detail: `You need to wait ${waitSeconds} seconds until limit is lifted.`,
            },
        ],
    };
}
