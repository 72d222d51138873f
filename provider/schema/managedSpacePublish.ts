// ManagedSpacePublish's inputs (docs/reference/qlik-cloud-api.md §6, §7, §12.3). "groupId or groupName" and members
// listed twice are cross-field rules, checked in provider/resources/managedSpaceMembers.ts.
import { z } from "zod";
import { SPACE_ROLES } from "../naming";
import { ownershipInputs, spaceMember, spaceName, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

/** Roles assignable in a MANAGED space (Qlik's RoleType, docs/reference/qlik-cloud-api.md §6); the master database's CHECK uses the same list. */
export const MANAGED_ROLES: readonly string[] = SPACE_ROLES;

export const managedSpaceMember = spaceMember("managed", MANAGED_ROLES);

export const managedSpacePublishInputs = {
    ...tenantHostInput,
    /** Managed space name, adopted by name or created. */
    spaceName: field(spaceName(), {
        type: "space name, 1-256 characters",
        default: "required",
        change: "in place (`PATCH /spaces/{id}` `/name`)",
    }),
    /** Space description. */
    spaceDescription: field(z.string(says("must be a string")).optional(), {
        type: "string",
        default: '`""`',
        change: "in place",
    }),
    /** Group assignments; the space's group assignments are made to match exactly (created, PUT, deleted). */
    members: field(z.array(managedSpaceMember, says("must be a list of {groupId, roles}")).optional(), {
        type: "`[{groupId, roles}]` or `[{groupName, roles}]`",
        default: "`[]`",
        change: "in place; member and role order is no change",
    }),
    /** The staged app to publish (AppCopy.appId). A change republishes into the SAME published app (id and user sheets kept). */
    sourceAppId: field(
        z
            .string(says("is required: the staged app to publish (e.g. AppCopy.appId)"))
            .refine((v) => v.trim() !== "", says("is required: the staged app to publish (e.g. AppCopy.appId)")),
        { type: "app id", default: "required", change: "in place: **republish**" },
    ),
    /** Name of the published app. */
    publishedAppName: field(
        z
            .string(says("must be a non-empty app name (1-256 characters), or omitted to keep the staged app's name"))
            .refine(
                (v) => v.trim() !== "" && v.length <= 256,
                says("must be a non-empty app name (1-256 characters), or omitted to keep the staged app's name"),
            )
            .optional(),
        { type: "string, 1-256 characters", default: "the staged app's name", change: "in place" },
    ),
    /**
     * What the staged app holds (AppCopy.contentVersion). A change republishes into the same published app even when
     * sourceAppId stays (script or connection changes); unset: only sourceAppId changes republish.
     */
    contentVersion: field(
        z.string(says("must be a string (pass AppCopy.contentVersion); it republishes when it changes")).optional(),
        { type: "string: `AppCopy.contentVersion`", default: '`""`', change: "in place: **republish**" },
    ),
    ...ownershipInputs,
};

export const managedSpacePublishSchema = resourceSchema("ManagedSpacePublish", managedSpacePublishInputs);
