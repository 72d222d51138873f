// SharedSpace's inputs (docs/reference/qlik-cloud-api.md §6; spaces spec createSpace/patchSpaceById). "groupId or
// groupName" and members listed twice are cross-field rules, checked in provider/resources/managedSpaceMembers.ts.
import { z } from "zod";
import { ownershipInputs, spaceMember, spaceName, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

/**
 * Roles assignable in a SHARED space (Qlik's RoleType by space type, docs/reference/qlik-cloud-api.md §6); the
 * emulator's ASSIGNABLE_ROLES.shared and the master database's plans.authors_space_role CHECK use the same list.
 */
export const SHARED_ROLES: readonly string[] = ["consumer", "dataconsumer", "facilitator", "producer", "codeveloper"];

export const sharedSpaceMember = spaceMember("shared", SHARED_ROLES);

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
