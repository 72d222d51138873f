import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { sharedSpaceInputs, sharedSpaceMember } from "../provider/schema/sharedSpace";
import type { SharedSpaceState } from "../provider/resources/sharedSpaceState";
import { type OutputsOf, ownedProps } from "./outputs";

/** A group member of the shared space (provider/schema/sharedSpace.ts). */
export type SharedSpaceMember = InputOf<z.input<typeof sharedSpaceMember>>;

/** Inputs of a SharedSpace, derived from its schema (provider/schema/sharedSpace.ts; docs/resources/SharedSpace.md). */
export type SharedSpaceArgs = ArgsOf<typeof sharedSpaceInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "spaceId",
    "assignmentIds",
    "tenantId",
    "claim",
] as const satisfies readonly (keyof SharedSpaceState)[];

/** The outputs of a SharedSpace: the computed ones plus inputs read back live. */
export type SharedSpaceOutputs = OutputsOf<Pick<SharedSpaceState, (typeof COMPUTED)[number] | "name" | "owner">>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface SharedSpace extends SharedSpaceOutputs {}

/**
 * A shared space in a customer tenant and its group members, e.g. the space where a customer's own authors build
 * content (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:SharedSpace`). A space with the same name is adopted; a
 * destroy never deletes the content users made in it. See docs/resources/SharedSpace.md.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class SharedSpace extends pulumi.dynamic.Resource {
    constructor(name: string, args: SharedSpaceArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("SharedSpace"), name, ownedProps(COMPUTED, args), opts, "qlik-tenant-fleet", "SharedSpace");
    }
}
