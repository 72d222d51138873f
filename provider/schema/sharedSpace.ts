// SharedSpace's inputs (docs/reference/qlik-cloud-api.md §6; spaces spec createSpace/patchSpaceById). "groupId or
// groupName" and members listed twice are cross-field rules, checked in provider/resources/sharedSpace.ts.
import { z } from "zod";
import { isUnknown } from "../resources/handlers";
import { ownershipInputs, spaceName, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

/**
 * Roles assignable in a SHARED space (Qlik's RoleType by space type, docs/reference/qlik-cloud-api.md §6); the
 * emulator's ASSIGNABLE_ROLES.shared and the master database's plans.authors_space_role CHECK use the same list.
 */
export const SHARED_ROLES: readonly string[] = ["consumer", "dataconsumer", "facilitator", "producer", "codeveloper"];

const ROLES_MESSAGE = `must be a non-empty list of shared-space roles: ${SHARED_ROLES.join(", ")}`;

export const sharedSpaceMember = z.object(
    {
        /** Group id (e.g. from GroupSet). Set exactly one of groupId and groupName. */
        groupId: z
            .string(says("is required: the group id (e.g. GroupSet output)"))
            .refine((v) => v.trim() !== "", says("is required: the group id (e.g. GroupSet output)"))
            .optional(),
        /**
         * Group name in the tenant, resolved when the provider applies the change (known at preview time, so a
         * GroupSet update never previews a members change here); declare `dependsOn` the GroupSet that makes the group.
         */
        groupName: z
            .string(says("must be the non-empty name of a group in the tenant"))
            .refine((v) => v.trim() !== "", says("must be the non-empty name of a group in the tenant"))
            .optional(),
        /** Shared-space roles: consumer, dataconsumer, facilitator, producer, codeveloper. */
        roles: z
            .array(z.string(), says(ROLES_MESSAGE))
            .min(1, says(ROLES_MESSAGE))
            .superRefine((roles, ctx) => {
                const bad = roles.filter((r) => !isUnknown(r) && !SHARED_ROLES.includes(r));
                if (bad.length)
                    ctx.addIssue({
                        code: "custom",
                        message: `${bad.map((b) => JSON.stringify(b)).join(", ")} not assignable in a shared space; use ${SHARED_ROLES.join(", ")}`,
                    });
            }),
    },
    says("must be an object {groupId or groupName, roles}"),
);

export const sharedSpaceInputs = {
    ...tenantHostInput,
    /** Shared space name (unique in the tenant), adopted by name or created. */
    name: field(spaceName(), {
        type: "space name, 1-256 characters",
        default: "required",
        change: "in place (`PATCH /spaces/{id}` `/name`)",
    }),
    /** Space description (the ownership marker is appended in Qlik and stripped again on read). */
    description: field(z.string(says("must be a string")).optional(), {
        type: "string",
        default: '`""`',
        change: "in place",
    }),
    /**
     * Group assignments; the space's GROUP assignments are made to match exactly (created, PUT, deleted). Users
     * assigned by hand are left alone.
     */
    members: field(z.array(sharedSpaceMember, says("must be a list of {groupId or groupName, roles}")).optional(), {
        type: "`[{groupId, roles}]` or `[{groupName, roles}]`",
        default: "`[]`",
        change: "in place; member and role order is no change",
    }),
    ...ownershipInputs,
};

export const sharedSpaceSchema = resourceSchema("SharedSpace", sharedSpaceInputs);
