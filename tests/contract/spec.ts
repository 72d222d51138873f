// Over 400 lines: loading, $ref resolution, the older-snapshot fallback and the validators are one pipeline over
// the same parsed documents; splitting it would pass that state between modules.
// Loads Qlik's OpenAPI documents and compiles request/response validators for the contract suite.
// Primary source: every qliksense-*-api-openapi.yml in QLIK_OPENAPI_DIR. Operations those files lack
// (POST /oauth/token, POST /login/jwt-session, space assignments, group settings, ...) fall back to the
// older merged snapshot saas-rest-merged-2025-01-17.json in the same folder (see its README: "where
// the 2025 and 2026 documents disagree, the newer one wins", so the YAML files always take precedence).
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import Ajv, { type ValidateFunction, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { REPO_ROOT } from "../../scripts/lib/repo";

export const SPEC_DIR_ENV = "QLIK_OPENAPI_DIR";
export const MERGED_FALLBACK = "saas-rest-merged-2025-01-17.json";
const METHODS = ["get", "put", "post", "patch", "delete"] as const;

type Json = Record<string, unknown>;
export interface Tier {
    tier: string;
    limit: number;
}

export interface SpecResponse {
    /** JSON schema validator, when the status documents an application/json body. */
    validate?: ValidateFunction;
    /** Media types documented for this status (empty = no body). */
    mediaTypes: string[];
    /** Response header names documented for this status (lower case). */
    headers: string[];
}

export interface SpecOperation {
    key: string; // "POST /api/v1/spaces/{}" (normalised: /api prefix, params anonymous)
    method: string; // upper case
    path: string; // normalised path as documented, e.g. /api/v1/spaces/{spaceId}
    source: string; // file name the operation came from
    operationId?: string;
    tier?: Tier;
    responses: Map<string, SpecResponse>; // "200", "4XX", "default"
    requestMediaTypes: string[];
    requestRequired: boolean;
    validateRequest?: ValidateFunction; // application/json request body
    validateFormRequest?: ValidateFunction; // application/x-www-form-urlencoded request body
    /** Raw (unconverted) request schema of the first JSON-ish media type, `$ref`s relative to `doc` (fuzzer input). */
    requestSchema?: unknown;
    /** Path and query parameters, `$ref`s resolved one level (fuzzer input). */
    parameters: SpecParameter[];
    /** The document the operation came from (for `$ref` resolution). */
    doc: Json;
    /**
     * The API's documented error schema (set by loadSpecs): the operation's own first JSON 4xx response, else that
     * of a sibling operation of the same area (/api/v1/<area>) in the same file. The fuzzer validates error statuses
     * the spec omits for this operation against it.
     */
    errorValidate?: ValidateFunction;
}

export interface SpecParameter {
    name: string;
    in: string;
    required: boolean;
    schema?: unknown;
}

/** Resolves a local `$ref` chain against `doc` (exported for the fuzzer). */
export function resolveRef(doc: Record<string, unknown>, node: unknown): Record<string, unknown> | undefined {
    return deref(doc, node);
}

/** The repository root (the folder holding scripts/lib/engine.js). */
export function repoRoot(): string {
    return REPO_ROOT;
}

export function defaultSpecDir(): string {
    return path.resolve(repoRoot(), "tests", "contract", "qlik-openapi");
}

export function specDir(): string {
    return process.env[SPEC_DIR_ENV] ? path.resolve(process.env[SPEC_DIR_ENV] as string) : defaultSpecDir();
}

/** "/v1/x/{id}" and "/api/v1/x/:id" both become "/api/v1/x/{}" so emulator routes and spec paths meet. */
export function normalisePath(p: string): string {
    let out = p.split("?")[0];
    if (out.startsWith("/v1/")) out = "/api" + out;
    return out
        .split("/")
        .map((seg) => (seg.startsWith(":") || /^\{[^}]+\}$/.test(seg) ? "{}" : seg))
        .join("/");
}

export function opKey(method: string, p: string): string {
    return `${method.toUpperCase()} ${normalisePath(p)}`;
}

