import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { managedSpaceMember, managedSpacePublishInputs } from "../provider/schema/managedSpacePublish";
import type { PublishState } from "../provider/resources/managedSpacePublish";
import { type OutputsOf, ownedProps } from "./outputs";

/** A group member of the managed space (provider/schema/managedSpacePublish.ts). */
export type ManagedSpaceMember = InputOf<z.input<typeof managedSpaceMember>>;

/** Inputs of a ManagedSpacePublish, derived from its schema (provider/schema/managedSpacePublish.ts). */
export type ManagedSpacePublishArgs = ArgsOf<typeof managedSpacePublishInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "spaceId",
    "publishedAppId",
    "assignmentIds",
    "publishedSourceAppId",
    "publishTime",
] as const satisfies readonly (keyof PublishState)[];

/** The outputs of a ManagedSpacePublish: the ones the provider computes. */
export type ManagedSpacePublishOutputs = OutputsOf<Pick<PublishState, (typeof COMPUTED)[number]>>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface ManagedSpacePublish extends ManagedSpacePublishOutputs {}

/**
 * A customer's managed space, its members, and the published copy of a staged app.
 * Token: pulumi-nodejs:dynamic/qlik-tenant-fleet:ManagedSpacePublish. A space with the same name and an
 * app already published from the source (or with the same name) are adopted.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class ManagedSpacePublish extends pulumi.dynamic.Resource {
    constructor(name: string, args: ManagedSpacePublishArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ManagedSpacePublish"),
            name,
            ownedProps(COMPUTED, args),
            opts,
            "qlik-tenant-fleet",
            "ManagedSpacePublish",
        );
    }
}
