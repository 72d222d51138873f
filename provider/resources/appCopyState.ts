// AppCopy's typed inputs and state (provider/resources/handlers.ts TypedHandlers): what its handlers read.
import { z } from "zod";
import type { CheckedInputs } from "../schema/core";
import type { appCopyInputs } from "../schema/appCopy";
import type { OwnershipOutputs } from "./ownership";
import type { ConnectionSpec, SourceSpec } from "./appCopyContent";

export type AppCopyInputs = CheckedInputs<typeof appCopyInputs>;

/** The inputs the deploy steps see: the checked inputs plus the id of the tenant behind tenantHost (support.ts). */
export type AppCopyDeployInputs = AppCopyInputs & { tenantId?: string };

/**
 * The outputs; only tenantHost is in every state (a failed create stores configure()'s outputs, an older version's
 * state may lack the script and connection bookkeeping).
 */
export interface AppCopyState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    tenantId?: string;
    source?: SourceSpec;
    name?: string;
    /** The template version now deployed. */
    templateVersion?: string;
    spaceName?: string;
    /** Secret connection properties only as digests (appCopyContent.ts digestConnections). */
    dataConnections?: ConnectionSpec[];
    loadScript?: string;
    /**
     * Digest of the staged content's definition (source, templateVersion, loadScript, dataConnections). It changes
     * exactly when the staged content changes and is known at preview time: pass it to
     * ManagedSpacePublish.contentVersion so the published app is republished on every content change.
     */
    contentVersion?: string;
    reload?: boolean;
    reloadTimeoutSeconds?: number;
    /**
     * Id of the staged app (changes on a template rollout); "" once the app was deleted by hand (read() keeps the
     * resource: it still owns its space and connections).
     */
    appId?: string;
    /** Id of the shared staging space. */
    spaceId?: string;
    spaceCreated?: boolean;
    /** Connection name -> qID. */
    connectionIds?: Record<string, string>;
    createdConnections?: string[];
    connectionVersions?: Record<string, string>;
    scriptDigest?: string;
    templateScriptId?: string;
    templateScriptDigest?: string;
    /** Id of the last reload run by the provider. */
    reloadId?: string;
    /** Status of that reload: SUCCEEDED, FAILED, ... */
    reloadStatus?: string;
    /** The app's lastReloadTime (ISO 8601). */
    lastReloadTime?: string;
}

const connection = z.looseObject({
    name: z.string(),
    datasourceID: z.string(),
    connectionProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export const appCopyState: z.ZodType<AppCopyState> = z.looseObject({
    tenantHost: z.string(),
    tenantId: z.string().optional(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    source: z
        .looseObject({
            tenantHost: z.string().optional(),
            appId: z.string().optional(),
            appName: z.string().optional(),
            exportFile: z.string().optional(),
        })
        .optional(),
    name: z.string().optional(),
    templateVersion: z.string().optional(),
    spaceName: z.string().optional(),
    dataConnections: z.array(connection).optional(),
    loadScript: z.string().optional(),
    contentVersion: z.string().optional(),
    reload: z.boolean().optional(),
    reloadTimeoutSeconds: z.number().optional(),
    appId: z.string().optional(),
    spaceId: z.string().optional(),
    spaceCreated: z.boolean().optional(),
    connectionIds: z.record(z.string(), z.string()).optional(),
    createdConnections: z.array(z.string()).optional(),
    connectionVersions: z.record(z.string(), z.string()).optional(),
    scriptDigest: z.string().optional(),
    templateScriptId: z.string().optional(),
    templateScriptDigest: z.string().optional(),
    reloadId: z.string().optional(),
    reloadStatus: z.string().optional(),
    lastReloadTime: z.string().optional(),
});
