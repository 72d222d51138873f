// Query parameters of the routed operations, transcribed from Qlik's OpenAPI documents (the file is named
// above each entry; only the constrained parameters: booleans, numbers, enums). The pipeline checks them before
// the handler runs, so `?active=null`, `?limit=abc` or `?sort=null` answer 400 in the API's error shape, as
// Qlik's services reject a query value their typed parameters cannot hold, while every value the spec allows
// (a fractional `type: number` limit, a spaces limit above 100) is accepted.
// `sort.fields`: sort parameters typed as a free string whose description says "the field to sort on, with +/-
// prefix": the value must name a field of the listed resource (its schema's properties; for spaces the three
// fields the description lists).
import { apiError, type ApiName } from "./errors";

export interface QueryParam {
    type?: "boolean" | "integer" | "number";
    enum?: string[];
    minimum?: number;
    maximum?: number;
    fields?: string[];
}

/** Spec enums that list each sort field with a "+" and a "-" prefix, in that order. */
const prefixed = (...fields: string[]): string[] => fields.flatMap((f) => [`+${f}`, `-${f}`]);
/** Spec enums that list each sort field bare, then with "+", then with "-". */
const signed = (...fields: string[]): string[] => fields.flatMap((f) => [f, `+${f}`, `-${f}`]);
/** Item resourceType enum of GET /api/v1/items and GET /api/v1/items/:itemId/publisheditems. */
const ITEM_RESOURCE_TYPES = [
    "app",
    "qlikview",
    "qvapp",
    "genericlink",
    "sharingservicetask",
    "note",
    "dataasset",
    "dataset",
    "automation",
    "automl-experiment",
    "automl-deployment",
    "assistant",
    "dataproduct",
    "dataqualityrule",
    "glossary",
    "knowledgebase",
    "script",
    "semantictype",
    "page",
];

const QUERY_PARAMS: Readonly<Record<string, Readonly<Record<string, QueryParam>>>> = {
    // identity-providers lists: `limit` is `type: number` (qliksense-idp-api-openapi.yml).
    // qliksense-apps-api-openapi.yml
    "POST /api/v1/apps/:appId/export": { NoData: { type: "boolean" } },
    // qliksense-apps-api-openapi.yml
    "POST /api/v1/apps/import": { NoData: { type: "boolean" } },
    // qliksense-data-connections-api-openapi.yml
    "GET /api/v1/data-connections": {
        extended: { type: "boolean" },
        personal: { type: "boolean" },
        ownedByMe: { type: "boolean" },
        limit: { type: "integer", minimum: 1, maximum: 100 },
        noDatafiles: { type: "boolean" },
        caseinsensitive: { type: "boolean" },
        includeQris: { type: "boolean" },
        includeDisabled: { type: "boolean" },
        sort: {
            fields: [
                "qID",
                "qri",
                "user",
                "qName",
                "qType",
                "space",
                "qLogOn",
                "tenant",
                "created",
                "updated",
                "datasourceID",
                "qArchitecture",
                "qEngineObjectID",
            ],
        },
    },
    // qliksense-data-connections-api-openapi.yml
    "GET /api/v1/data-connections/:qID": {
        extended: { type: "boolean" },
        type: { enum: ["connectionname"] },
        byCredentialName: { type: "boolean" },
        noCache: { type: "boolean" },
        parseConnection: { type: "boolean" },
    },
    // qliksense-data-connections-api-openapi.yml
    "PATCH /api/v1/data-connections/:qID": { type: { enum: ["connectionname"] } },
    // qliksense-data-connections-api-openapi.yml
    "PUT /api/v1/data-connections/:qID": { type: { enum: ["connectionname"] } },
    // qliksense-data-connections-api-openapi.yml
    "DELETE /api/v1/data-connections/:qID": { type: { enum: ["connectionname"] } },
    // qliksense-groups-api-openapi.yml
    "GET /api/v1/groups": {
        limit: { type: "number", minimum: 1, maximum: 100 },
        systemGroups: { type: "boolean" },
        totalResults: { type: "boolean" },
        sort: {
            fields: [
                "id",
                "name",
                "status",
                "tenantId",
                "createdAt",
                "createdBy",
                "updatedBy",
                "description",
                "providerType",
                "lastUpdatedAt",
            ],
        },
    },
    // qliksense-groups-api-openapi.yml
    "POST /api/v1/groups/actions/filter": {
        limit: { type: "number", minimum: 1, maximum: 100 },
        sort: { enum: signed("name") },
    },
    // qliksense-idp-api-openapi.yml
    "GET /api/v1/identity-providers": {
        active: { type: "boolean" },
        limit: { type: "number", minimum: 1, maximum: 100 },
    },
    // qliksense-items-api-openapi.yml
    "GET /api/v1/items": {
        limit: { type: "integer", minimum: 1, maximum: 100 },
        resourceType: { enum: ITEM_RESOURCE_TYPES },
        sort: { enum: prefixed("createdAt", "name", "updatedAt", "recentlyUsed") },
        spaceType: { enum: ["shared", "managed", "personal", "data"] },
        shared: { type: "boolean" },
        noActions: { type: "boolean" },
    },
    // qliksense-items-api-openapi.yml
    "GET /api/v1/items/:itemId/collections": {
        limit: { type: "integer", minimum: 1, maximum: 100 },
        sort: { enum: prefixed("createdAt", "name", "updatedAt") },
        type: { enum: ["private", "public", "publicgoverned"] },
    },
    // qliksense-items-api-openapi.yml
    "GET /api/v1/items/:itemId/publisheditems": {
        limit: { type: "integer", minimum: 1, maximum: 100 },
        resourceType: { enum: ITEM_RESOURCE_TYPES },
        sort: { enum: prefixed("createdAt", "name", "updatedAt") },
    },
    // qliksense-licenses-api-openapi.yml
    "GET /api/v1/licenses/assignments": {
        limit: { type: "integer", minimum: 1, maximum: 100 },
        orphans: { type: "boolean" },
        sort: { fields: ["subject", "type", "name", "userId", "excess", "created"] },
    },
    // qliksense-licenses-api-openapi.yml
    "GET /api/v1/licenses/consumption": {
        limit: { type: "integer", minimum: 1, maximum: 200 },
        sort: {
            fields: [
                "id",
                "appId",
                "userId",
                "endTime",
                "duration",
                "sessionId",
                "allotmentId",
                "minutesUsed",
                "capacityUsed",
                "licenseUsage",
            ],
        },
    },
    // qliksense-reloads-api-openapi.yml
    "GET /api/v1/reloads": {
        limit: { type: "integer", minimum: 1, maximum: 100 },
        log: { type: "boolean" },
        partial: { type: "boolean" },
        sort: { enum: signed("creationTime", "status", "startTime", "endTime") },
    },
    // qliksense-roles-api-openapi.yml
    "GET /api/v1/roles": {
        limit: { type: "number", minimum: 1, maximum: 100 },
        totalResults: { type: "boolean" },
        sort: {
            fields: [
                "id",
                "name",
                "type",
                "level",
                "tenantId",
                "createdAt",
                "createdBy",
                "updatedBy",
                "description",
                "lastUpdatedAt",
            ],
        },
    },
    // qliksense-spaces-api-openapi.yml
    "GET /api/v1/spaces": { limit: { type: "integer", minimum: 1 }, sort: { fields: ["type", "name", "createdAt"] } },
    // qliksense-temporary-contents-api-openapi.yml
    "POST /api/v1/temp-contents": { ttl: { type: "integer", minimum: 1, maximum: 259200 } },
    // qliksense-users-api-openapi.yml
    "GET /api/v1/users": {
        limit: { type: "number", minimum: 1, maximum: 100 },
        sort: {
            enum: signed(
                "name",
                "_id",
                "id",
                "tenantId",
                "clientId",
                "status",
                "subject",
                "email",
                "inviteExpiry",
                "createdAt",
            ),
        },
        totalResults: { type: "boolean" },
    },
    // qliksense-users-api-openapi.yml
    "POST /api/v1/users/actions/filter": {
        limit: { type: "number", minimum: 1, maximum: 100 },
        sort: { enum: signed("name") },
    },
};

