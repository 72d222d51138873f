/**
 * The persisted shape of one Qlik Sense app (collection `apps`, id = app id).
 * Shared between the REST content areas (apps, items, reloads, publish) and the QIX engine (emulator/engine),
 * which reads `scripts`/`tables` and writes `objects`, `scripts` and `tables` back through the store.
 * Attribute names follow NxAttributes as returned by real tenants (docs/reference/qlik-cloud-api.md §7).
 */

import { hex24 } from "../../core/ids";

/** NxApp attributes exactly as the apps API returns them. */
export interface AppAttributes {
    id: string; // UUID
    name: string;
    description: string;
    thumbnail: string;
    /**
     * ISO date-time of the last successful reload; absent until then. NxAttributes types it `format: date-time`
     * (qliksense-apps-api-openapi.yml), so "" is not a valid value, and the engine's NxAppLayout likewise has no
     * qLastReloadTime before the first reload (https://qlik.dev/apis/json-rpc/qix/schemas#nxapplayout).
     */
    lastReloadTime?: string;
    createdDate: string;
    modifiedDate: string;
    owner: string; // deprecated: subject of the owner (e.g. "qlikbot\\<hex>")
    ownerId: string;
    dynamicColor: string;
    /** true only for apps distributed from client-managed; NOT "is published" (use publishTime). */
    published: boolean;
    publishTime: string; // "" unless this app is a published copy in a managed space
    custom: Record<string, unknown>;
    hasSectionAccess: boolean;
    encrypted: boolean;
    originAppId: string; // source app of a published copy, else ""
    isDirectQueryMode: boolean;
    spaceId?: string; // absent = personal space
    usage: "ANALYTICS" | "DATA_PREPARATION" | "DATAFLOW_PREP" | "SINGLE_TABLE_PREP";
    locale?: string;
    _resourcetype: "app";
}

export interface ScriptVersion {
    scriptId: string; // 24-hex version id
    script: string;
    versionMessage: string;
    modifiedTime: string;
    modifierId: string;
    size: number; // bytes (utf-8) of `script`
}

/** A generic object (sheet, chart, master item...) stored with its full properties. */
export interface AppObject {
    qInfo: { qId: string; qType: string };
    qMetaDef: { title?: string; description?: string; [k: string]: unknown };
    /** full GenericObjectProperties as set through QIX (includes qInfo/qMetaDef again). */
    qProperties?: Record<string, unknown>;
    /** child objects / extra data an engine implementation wants to keep. */
    qData?: Record<string, unknown>;
    ownerId: string;
    /** "template": part of the app as authored/published; "user": created by a consumer in a published app.
     *  Republish replaces template objects and KEEPS user objects. */
    origin: "template" | "user";
    createdAt: string;
}

/** One loaded table of the data model. Cell values: string | number | null. */
export interface DataTable {
    name: string;
    fields: string[];
    rows: (string | number | null)[][];
}

export interface LastReloadInfo {
    reloadId: string;
    success: boolean;
    startTime: string;
    endTime: string;
    log: string; // full script progress log (text/plain at /apps/{id}/reloads/logs/{reloadId})
}

export interface AppDocument {
    tenantId: string;
    attributes: AppAttributes;
    /** Version history, oldest first. */
    scripts: ScriptVersion[];
    currentScriptId: string;
    objects: Record<string, AppObject>; // keyed by qInfo.qId
    tables: DataTable[];
    lastReload?: LastReloadInfo;
    /** All finished reload logs of this app, oldest first (for GET /apps/{id}/reloads/logs). */
    reloadLogs: LastReloadInfo[];
    /** Set after publish in the realistic profile: consumers get 403 until then (access propagation). */
    accessReadyAt?: string;
}

export const APPS_COLLECTION = "apps";

export const DEFAULT_SCRIPT =
    "///$tab Main\r\nSET ThousandSep=',';\r\nSET DecimalSep='.';\r\nSET MoneyThousandSep=',';\r\nSET MoneyDecimalSep='.';\r\n" +
    "SET MoneyFormat='$#,##0.00;-$#,##0.00';\r\nSET TimeFormat='h:mm:ss TT';\r\nSET DateFormat='M/D/YYYY';\r\n" +
    "SET TimestampFormat='M/D/YYYY h:mm:ss[.fff] TT';\r\n";

/** The script that is currently active (the last set one). */
export function currentScript(doc: AppDocument): ScriptVersion | undefined {
    return doc.scripts.find((s) => s.scriptId === doc.currentScriptId) ?? doc.scripts[doc.scripts.length - 1];
}

/** A new script version saved at `now` (an ISO time from the emulator's clock). */
export function scriptVersion(now: string, script: string, versionMessage: string, modifierId: string): ScriptVersion {
    return {
        scriptId: hex24(),
        script,
        versionMessage,
        modifiedTime: now,
        modifierId,
        size: Buffer.byteLength(script, "utf8"),
    };
}
