// SharedSpace's typed inputs and state (provider/resources/handlers.ts TypedHandlers): what its handlers read.
import { z } from "zod";
import type { CheckedInputs } from "../schema/core";
import type { OwnershipOutputs } from "./ownership";
import { storedMembers, type Member } from "./managedSpaceMembers";
import { sharedSpaceInputs } from "../schema/sharedSpace";

export type SharedSpaceInputs = CheckedInputs<typeof sharedSpaceInputs>;

/** The outputs; only tenantHost is in every state. */
export interface SharedSpaceState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    tenantId?: string;
    name?: string;
    description?: string;
    members?: Member[];
    /** Id of the shared space (also the resource id). */
    spaceId?: string;
    /** Group id -> space assignment id, for the declared members. */
    assignmentIds?: Record<string, string>;
    /**
     * The space existed without an ownership marker before this resource adopted it (made by hand in Qlik): delete
     * leaves the space, removing only the members and the marker this resource added.
     */
    handMade?: boolean;
    /** Of a hand-made space: the declared groups that were members before the adoption (delete leaves them). */
    adoptedGroups?: string[];
    /** Of a hand-made space: its description before the adoption (delete puts it back). */
    adoptedDescription?: string;
}

export const sharedSpaceState: z.ZodType<SharedSpaceState> = z.looseObject({
    tenantHost: z.string(),
    tenantId: z.string().optional(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    name: z.string().optional(),
    description: z.string().optional(),
    members: storedMembers.optional(),
    spaceId: z.string().optional(),
    assignmentIds: z.record(z.string(), z.string()).optional(),
    handMade: z.boolean().optional(),
    adoptedGroups: z.array(z.string()).optional(),
    adoptedDescription: z.string().optional(),
});
