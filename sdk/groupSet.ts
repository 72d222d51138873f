import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { groupSetInputs, groupSpec } from "../provider/schema/groupSet";
import type { GroupSetState } from "../provider/resources/groupSetState";
import { type OutputsOf, ownedProps } from "./outputs";

/** One group of a GroupSet, derived from its schema (provider/schema/groupSet.ts). */
export type GroupSpec = InputOf<z.input<typeof groupSpec>>;

/** Inputs of a GroupSet, derived from its schema (provider/schema/groupSet.ts). */
export type GroupSetArgs = ArgsOf<typeof groupSetInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "groupIds",
    "unmanagedGroups",
    "autoCreateGroups",
    "claim",
] as const satisfies readonly (keyof GroupSetState)[];

/** The outputs of a GroupSet: the computed ones plus inputs read back live. */
export type GroupSetOutputs = OutputsOf<Pick<GroupSetState, (typeof COMPUTED)[number] | "owner" | "groups">>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface GroupSet extends GroupSetOutputs {}

/**
 * A tenant's groups and their roles, managed as one set
 * (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:GroupSet`). See docs/resources/GroupSet.md.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class GroupSet extends pulumi.dynamic.Resource {
    constructor(name: string, args: GroupSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("GroupSet"), name, ownedProps(COMPUTED, args), opts, "qlik-tenant-fleet", "GroupSet");
    }
}
