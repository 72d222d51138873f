// HTTP client for the contract suite: sends a request to the emulator with the real Qlik Host header
// (node:http, since fetch cannot set Host), then checks the exchange against Qlik's OpenAPI documents:
// the request body it sent must match the documented request schema, the status must be documented
// for the operation, and the response body must match that status's schema (or be empty when none
// is documented). Problems are allowed only through the explicit table in deviations.ts.
import type * as http from "node:http";
import type { ErrorObject } from "ajv";
import { loadSpecs, responseFor, type SpecIndex, type SpecOperation } from "./spec";
import { deviationsFor, type Deviation, type DeviationKind } from "./deviations";
import { send as sendRaw, type JsonBody, type RawResponse } from "../support/http";

export interface ContractRequest {
    method?: string;
    host: string;
    path: string; // may carry a query string
    token?: string;
    headers?: Record<string, string>;
    body?: unknown; // JSON body (object/array/string/number)
    form?: Record<string, string>; // x-www-form-urlencoded body
    raw?: Buffer; // binary body (content type from contentType, default octet-stream)
    contentType?: string;
    /**
     * "valid" (default): the body must satisfy the request schema. "invalid": it must NOT (bad-body tests).
     * "any": not checked (the fuzzer sends whatever it generated; only the response is validated).
     */
    requestBody?: "valid" | "invalid" | "any";
    /**
     * Fuzzer mode: an error status (4xx) the spec does not list for this operation is checked against the API's
     * documented error schema (SpecOperation.errorValidate) instead of being reported as undocumented.
     */
    undocumentedErrors?: "api-error-schema";
}

export interface ContractResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    raw: Buffer;
    text: string;
    body: JsonBody;
    op: SpecOperation;
}

export class ContractError extends Error {}

/** Every (operation, status) pair validated in this process, and each deviation that was needed. */
export const coverage = {
    validated: new Map<string, Set<number>>(),
    deviationsUsed: new Set<string>(),
    record(op: string, status: number): void {
        let s = this.validated.get(op);
        if (!s) this.validated.set(op, (s = new Set()));
        s.add(status);
    },
};

interface Problem {
    kind: DeviationKind;
    message: string;
    errors?: ErrorObject[];
}

