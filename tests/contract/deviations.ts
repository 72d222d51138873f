// The explicit exception table of the contract suite. Every entry mirrors a section of
// docs/spec-deviations.md (same id); a test checks that the two stay in sync. The client allows a
// validation problem only when an entry here matches it exactly (operation, kind, status, and for
// schema problems the failing JSON path and keyword).
import type { JsonBody } from "../support/http";

export type DeviationKind =
    | "no-spec-operation" // emulator route with no operation in any spec file
    | "fallback-spec" // operation missing from the YAML files, validated against saas-rest-merged-2025-01-17.json
    | "undocumented-status" // the emulator answers a status the spec does not list for the operation
    | "response-schema" // response body differs from the documented schema
    | "response-header" // a header documented for the status is missing
    | "request-schema"; // a documented request (docs/tutorial) that the spec schema rejects

export interface Deviation {
    id: string;
    kind: DeviationKind;
    /** opKey form: "METHOD /api/v1/path/{}" (params anonymous). */
    ops: string[];
    /** Limit to these statuses (response kinds); omitted = any. */
    status?: number | number[];
    /** For schema kinds: ajv error instancePath (regex) and keyword that are tolerated. */
    instancePath?: RegExp;
    keyword?: string;
    /**
     * For schema kinds where a union (oneOf) makes error filtering useless: rewrite a copy of the body into
     * the documented form before validating (the body itself is untouched). Used only when it changes something.
     */
    rewrite?: (body: JsonBody) => void;
    reason: string;
    source: string;
}

const MERGED = "saas-rest-merged-2025-01-17.json";

/** Every Apps operation the emulator serves (they share the Apps YAML's gaps). */
const APPS_OPS = [
    "POST /api/v1/apps",
    "GET /api/v1/apps/{}",
    "PUT /api/v1/apps/{}",
    "DELETE /api/v1/apps/{}",
    "POST /api/v1/apps/{}/copy",
    "POST /api/v1/apps/{}/export",
    "POST /api/v1/apps/import",
    "POST /api/v1/apps/{}/publish",
    "PUT /api/v1/apps/{}/publish",
    "PUT /api/v1/apps/{}/space",
    "DELETE /api/v1/apps/{}/space",
    "PUT /api/v1/apps/{}/owner",
    "GET /api/v1/apps/{}/scripts",
    "POST /api/v1/apps/{}/scripts",
    "GET /api/v1/apps/{}/scripts/{}",
    "DELETE /api/v1/apps/{}/scripts/{}",
    "GET /api/v1/apps/{}/reloads/logs",
    "GET /api/v1/apps/{}/reloads/logs/{}",
    "PATCH /api/v1/apps/{}/scripts/{}",
    "GET /api/v1/apps/privileges",
    "POST /api/v1/apps/validatescript",
];