/** Values Go's strconv.ParseBool accepts (Qlik's services are Go): https://pkg.go.dev/strconv#ParseBool */
const BOOLEAN = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function problem(name: string, value: string, p: QueryParam): string | undefined {
    if (p.type === "boolean") return BOOLEAN.test(value) ? undefined : `${name} must be true or false`;
    if (p.type === "integer" || p.type === "number") {
        const n = NUMBER.test(value) ? Number(value) : NaN;
        if (!Number.isFinite(n) || (p.type === "integer" && !Number.isInteger(n)))
            return `${name} must be ${p.type === "integer" ? "an integer" : "a number"}`;
        if (p.minimum !== undefined && n < p.minimum) return `${name} must be at least ${p.minimum}`;
        if (p.maximum !== undefined && n > p.maximum) return `${name} must be at most ${p.maximum}`;
        return undefined;
    }
    if (p.enum && !p.enum.includes(value)) return `${name} must be one of ${p.enum.join(", ")}`;
    if (p.fields && !p.fields.includes(value.replace(/^[+-]/, "")))
        return `${name} must be one of the fields ${p.fields.join(", ")}, optionally prefixed with + or -`;
    return undefined;
}

/** Throws a 400 for the first documented query parameter whose value the spec does not allow. Empty = absent. */
export function validateQuery(routeKey: string, query: URLSearchParams, api: ApiName): void {
    const params = QUERY_PARAMS[routeKey];
    if (!params) return;
    for (const [name, p] of Object.entries(params)) {
        for (const value of query.getAll(name)) {
            if (value === "") continue;
            const why = problem(name, value, p);
            if (why)
                throw apiError(
                    api,
                    400,
                    api === "licenses" ? "LICENSES-001" : api === "data-connections" ? "DCAAS-400" : "HTTP-400",
                    "Bad request",
                    why,
                    { source: { parameter: name } },
                );
        }
    }
}

/** A validated boolean query value (see BOOLEAN); undefined when absent or empty. */
export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
    const v = query.get(name);
    if (v === null || v === "") return undefined;
    return /^(1|t|T|TRUE|true|True)$/.test(v);
}