// OpenAPI 3.0 schema quirks -> JSON Schema draft-07 for ajv. `mode` drops `required` entries that
// the OpenAPI rules exempt in that direction (readOnly props in requests, writeOnly in responses).
function toJsonSchema(node: unknown, mode: "request" | "response", docId: string): unknown {
    if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, mode, docId));
    if (!node || typeof node !== "object") return node;
    const src = node as Json;
    const out: Json = {};
    for (const [k, v] of Object.entries(src)) {
        if (k === "$ref" && typeof v === "string") {
            out.$ref = v.startsWith("#/") ? `${docId}${v}` : v;
        } else if (
            k === "example" ||
            k === "examples" ||
            k === "discriminator" ||
            k === "xml" ||
            k === "externalDocs" ||
            k === "nullable" ||
            k.startsWith("x-")
        ) {
            // annotations only; `nullable` handled below
        } else if (k === "properties" && v && typeof v === "object" && !Array.isArray(v)) {
            const props: Json = {};
            for (const [pk, pv] of Object.entries(v as Json)) props[pk] = toJsonSchema(pv, mode, docId);
            out.properties = props;
        } else {
            out[k] = toJsonSchema(v, mode, docId);
        }
    }
    if (Array.isArray(src.required) && src.properties && typeof src.properties === "object") {
        const props = src.properties as Json;
        const skip = mode === "request" ? "readOnly" : "writeOnly";
        out.required = (src.required as string[]).filter((r) => !(props[r] as Json | undefined)?.[skip]);
    }
    // Qlik writes some enums as `oneOf: [{title: "ANALYTICS", x-qlik-const: 0}, ...]` (UsageEnum): the value is the title.
    if (
        Array.isArray(src.oneOf) &&
        src.oneOf.length > 0 &&
        src.oneOf.every(
            (b) =>
                b &&
                typeof b === "object" &&
                typeof (b as Json).title === "string" &&
                Object.keys(b as Json).every((k) => k === "title" || k === "description" || k.startsWith("x-")),
        )
    ) {
        out.enum = (src.oneOf as Json[]).map((b) => b.title);
        delete out.oneOf;
    }
    // Qlik's discriminators have no `mapping`, and their oneOf branches overlap (an IDPJWTAuth object
    // also fits the looser OIDC branch), so strict oneOf would reject valid objects: use anyOf.
    if (src.discriminator && Array.isArray(out.oneOf)) {
        out.anyOf = out.oneOf;
        delete out.oneOf;
    }
    if (src.nullable === true) {
        if (typeof out.type === "string") out.type = [out.type, "null"];
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
        if (out.type === undefined) return { anyOf: [out, { type: "null" }] };
    }
    return out;
}

function collectFormats(node: unknown, into: Set<string>): void {
    if (Array.isArray(node)) {
        node.forEach((n) => collectFormats(n, into));
        return;
    }
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node as Json)) {
        if (k === "format" && typeof v === "string") into.add(v);
        else collectFormats(v, into);
    }
}

/** One ajv instance per document and direction; `$ref: "#/components/..."` point at the document. */
class DocCompiler {
    private ajv: Record<"request" | "response", Ajv>;
    private readonly docId: string;

    constructor(
        private readonly file: string,
        doc: Json,
    ) {
        this.docId = `qlik-spec:${file}`;
        const formats = new Set<string>();
        collectFormats(doc, formats);
        const make = (mode: "request" | "response"): Ajv => {
            // unicodeRegExp off: Qlik patterns use escapes (\" \:) that are legal only in non-unicode regexps.
            const ajv = new Ajv({
                strict: false,
                allErrors: true,
                logger: false,
                validateSchema: false,
                unicodeRegExp: false,
            });
            addFormats(ajv);
            // Qlik uses free-text formats ("uid", "JWT ID (jti)", "bearer"): accept anything for those.
            for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true);
            ajv.addSchema({ $id: this.docId, components: toJsonSchema(doc.components ?? {}, mode, this.docId) });
            return ajv;
        };
        this.ajv = { request: make("request"), response: make("response") };
    }

    compile(schema: unknown, mode: "request" | "response"): ValidateFunction {
        try {
            return this.ajv[mode].compile(toJsonSchema(schema, mode, this.docId) as Json);
        } catch (e) {
            throw new Error(
                `${this.file}: cannot compile schema ${JSON.stringify(schema).slice(0, 200)}: ${(e as Error).message}`,
            );
        }
    }
}