export const DEVIATIONS: Deviation[] = [
    {
        id: "EMU-ADMIN",
        kind: "no-spec-operation",
        ops: [
            "GET /_emulator/info",
            "GET /_emulator/requests",
            "DELETE /_emulator/requests",
            "GET /_emulator/faults",
            "POST /_emulator/faults",
            "DELETE /_emulator/faults",
            "GET /_emulator/state",
            "POST /_emulator/rate-limits/reset",
            "POST /_emulator/clock/advance",
        ],
        reason: "Emulator-only admin endpoints (127.0.0.1/localhost, no Qlik auth); not part of Qlik Cloud.",
        source: "emulator/ARCHITECTURE.md (Admin endpoints)",
    },
    {
        id: "SPEC-OAUTH-TOKEN",
        kind: "fallback-spec",
        ops: ["POST /oauth/token"],
        reason: "No YAML file describes POST /oauth/token (the OAuth Tokens file covers only /api/v1/oauth-tokens).",
        source: `${MERGED} (/oauth/token); qlik-openapi/README.md "Gaps and caveats"`,
    },
    {
        id: "SPEC-JWT-SESSION",
        kind: "fallback-spec",
        ops: ["POST /login/jwt-session"],
        reason: "The Login YAML covers only GET /login (interactive redirect), not the JWT session exchange.",
        source: `${MERGED} (/login/jwt-session); qlik-openapi/README.md "Gaps and caveats"`,
    },
    {
        id: "SPEC-GROUP-SETTINGS",
        kind: "fallback-spec",
        ops: ["GET /api/v1/groups/settings", "PATCH /api/v1/groups/settings"],
        reason: "The Groups YAML lacks /groups/settings, which the configure-a-tenant tutorial uses.",
        source: `${MERGED} (/v1/groups/settings); qlik.dev configure-a-tenant`,
    },
    {
        id: "SPEC-SPACE-ASSIGNMENTS",
        kind: "fallback-spec",
        ops: [
            "GET /api/v1/spaces/{}/assignments",
            "POST /api/v1/spaces/{}/assignments",
            "GET /api/v1/spaces/{}/assignments/{}",
            "PUT /api/v1/spaces/{}/assignments/{}",
            "DELETE /api/v1/spaces/{}/assignments/{}",
        ],
        reason: "The Spaces YAML holds only /spaces, /spaces/{spaceId} and /spaces/types; assignments are missing.",
        source: `${MERGED} (/v1/spaces/{spaceId}/assignments...); qlik.dev configure-a-tenant / deploy-content`,
    },
    {
        id: "SPEC-TENANT-DATE-FORMAT",
        kind: "response-schema",
        ops: ["POST /api/v1/tenants", "GET /api/v1/tenants/{}"],
        instancePath: /^\/(created|lastUpdated)$/,
        keyword: "format",
        reason:
            "Tenant.created/lastUpdated are declared `format: date`, but their own descriptions say timestamp " +
            '("1970-01-01T00:00:00.001Z for static tenants") and the create-a-tenant tutorial shows ISO date-times; ' +
            "the emulator returns ISO 8601 date-times.",
        source: "qliksense-tenants-api-openapi.yml (Tenant schema); qlik.dev create-a-tenant",
    },
    {
        id: "SPEC-GROUP-PATCH-PATH",
        kind: "request-schema",
        ops: ["PATCH /api/v1/groups/{}"],
        instancePath: /^\/\d+\/path$/,
        keyword: "enum",
        reason:
            "GroupPatch.path enumerates `assignedRoles|name|description` without the JSON-Pointer slash, while the " +
            "same file's example (GroupPatchSchema) and the configure-a-tenant tutorial send `/assignedRoles`. The emulator " +
            "follows the example and the tutorial.",
        source: "qliksense-groups-api-openapi.yml (GroupPatch vs GroupPatchSchema example); qlik.dev configure-a-tenant",
    },
    {
        id: "SPEC-IDP-PATCH-ONEOF",
        kind: "request-schema",
        ops: ["PATCH /api/v1/identity-providers/{}"],
        instancePath: /^$/,
        keyword: "oneOf",
        reason:
            "IDPPatchSchema is a oneOf of arrays of PatchOIDCPayload / PatchSAMLPayload / PatchJWTAuthPayload; a " +
            "`replace /description` patch (the only JWT patch) fits all three branches, so strict oneOf rejects the one " +
            "documented JWT patch. Tolerated: the body must still match at least one branch.",
        source: "qliksense-idp-api-openapi.yml (IDPPatchSchema); docs/reference/qlik-cloud-api.md section 2 (Patch for JWT)",
    },
    {
        id: "SPEC-APPS-ERROR-STATUSES",
        kind: "undocumented-status",
        ops: APPS_OPS,
        status: [400, 403, 404, 409],
        reason:
            "The Apps YAML is a converter subset that documents only the success status for most operations " +
            '(README: "the subset that the converter kept"). docs/reference/qlik-cloud-api.md section 7 documents 403/404 for apps, ' +
            "scripts and import; the emulator answers them with the apps error body {errors:[{code,title,detail,status}],traceId}.",
        source: "qliksense-apps-api-openapi.yml; qlik-openapi/README.md; docs/reference/qlik-cloud-api.md section 7",
    },
    {
        id: "SPEC-APPS-ERROR-BODIES",
        kind: "response-schema",
        ops: APPS_OPS,
        status: [400, 401, 403, 404],
        reason:
            "The Apps YAML lists some error statuses (export/import, owner, ...) without any content; every Qlik error response has the JSON " +
            "errors body (docs/reference/qlik-cloud-api.md section 11), which the emulator sends.",
        source: "qliksense-apps-api-openapi.yml (export/import responses); docs/reference/qlik-cloud-api.md section 11",
    },
    {
        id: "SPEC-APPS-EMPTY-TIMES",
        kind: "response-schema",
        ops: APPS_OPS,
        instancePath: /^\/attributes\/publishTime$/,
        keyword: "format",
        reason:
            'NxAttributes.publishTime is `format: date-time`, but its own description says "empty if unpublished"; ' +
            'the emulator sends "" for an unpublished app, as described. (lastReloadTime is left out until the first reload.)',
        source: "qliksense-apps-api-openapi.yml (NxAttributes); docs/reference/qlik-cloud-api.md section 7 (Published or not?)",
    },
    {
        id: "SPEC-SPACES-400",
        kind: "undocumented-status",
        ops: ["POST /api/v1/spaces", "PUT /api/v1/spaces/{}", "PATCH /api/v1/spaces/{}"],
        status: 400,
        reason:
            "The Spaces YAML documents no 400 for create/update, yet a body without the required `type` or with an " +
            "unsupported patch path cannot succeed; the emulator answers 400 with the spaces error body.",
        source: "qliksense-spaces-api-openapi.yml (createSpace, updateSpace, patchSpace)",
    },
    {
        id: "DOC-DC-DATASOURCEID-CASING",
        kind: "request-schema",
        ops: ["POST /api/v1/data-connections"],
        rewrite: (b) => {
            if (b && typeof b === "object" && "dataSourceId" in b && !("datasourceID" in b)) {
                b.datasourceID = b.dataSourceId;
                delete b.dataSourceId;
            }
        },
        reason:
            "The qlik.dev data-connection tutorials send `dataSourceId`; the schema (DcaasConnectionCreate) names it " +
            "`datasourceID`. The emulator accepts both; validation treats the tutorial casing as the schema's.",
        source: "qlik.dev create-data-connections + data-connection-create-examples; qliksense-data-connections-api-openapi.yml",
    },
    {
        id: "DOC-DC-PATCH-PROPERTIES-OBJECT",
        kind: "request-schema",
        ops: ["PATCH /api/v1/data-connections/{}"],
        rewrite: (b) => {
            if (Array.isArray(b))
                for (const op of b)
                    if (op && op.path === "/connectionProperties" && op.value && typeof op.value === "object")
                        op.value = "{object}";
        },
        reason:
            "qlik.dev changelog 157 says PATCH updates most fields GET returns, connectionProperties among them; the " +
            "PatchRequest value is typed string|boolean|integer|array, so a patch of the whole /connectionProperties object " +
            "is outside the schema. The emulator accepts it (per-key paths /connectionProperties/<key> need no exception).",
        source: "https://qlik.dev/changelog/157-api-updates-data-connections; qliksense-data-connections-api-openapi.yml (PatchRequest)",
    },
    {
        id: "SPEC-IDP-403",
        kind: "undocumented-status",
        ops: ["GET /api/v1/identity-providers", "GET /api/v1/identity-providers/{}"],
        status: 403,
        reason:
            "Every identity-provider operation requires TenantAdmin (qlik.dev REST reference), but the IdP YAML lists " +
            "no 403 for the list and get operations; the emulator answers a non-admin with 403 IDENTITY-PROVIDERS-403.",
        source: "qlik.dev apis/rest/identity-providers; docs/reference/qlik-cloud-api.md section 2; qliksense-idp-api-openapi.yml",
    },
    {
        id: "SPEC-IDP-LIST-STATUSES",
        kind: "undocumented-status",
        ops: ["GET /api/v1/identity-providers"],
        status: [400, 401],
        reason:
            "The IdP YAML documents only 200 and 404 for the list. A query value its own parameter schema forbids " +
            "(active=null, limit=0.5) cannot succeed and an unauthenticated call cannot be served, so the emulator answers 400 " +
            "and 401 in the IdP error shape (status an integer), as GET /identity-providers/{id} documents its 401.",
        source: "qliksense-idp-api-openapi.yml (getIdps parameters and responses, getIdp 401)",
    },
    {
        id: "SPEC-IDP-POPTS",
        kind: "response-header",
        ops: ["POST /api/v1/identity-providers", "GET /api/v1/identity-providers/{}"],
        status: [200, 201],
        reason:
            'QLIK-IDP-POPTS is "a hash of the current configuration being tested": it belongs to the OIDC ' +
            "pending-options test flow. A JWT IdP has no configuration under test, so the emulator (which implements JWT " +
            "IdPs only) does not send it.",
        source: "qliksense-idp-api-openapi.yml (components.headers.qlikIdpPopts)",
    },
];

export function deviationsFor(kind: DeviationKind, op: string, status?: number): Deviation[] {
    return DEVIATIONS.filter(
        (d) =>
            d.kind === kind &&
            (d.ops.includes(op) || d.ops.includes("*")) &&
            (d.status === undefined || status === undefined || ([] as number[]).concat(d.status).includes(status)),
    );
}
