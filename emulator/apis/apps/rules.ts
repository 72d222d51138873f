// What the apps modules share: the space roles that allow editing and publishing, the attribute shape of
// request bodies, and the apps API's error wording (qliksense-apps-api-openapi.yml).
import { domainError } from "../../core/errors";

export const EDIT_ROLES = ["producer", "codeveloper", "facilitator"];
export const PUBLISH_ROLES = ["publisher", "facilitator"];
export const USAGES = ["ANALYTICS", "DATA_PREPARATION", "DATAFLOW_PREP", "SINGLE_TABLE_PREP"];

export type Attrs = { name?: unknown; description?: unknown; spaceId?: unknown; usage?: unknown; locale?: unknown };

export const bad = (detail: string) => domainError("invalid", "AppsBadRequest", "Bad request", detail);
export const forbidden = (detail: string) => domainError("forbidden", "AppsForbidden", "Forbidden", detail);
export const appNotFound = (id: string) =>
    domainError("not-found", "AppsNotFound", "Not found", `App ${id} not found.`);

export function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}
