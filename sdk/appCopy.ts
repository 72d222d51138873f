import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { appCopyDataConnection, appCopyInputs, appCopySource } from "../provider/schema/appCopy";
import { ownershipInputs } from "./owner";

/** Where the template app comes from: exactly one of appId, appName or exportFile (provider/schema/appCopy.ts). */
export type AppCopySource = InputOf<z.input<typeof appCopySource>>;

/** A data connection in the staging space (provider/schema/appCopy.ts). */
export type AppCopyDataConnection = InputOf<z.input<typeof appCopyDataConnection>>;

/** Inputs of an AppCopy, derived from its schema (provider/schema/appCopy.ts; docs/resources/AppCopy.md). */
export type AppCopyArgs = ArgsOf<typeof appCopyInputs>;

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
