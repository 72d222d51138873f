import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { appCopyDataConnection, appCopyInputs, appCopySource } from "../provider/schema/appCopy";
import type { AppCopyState } from "../provider/resources/appCopyState";
import { type OutputsOf, ownedProps } from "./outputs";

/** Where the template app comes from: exactly one of appId, appName or exportFile (provider/schema/appCopy.ts). */
export type AppCopySource = InputOf<z.input<typeof appCopySource>>;

/** A data connection in the staging space (provider/schema/appCopy.ts). */
export type AppCopyDataConnection = InputOf<z.input<typeof appCopyDataConnection>>;

/** Inputs of an AppCopy, derived from its schema (provider/schema/appCopy.ts; docs/resources/AppCopy.md). */
export type AppCopyArgs = ArgsOf<typeof appCopyInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "appId",
    "spaceId",
    "connectionIds",
    "reloadId",
    "reloadStatus",
    "lastReloadTime",
    "spaceCreated",
    "createdConnections",
    "contentVersion",
] as const satisfies readonly (keyof AppCopyState)[];

/** The outputs of an AppCopy: the ones the provider computes, and the template version now deployed. */
export type AppCopyOutputs = OutputsOf<Pick<AppCopyState, (typeof COMPUTED)[number] | "templateVersion">>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppCopy extends AppCopyOutputs {}

/**
 * The ISV's template app staged in a customer tenant's shared space, pointed at the customer's data and
 * reloaded. Token: pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy (dynamic providers force the
 * pulumi-nodejs prefix). An existing app with the same name in the space is adopted (import).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class AppCopy extends pulumi.dynamic.Resource {
    constructor(name: string, args: AppCopyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("AppCopy"),
            name,
            { ...ownedProps(COMPUTED, args), templateVersion: args.templateVersion ?? "" },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "dataConnections"] },
            "qlik-tenant-fleet",
            "AppCopy",
        );
    }
}
