import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

/** Where the template app comes from: exactly one of appId, appName or exportFile. */
export interface AppCopySource {
    /** Host of the ISV source tenant. Default: stack config `qlik:sourceTenantHost`. Not used with exportFile. */
    tenantHost?: pulumi.Input<string>;
    /** Id (UUID) of the template app in the source tenant. */
    appId?: pulumi.Input<string>;
    /** Exact name of the template app in the source tenant (must be unique there). */
    appName?: pulumi.Input<string>;
    /** Path of a .qvf file exported from Qlik, read by the provider process. */
    exportFile?: pulumi.Input<string>;
}

export interface AppCopyDataConnection {
    /** Connection name, as used by the script's `LIB CONNECT TO '<space>:<name>'`. Adopted if it exists in the space. */
    name: pulumi.Input<string>;
    /** Qlik data source id, e.g. "postgres", "mysql", "snowflake" ("sqlite" in the emulator). */
    datasourceID: pulumi.Input<string>;
    /**
     * Connector settings (host, port, database, username, password, ...). Pass `password` (and any other
     * secret) as a pulumi secret; outputs keep only a SHA-256 digest of it. Updated in place.
     */
    connectionProperties: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
}

export interface AppCopyArgs extends OwnershipArgs {
    /** Target tenant hostname (e.g. QlikTenant.hostname). Changing it replaces the resource. */
    tenantHost: pulumi.Input<string>;
    /** The template app. A change re-deploys like a templateVersion bump (update, new appId). */
    source: pulumi.Input<AppCopySource>;
    /** App name in the target tenant. Updated in place (PUT /apps/{id}). */
    name: pulumi.Input<string>;
    /**
     * Template release label that the ISV bumps (e.g. "2024.06.1"). A change is an UPDATE that imports the
     * new template as a new staged app, configures and reloads it, then deletes the old one: appId changes
     * and ManagedSpacePublish republishes. Default "".
     */
    templateVersion?: pulumi.Input<string>;
    /** SHARED staging space (adopted by name or created). Changing it replaces the resource. */
    spaceName: pulumi.Input<string>;
    /** Data connections created (or adopted and updated) in the staging space. Updated in place; triggers a reload. */
    dataConnections?: pulumi.Input<pulumi.Input<AppCopyDataConnection>[]>;
    /** Replaces the app's load script (POST /apps/{id}/scripts). Omit to keep the template's. Updated in place; triggers a reload. */
    loadScript?: pulumi.Input<string>;
    /** Reload after deploy and after connection/script changes. Default true. */
    reload?: pulumi.Input<boolean>;
    /** How long to wait for a reload, in seconds (1-86400). Default 900. */
    reloadTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * The ISV's template app staged in a customer tenant's shared space, pointed at the customer's data and
 * reloaded. Token: pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy (dynamic providers force the
 * pulumi-nodejs prefix). An existing app with the same name in the space is adopted (import).
 */
export class AppCopy extends pulumi.dynamic.Resource {
    /** Id of the staged app (changes on a template rollout). */
    declare readonly appId: pulumi.Output<string>;
    /** Id of the shared staging space. */
    declare readonly spaceId: pulumi.Output<string>;
    /** Connection name -> qID. */
    declare readonly connectionIds: pulumi.Output<Record<string, string>>;
    /** Id of the last reload run by the provider. */
    declare readonly reloadId: pulumi.Output<string>;
    /** Status of that reload: SUCCEEDED, FAILED, ... */
    declare readonly reloadStatus: pulumi.Output<string>;
    /** The app's lastReloadTime (ISO 8601). */
    declare readonly lastReloadTime: pulumi.Output<string>;
    /** The template version now deployed. */
    declare readonly templateVersion: pulumi.Output<string>;
    /**
     * Digest of the staged content's definition (source, templateVersion, loadScript, dataConnections). It changes
     * exactly when the staged content changes and is known at preview time: pass it to
     * ManagedSpacePublish.contentVersion so the published app is republished on every content change.
     */
    declare readonly contentVersion: pulumi.Output<string>;

    constructor(name: string, args: AppCopyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AppCopy"),
            name,
            {
                appId: undefined,
                spaceId: undefined,
                connectionIds: undefined,
                reloadId: undefined,
                reloadStatus: undefined,
                lastReloadTime: undefined,
                spaceCreated: undefined,
                createdConnections: undefined,
                contentVersion: undefined,
                ...args,
                ...ownershipInputs(args),
                templateVersion: args.templateVersion ?? "",
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "dataConnections"] },
            "qlik-tenant-fleet",
            "AppCopy",
        );
    }
}
