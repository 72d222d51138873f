import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { groupSetInputs, groupSpec } from "../provider/schema/groupSet";
import { ownershipInputs } from "./owner";

/** One group of a GroupSet, derived from its schema (provider/schema/groupSet.ts). */
export type GroupSpec = InputOf<z.input<typeof groupSpec>>;

/** Inputs of a GroupSet, derived from its schema (provider/schema/groupSet.ts). */
export type GroupSetArgs = ArgsOf<typeof groupSetInputs>;

/**
 * A tenant's groups and their roles, managed as one set
 * (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:GroupSet`). See docs/resources/GroupSet.md.
 */
export class GroupSet extends pulumi.dynamic.Resource {
    /** The owner recorded in Qlik for this resource's objects (docs/ownership.md). */
    declare readonly owner: pulumi.Output<string>;
    /** This resource instance's random claim on its objects (replacement safety). */
    declare readonly claim: pulumi.Output<string>;
    /** Group name -> group id, for the declared groups that exist. */
    declare readonly groupIds: pulumi.Output<Record<string, string>>;
    /** Names of groups in the tenant that this set does not declare (sorted). Refresh shows groups added by hand here. */
    declare readonly unmanagedGroups: pulumi.Output<string[]>;
    /** Live state of the declared groups. */
    declare readonly groups: pulumi.Output<{ name: string; roles: string[]; description?: string }[]>;
    declare readonly autoCreateGroups: pulumi.Output<boolean>;

    constructor(name: string, args: GroupSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("GroupSet"),
            name,
            {
                groupIds: undefined,
                unmanagedGroups: undefined,
                autoCreateGroups: undefined,
                claim: undefined,
                ...args,
                ...ownershipInputs(args),
            },
            opts,
            "qlik-tenant-fleet",
            "GroupSet",
        );
    }
}