/** Follows a local `$ref` chain (for responses / requestBodies stored under components). */
function deref(doc: Json, node: unknown): Json | undefined {
    let cur = node as Json | undefined;
    for (let i = 0; cur && typeof cur.$ref === "string" && i < 10; i++) {
        const ref = cur.$ref as string;
        if (!ref.startsWith("#/")) return undefined;
        cur = ref
            .slice(2)
            .split("/")
            .reduce<unknown>(
                (acc, part) =>
                    acc && typeof acc === "object"
                        ? (acc as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")]
                        : undefined,
                doc,
            ) as Json | undefined;
    }
    return cur;
}

function jsonSchemaOf(content: Json | undefined, mediaType: string): unknown {
    const media = content?.[mediaType] as Json | undefined;
    return media?.schema;
}

function parseTier(v: unknown): Tier | undefined {
    if (!v || typeof v !== "object") return undefined;
    const t = v as Json;
    return { tier: String(t.tier), limit: Number(t.limit) };
}

export class SpecIndex {
    readonly operations = new Map<string, SpecOperation>();
    readonly files: string[] = [];

    constructor(readonly dir: string) {}

    addDocument(file: string, doc: Json, onlyNew: boolean): void {
        this.files.push(file);
        const compiler = new DocCompiler(file, doc);
        const paths = (doc.paths ?? {}) as Json;
        for (const [p, item] of Object.entries(paths)) {
            for (const m of METHODS) {
                const raw = (item as Json)[m] as Json | undefined;
                if (!raw) continue;
                const key = opKey(m, p);
                if (onlyNew && this.operations.has(key)) continue;
                this.operations.set(key, this.buildOperation(file, doc, compiler, m, p, raw, key));
            }
        }
    }

    private buildOperation(
        file: string,
        doc: Json,
        compiler: DocCompiler,
        m: string,
        p: string,
        raw: Json,
        key: string,
    ): SpecOperation {
        const responses = new Map<string, SpecResponse>();
        for (const [status, r] of Object.entries((raw.responses ?? {}) as Json)) {
            const resp = deref(doc, r);
            const content = resp?.content as Json | undefined;
            const mediaTypes = content ? Object.keys(content) : [];
            const schema = jsonSchemaOf(content, "application/json");
            let validate: ValidateFunction | undefined;
            // Compiled lazily: the merged document has ~900 schemas and most are never used.
            if (schema !== undefined) {
                let compiled: ValidateFunction | undefined;
                validate = ((data: unknown) => {
                    compiled ??= compiler.compile(schema, "response");
                    const ok = compiled(data);
                    (validate as { errors?: ErrorObject[] | null }).errors = compiled.errors;
                    return ok;
                }) as unknown as ValidateFunction;
            }
            const headers = Object.keys((resp?.headers ?? {}) as Json).map((h) => h.toLowerCase());
            responses.set(status, { validate, mediaTypes, headers });
        }
        const body = deref(doc, raw.requestBody);
        const content = body?.content as Json | undefined;
        const lazy = (schema: unknown): ValidateFunction | undefined => {
            if (schema === undefined) return undefined;
            let compiled: ValidateFunction | undefined;
            const fn = ((data: unknown) => {
                compiled ??= compiler.compile(schema, "request");
                const ok = compiled(data);
                (fn as { errors?: ErrorObject[] | null }).errors = compiled.errors;
                return ok;
            }) as unknown as ValidateFunction;
            return fn;
        };
        const pathItem = ((doc.paths ?? {}) as Json)[p] as Json | undefined;
        const rawParams = [...((pathItem?.parameters ?? []) as unknown[]), ...((raw.parameters ?? []) as unknown[])];
        const parameters: SpecParameter[] = rawParams
            .map((x) => deref(doc, x))
            .filter((x): x is Json => !!x && typeof x.name === "string")
            .map((x) => ({
                name: x.name as string,
                in: String(x.in),
                required: x.required === true,
                // Swagger 2.0 (merged snapshot) puts type/enum on the parameter itself.
                schema:
                    x.schema ??
                    (x.type ? { type: x.type, enum: x.enum, minimum: x.minimum, maximum: x.maximum } : undefined),
            }));
        const jsonLike = content ? Object.keys(content).find((mt) => mt.includes("json") || mt === "*/*") : undefined;
        let requestSchema = jsonLike ? jsonSchemaOf(content, jsonLike) : undefined;
        // Swagger 2.0: the body is an `in: body` parameter.
        if (requestSchema === undefined)
            requestSchema = rawParams.map((x) => deref(doc, x)).find((x) => x?.in === "body")?.schema;
        return {
            requestSchema,
            parameters,
            doc,
            key,
            method: m.toUpperCase(),
            path: p.startsWith("/v1/") ? "/api" + p : p,
            source: file,
            operationId: typeof raw.operationId === "string" ? raw.operationId : undefined,
            tier: parseTier(raw["x-qlik-tier"]),
            responses,
            requestMediaTypes: content ? Object.keys(content) : [],
            requestRequired: body?.required === true,
            validateRequest: lazy(jsonSchemaOf(content, "application/json")),
            validateFormRequest: lazy(jsonSchemaOf(content, "application/x-www-form-urlencoded")),
        };
    }

    /** Fills errorValidate of every operation (see SpecOperation). */
    linkErrorSchemas(): void {
        const own = (op: SpecOperation): ValidateFunction | undefined => {
            for (const k of ["400", "401", "403", "404", "409", "4XX", "default"]) {
                const v = op.responses.get(k)?.validate;
                if (v) return v;
            }
            return undefined;
        };
        const area = (op: SpecOperation) => op.key.split(" ")[1].split("/").slice(0, 4).join("/");
        const ops = [...this.operations.values()];
        for (const op of ops) {
            op.errorValidate =
                own(op) ??
                ops
                    .filter((o) => o.source === op.source && area(o) === area(op))
                    .map(own)
                    .find((v) => v) ??
                ops
                    .filter((o) => o.source === op.source)
                    .map(own)
                    .find((v) => v);
        }
    }

    get(method: string, p: string): SpecOperation | undefined {
        return this.operations.get(opKey(method, p));
    }

    /** Finds the operation whose template matches a concrete request path (e.g. /api/v1/spaces/abc). */
    match(method: string, concretePath: string): SpecOperation | undefined {
        const segs = concretePath.split("?")[0].split("/");
        let best: { op: SpecOperation; literals: number } | undefined;
        for (const op of this.operations.values()) {
            if (op.method !== method.toUpperCase()) continue;
            const tpl = op.key.slice(op.method.length + 1).split("/");
            if (tpl.length !== segs.length) continue;
            let literals = 0,
                ok = true;
            for (let i = 0; i < tpl.length && ok; i++) {
                if (tpl[i] === "{}") continue;
                if (tpl[i] === segs[i]) literals++;
                else ok = false;
            }
            if (ok && (!best || literals > best.literals)) best = { op, literals };
        }
        return best?.op;
    }
}

let cached: SpecIndex | undefined;

/** Loads (once) every qliksense-*-api-openapi.yml plus the merged fallback. Throws when the folder is missing. */
export function loadSpecs(dir: string = specDir()): SpecIndex {
    if (cached && cached.dir === dir) return cached;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(
            `contract tests: OpenAPI folder not found: ${dir}. Set ${SPEC_DIR_ENV} to the folder holding ` +
                `Qlik's qliksense-*-api-openapi.yml files (default: <repo>/tests/contract/qlik-openapi = ${defaultSpecDir()}).`,
        );
    }
    const ymls = fs
        .readdirSync(dir)
        .filter((f) => /^qliksense-.*-api-openapi\.yml$/.test(f))
        .sort();
    if (ymls.length === 0) {
        throw new Error(
            `contract tests: no qliksense-*-api-openapi.yml in ${dir} (${SPEC_DIR_ENV}; default ${defaultSpecDir()}).`,
        );
    }
    const index = new SpecIndex(dir);
    for (const f of ymls) index.addDocument(f, YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Json, false);
    const merged = path.join(dir, MERGED_FALLBACK);
    if (fs.existsSync(merged))
        index.addDocument(MERGED_FALLBACK, JSON.parse(fs.readFileSync(merged, "utf8")) as Json, true);
    index.linkErrorSchemas();
    cached = index;
    return index;
}

/** The documented response for a status: exact code, then "4XX"-style ranges, then "default". */
export function responseFor(op: SpecOperation, status: number): { key: string; resp: SpecResponse } | undefined {
    const exact = op.responses.get(String(status));
    if (exact) return { key: String(status), resp: exact };
    const range = op.responses.get(`${String(status)[0]}XX`);
    if (range) return { key: `${String(status)[0]}XX`, resp: range };
    const def = op.responses.get("default");
    return def ? { key: "default", resp: def } : undefined;
}
