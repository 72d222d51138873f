// PATCH /data-connections/{id}: the JSON Patch body (PatchRequest) and the top-level fields it may change
// (qlik.dev changelog 157; qliksense-data-connections-api-openapi.yml).
import { bad, str, type DataConnectionRecord } from "./record";

export interface PatchOp {
    op: "add" | "replace" | "remove";
    path: string;
    value?: unknown;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/** The PatchRequest body: a non-empty array; each item an object with op, a '/'-path and, for add/replace, a value. */
export function parsePatch(body: unknown): PatchOp[] {
    if (!Array.isArray(body) || body.length === 0)
        throw bad("Body must be a non-empty array of patch operations [{op, path, value}].");
    return body.map((item: unknown, i) => {
        if (!isObject(item)) throw bad(`Operation ${i} must be an object {op, path, value}.`);
        if (item.op !== "add" && item.op !== "replace" && item.op !== "remove")
            throw bad(`Operation ${i}: op must be add, replace or remove.`);
        if (!str(item.path) || !item.path.startsWith("/") || item.path.length < 2)
            throw bad(`Operation ${i}: path must be a string such as /qName.`);
        if (item.op !== "remove" && (item.value === undefined || item.value === null))
            throw bad(`Operation ${i} (${item.path}): value is required for ${item.op}.`);
        return { op: item.op, path: item.path, value: item.value };
    });
}

export function logOnOf(v: unknown): number {
    if (![0, 1, "0", "1", "LOG_ON_SERVICE_USER", "LOG_ON_CURRENT_USER"].includes(v as string)) {
        throw bad('qLogOn must be 0 or 1 ("0"/"1", LOG_ON_SERVICE_USER or LOG_ON_CURRENT_USER).');
    }
    return v === 1 || v === "1" || v === "LOG_ON_CURRENT_USER" ? 1 : 0;
}

export function tagsOf(field: string, v: unknown): string[] {
    if (!Array.isArray(v) || !v.every(str)) throw bad(`${field} must be an array of strings.`);
    return v.slice(0, 32);
}

const stringField =
    (k: "qName" | "qConnectStatement" | "qType" | "datasourceID", removable = false) =>
    (r: DataConnectionRecord, op: PatchOp): void => {
        if (op.op === "remove" && !removable) throw bad(`/${k} cannot be removed.`);
        if (op.op !== "remove" && (!str(op.value) || op.value.trim() === ""))
            throw bad(`/${k} must be a non-empty string.`);
        r[k] = op.op === "remove" ? "" : (op.value as string);
    };

/** Top-level fields PATCH can change (the GET fields an update makes sense for; owner/space move via actions/update). */
export const FIELDS: Readonly<Record<string, (r: DataConnectionRecord, op: PatchOp) => void>> = {
    qName: stringField("qName"),
    qConnectStatement: stringField("qConnectStatement"),
    qType: stringField("qType"),
    datasourceID: stringField("datasourceID"),
    qUsername: (r, op) => {
        if (op.op !== "remove" && !str(op.value)) throw bad("/qUsername must be a string.");
        r.qUsername = op.op === "remove" ? "" : (op.value as string);
    },
    qPassword: (r, op) => {
        if (op.op !== "remove" && !str(op.value)) throw bad("/qPassword must be a string.");
        r.qPassword = op.op === "remove" ? "" : (op.value as string);
    },
    qLogOn: (r, op) => {
        r.qLogOn = op.op === "remove" ? 0 : logOnOf(op.value);
    },
    qSeparateCredentials: (r, op) => {
        if (op.op !== "remove" && typeof op.value !== "boolean") throw bad("/qSeparateCredentials must be a boolean.");
        r.qSeparateCredentials = op.op === "remove" ? false : (op.value as boolean);
    },
    tags: (r, op) => {
        r.tags = op.op === "remove" ? [] : tagsOf("/tags", op.value);
    },
};