function fmtErrors(errors: ErrorObject[] | null | undefined): string {
    return (errors ?? [])
        .slice(0, 8)
        .map(
            (e) =>
                `${e.instancePath || "/"} ${e.keyword}: ${e.message}` +
                (e.keyword === "additionalProperties"
                    ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
                    : "") +
                (e.keyword === "enum"
                    ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`
                    : ""),
        )
        .join("; ");
}

/** Drops the ajv errors a deviation tolerates; returns what is left (and marks the deviation used). */
function unexcused(
    kind: DeviationKind,
    opKey: string,
    status: number | undefined,
    errors: ErrorObject[],
): ErrorObject[] {
    // Only targeted entries (path and/or keyword) excuse individual schema errors.
    const devs = deviationsFor(kind, opKey, status).filter((d) => d.instancePath || d.keyword);
    return errors.filter((e) => {
        const d = devs.find(
            (x: Deviation) =>
                (!x.instancePath || x.instancePath.test(e.instancePath)) && (!x.keyword || x.keyword === e.keyword),
        );
        if (d) coverage.deviationsUsed.add(d.id);
        return !d;
    });
}

/** Applies the matching deviations' rewrites to a copy of the body; marks those that changed it as used. */
function rewritten(kind: DeviationKind, opKey: string, status: number | undefined, body: unknown): unknown {
    let cur = body;
    for (const d of deviationsFor(kind, opKey, status)) {
        if (!d.rewrite || cur === undefined) continue;
        const copy = JSON.parse(JSON.stringify(cur)) as unknown;
        d.rewrite(copy);
        if (JSON.stringify(copy) !== JSON.stringify(cur)) {
            coverage.deviationsUsed.add(d.id);
            cur = copy;
        }
    }
    return cur;
}

// Combinator errors (oneOf/anyOf "must match a schema") are noise once their branches are excused.
function meaningful(errors: ErrorObject[]): ErrorObject[] {
    const rest = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "if");
    return rest.length > 0 ? rest : errors;
}

/** The exchange through the tests' one HTTP client; a JSON body is always serialised (even a bare string). */
function send(baseUrl: string, req: ContractRequest): Promise<RawResponse> {
    const body = req.raw ?? (req.body !== undefined && !req.form ? Buffer.from(JSON.stringify(req.body)) : undefined);
    const contentType = req.raw ? (req.contentType ?? "application/octet-stream") : req.contentType;
    return sendRaw(baseUrl, { ...req, body, contentType });
}

export class ContractClient {
    readonly spec: SpecIndex;

    constructor(
        readonly baseUrl: string,
        spec?: SpecIndex,
    ) {
        this.spec = spec ?? loadSpecs();
    }

    /** Sends, validates, and (when `expect` is given) asserts the status. Throws ContractError on any problem. */
    async request(req: ContractRequest, expect?: number | number[]): Promise<ContractResponse> {
        const method = (req.method ?? "GET").toUpperCase();
        const pathOnly = req.path.split("?")[0];
        const op = this.spec.match(method, pathOnly);
        const label = `${method} ${req.path} (host ${req.host})`;
        if (!op) throw new ContractError(`${label}: no operation in the OpenAPI documents matches this request`);
        const problems: Problem[] = [];
        this.checkRequest(op, req, problems);

        const res = await send(this.baseUrl, req);
        const text = res.raw.toString("utf8");
        let body: unknown = undefined;
        const ctype = String(res.headers["content-type"] ?? "")
            .split(";")[0]
            .trim()
            .toLowerCase();
        if (text && (ctype.includes("json") || ctype === "")) {
            try {
                body = JSON.parse(text);
            } catch {
                body = text;
            }
        } else if (text) body = text;

        this.checkResponse(op, res.status, res.headers, ctype, res.raw, body, problems, req.undocumentedErrors);
        const left = problems.filter((p) => {
            if (!p.errors) {
                // Whole-problem entries (undocumented status, unexpected body) carry no path/keyword/rewrite.
                const devs = deviationsFor(p.kind, op.key, res.status).filter(
                    (d) => !d.instancePath && !d.keyword && !d.rewrite,
                );
                devs.forEach((d) => coverage.deviationsUsed.add(d.id));
                return devs.length === 0;
            }
            p.errors = meaningful(
                unexcused(p.kind, op.key, p.kind === "request-schema" ? undefined : res.status, p.errors),
            );
            return p.errors.length > 0;
        });
        if (left.length > 0) {
            throw new ContractError(
                `${label} -> ${res.status} [${op.key}, ${op.source}]:\n` +
                    left
                        .map((p) => `  - ${p.kind}: ${p.message}${p.errors ? " :: " + fmtErrors(p.errors) : ""}`)
                        .join("\n") +
                    `\n  response: ${text.slice(0, 600)}`,
            );
        }
        if (expect !== undefined) {
            const ok = Array.isArray(expect) ? expect.includes(res.status) : res.status === expect;
            if (!ok)
                throw new ContractError(
                    `${label}: expected ${JSON.stringify(expect)}, got ${res.status}: ${text.slice(0, 600)}`,
                );
        }
        coverage.record(op.key, res.status);
        return { status: res.status, headers: res.headers, raw: res.raw, text, body, op };
    }

    private checkRequest(op: SpecOperation, req: ContractRequest, problems: Problem[]): void {
        const mode = req.requestBody ?? "valid";
        if (mode === "any") return;
        const sent = req.raw !== undefined || req.form !== undefined || req.body !== undefined;
        if (!sent) {
            if (op.requestRequired && mode === "valid")
                problems.push({ kind: "request-schema", message: "the spec requires a request body; none sent" });
            return;
        }
        const media = req.raw
            ? (req.contentType ?? "application/octet-stream")
            : req.form
              ? "application/x-www-form-urlencoded"
              : (req.contentType ?? "application/json");
        if (
            op.requestMediaTypes.length > 0 &&
            !op.requestMediaTypes.some(
                (m) => m === media || m === "*/*" || (m.endsWith("/*") && media.startsWith(m.slice(0, -1))),
            )
        ) {
            if (mode === "valid")
                problems.push({
                    kind: "request-schema",
                    message: `media type ${media} not documented (${op.requestMediaTypes.join(", ")})`,
                });
            return;
        }
        const validate = req.form ? op.validateFormRequest : req.raw ? undefined : op.validateRequest;
        if (!validate) {
            if (op.requestMediaTypes.length === 0 && mode === "valid")
                problems.push({ kind: "request-schema", message: "a body was sent but the spec documents none" });
            return;
        }
        const ok = validate(rewritten("request-schema", op.key, undefined, req.form ?? req.body));
        if (mode === "valid" && !ok)
            problems.push({
                kind: "request-schema",
                message: "request body does not match the spec",
                errors: [...(validate.errors ?? [])],
            });
        if (mode === "invalid" && ok)
            throw new ContractError(
                `${op.key}: the test's "bad" body is valid per the spec: ${JSON.stringify(req.body ?? req.form)}`,
            );
    }

    private checkResponse(
        op: SpecOperation,
        status: number,
        headers: http.IncomingHttpHeaders,
        ctype: string,
        raw: Buffer,
        body: unknown,
        problems: Problem[],
        undocumented?: "api-error-schema",
    ): void {
        const found = responseFor(op, status);
        if (!found && undocumented === "api-error-schema" && status >= 400 && status < 500 && op.errorValidate) {
            if (!ctype.includes("json"))
                problems.push({
                    kind: "response-schema",
                    message: `error status ${status}: content-type ${ctype || "(none)"} is not JSON`,
                });
            else if (!op.errorValidate(rewritten("response-schema", op.key, status, body))) {
                problems.push({
                    kind: "response-schema",
                    message: `undocumented status ${status}: body does not match the API's error schema`,
                    errors: [...(op.errorValidate.errors ?? [])],
                });
            }
            return;
        }
        if (!found) {
            problems.push({
                kind: "undocumented-status",
                message: `status ${status} is not documented (documented: ${[...op.responses.keys()].join(", ")})`,
            });
            return;
        }
        const { resp } = found;
        // Documented headers must be present; B3 trace ids are tracing plumbing, not contract.
        // (The items spec spells one of them "X-B3 TraceId", with a space: no client could send or read that header.)
        const absent = resp.headers.filter((h) => !/^x-b3[- ]/.test(h) && headers[h] === undefined);
        if (absent.length > 0)
            problems.push({ kind: "response-header", message: `documented header(s) missing: ${absent.join(", ")}` });
        if (resp.mediaTypes.length === 0) {
            if (raw.length > 0)
                problems.push({
                    kind: "response-schema",
                    message: `status ${status} documents no body but ${raw.length} bytes came back`,
                });
            return;
        }
        if (!resp.validate) return; // a non-JSON body (octet-stream download) only needs a documented status
        if (raw.length === 0) {
            problems.push({
                kind: "response-schema",
                message: `status ${status} documents a JSON body but the response is empty`,
            });
            return;
        }
        if (!ctype.includes("json"))
            problems.push({ kind: "response-schema", message: `content-type ${ctype || "(none)"} is not JSON` });
        if (!resp.validate(rewritten("response-schema", op.key, status, body))) {
            problems.push({
                kind: "response-schema",
                message: `body does not match the ${found.key} schema`,
                errors: [...(resp.validate.errors ?? [])],
            });
        }
    }

    /** client_credentials token for a host, itself validated like any other call. */
    async token(host: string, client: { clientId: string; clientSecret: string }): Promise<string> {
        const r = await this.request(
            {
                method: "POST",
                host,
                path: "/oauth/token",
                body: {
                    client_id: client.clientId,
                    client_secret: client.clientSecret,
                    grant_type: "client_credentials",
                },
            },
            200,
        );
        return r.body.access_token as string;
    }
}

/** Plain call without validation (admin endpoints, which have no spec). */
export async function adminCall(
    baseUrl: string,
    method: string,
    path: string,
    body?: unknown,
): Promise<{ status: number; body: JsonBody }> {
    const r = await send(baseUrl, { host: "127.0.0.1", method, path, body });
    const text = r.raw.toString("utf8");
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
