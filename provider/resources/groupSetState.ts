// GroupSet's typed inputs and state (provider/resources/handlers.ts TypedHandlers): what its handlers read.
import { z } from "zod";
import type { CheckedInputs } from "../schema/core";
import type { OwnershipOutputs } from "./ownership";
import { groupSetInputs } from "../schema/groupSet";

export interface GroupSpec {
    name: string;
    roles: string[];
    description?: string;
}

export type GroupSetInputs = CheckedInputs<typeof groupSetInputs>;

/** The outputs; only tenantHost is in every state (a failed create stores tenantHost, tenantId, groups, owner, claim). */
export interface GroupSetState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    tenantId?: string;
    /** Live state of the declared groups. */
    groups?: GroupSpec[];
    /** Group name -> group id, for the declared groups that exist. */
    groupIds?: Record<string, string>;
    autoCreateGroups?: boolean;
    /** The program declares autoCreateGroups (older states lack it: then it counts as declared). */
    autoCreateGroupsManaged?: boolean;
    pruneUnmanaged?: boolean;
    /** Names of groups in the tenant that this set does not declare (sorted). Refresh shows groups added by hand here. */
    unmanagedGroups?: string[];
    unmanagedGroupsAcknowledged?: string[];
}

export const groupSetState: z.ZodType<GroupSetState> = z.looseObject({
    tenantHost: z.string(),
    tenantId: z.string().optional(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    groups: z
        .array(z.looseObject({ name: z.string(), roles: z.array(z.string()), description: z.string().optional() }))
        .optional(),
    groupIds: z.record(z.string(), z.string()).optional(),
    autoCreateGroups: z.boolean().optional(),
    autoCreateGroupsManaged: z.boolean().optional(),
    pruneUnmanaged: z.boolean().optional(),
    unmanagedGroups: z.array(z.string()).optional(),
    unmanagedGroupsAcknowledged: z.array(z.string()).optional(),
});
