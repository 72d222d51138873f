// AppCopy's inputs (docs/reference/qlik-cloud-api.md §12.3, §8, §9). "Exactly one source", the export file on disk and
// unique connection names are cross-field rules, checked in provider/resources/appCopy.ts.
import { z } from "zod";
import { boolean, hostname, ownershipInputs, spaceName, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

const nonEmpty = (message: string) => z.string(says(message)).refine((v) => v.trim() !== "", says(message));

/** Where the template app comes from: exactly one of appId, appName or exportFile. */
export const appCopySource = z.object(
    {
        /** Host of the ISV source tenant. Default: stack config `qlik:sourceTenantHost`. Not used with exportFile. */
        tenantHost: hostname().optional(),
        /** Id (UUID) of the template app in the source tenant. */
        appId: nonEmpty("must be a non-empty string").optional(),
        /** Exact name of the template app in the source tenant (must be unique there). */
        appName: nonEmpty("must be a non-empty string").optional(),
        /** Path of a .qvf file exported from Qlik, read by the provider process. */
        exportFile: nonEmpty("must be a non-empty string").optional(),
    },
    says(
        "is required: {appId} or {appName} of the template app in the source tenant, or {exportFile: path of a .qvf export}",
    ),
);

const CONNECTION_PROPERTIES_MESSAGE =
    "must be a map of connection settings (host, port, database, username, password, ...)";

export const appCopyDataConnection = z.object(
    {
        /** Connection name, as used by the script's `LIB CONNECT TO '<space>:<name>'`. Adopted if it exists in the space. */
        name: nonEmpty("is required: the connection name used in LIB CONNECT TO"),
        /** Qlik data source id, e.g. "postgres", "mysql", "snowflake" ("sqlite" in the emulator). */
        datasourceID: nonEmpty("is required, e.g. postgres, mysql, snowflake (sqlite in the emulator)"),
        /**
         * Connector settings (host, port, database, username, password, ...). Pass `password` (and any other secret) as a
         * pulumi secret; outputs keep only a SHA-256 digest of it.
         */
        connectionProperties: z.record(
            z.string(),
            z.union([z.string(), z.number(), z.boolean()], says(CONNECTION_PROPERTIES_MESSAGE)),
            says(CONNECTION_PROPERTIES_MESSAGE),
        ),
    },
    says("must be an object {name, datasourceID, connectionProperties}"),
);

const RELOAD_TIMEOUT_MESSAGE = "must be an integer number of seconds between 1 and 86400 (default 900)";

export const appCopyInputs = {
    ...tenantHostInput,
    /** The template app. A change re-deploys like a templateVersion bump (a new staged app, new appId). */
    source: field(appCopySource, {
        type: "`{appId}`, `{appName}` (each with optional `tenantHost`) or `{exportFile}` (a `.qvf` path)",
        default: "required",
        change: "update: **redeploys**, like `templateVersion`",
    }),
    /** App name in the target tenant. */
    name: field(
        z
            .string(says("is required: the app name in the target tenant (1-256 characters)"))
            .refine(
                (v) => v.trim() !== "" && v.length <= 256,
                says("is required: the app name in the target tenant (1-256 characters)"),
            ),
        { type: "string, 1-256 characters", default: "required", change: "in place (`PUT /apps/{id}`)" },
    ),
    /**
     * Template release label that the ISV bumps (e.g. "2024.06.1"). A change imports the new template as a new staged
     * app, configures and reloads it, then deletes the old one: appId changes and ManagedSpacePublish republishes.
     */
    templateVersion: field(
        z.string(says('must be a string such as "2024.06.1"; bump it to roll out a new template release')).optional(),
        { type: "string", default: '`""`', change: "update: **redeploys**" },
    ),
    /** SHARED staging space, adopted by name or created. */
    spaceName: field(spaceName(), {
        type: "space name, 1-256 characters",
        default: "required",
        change: "**replace**",
        replace: true,
    }),
    /** Data connections created (or adopted and updated) in the staging space. */
    dataConnections: field(
        z.array(appCopyDataConnection, says("must be a list of {name, datasourceID, connectionProperties}")).optional(),
        {
            type: "`[{name, datasourceID, connectionProperties}]`",
            default: "`[]`",
            change: "in place, then a reload",
            secret: true,
        },
    ),
    /** Replaces the app's load script (POST /apps/{id}/scripts). Omit to keep the template's. */
    loadScript: field(nonEmpty("must be a non-empty load script (omit it to keep the template's script)").optional(), {
        type: "string",
        default: "the template's script",
        change: "in place, then a reload",
    }),
    /** Reload after deploy and after connection/script changes. */
    reload: field(boolean().optional(), { type: "boolean", default: "`true`", change: "in place" }),
    /** How long to wait for a reload, in seconds. */
    reloadTimeoutSeconds: field(
        z
            .number(says(RELOAD_TIMEOUT_MESSAGE))
            .int(says(RELOAD_TIMEOUT_MESSAGE))
            .min(1, says(RELOAD_TIMEOUT_MESSAGE))
            .max(86_400, says(RELOAD_TIMEOUT_MESSAGE))
            .optional(),
        { type: "integer, 1-86400", default: "900", change: "in place (no API call)" },
    ),
    ...ownershipInputs,
};

export const appCopySchema = resourceSchema("AppCopy", appCopyInputs);
