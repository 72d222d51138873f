// GroupSet's inputs (docs/reference/qlik-cloud-api.md §4). Unique names and the description's room next to the
// ownership marker are cross-field rules, checked in provider/resources/groupSet.ts.
import { z } from "zod";
import { isUnknown } from "../resources/handlers";
import { boolean, ownershipInputs, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

/** Qlik Cloud default roles (names are case-sensitive; docs/reference/qlik-cloud-api.md §4, DEV:configure-a-tenant, spec examples). */
export const DEFAULT_ROLES = [
    "TenantAdmin",
    "AnalyticsAdmin",
    "DataAdmin",
    "AuditAdmin",
    "Developer",
    "SharedSpaceCreator",
    "ManagedSpaceCreator",
    "DataSpaceCreator",
    "PrivateAnalyticsContentCreator",
    "DataServicesContributor",
    "AutomationCreator",
    "EmbedContentCreator",
    "Steward",
] as const;

const ROLES_MESSAGE = 'must be a list of role names, e.g. ["SharedSpaceCreator"] (or [] for none)';

export const groupSpec = z.object(
    {
        /** Group name (1-256 characters, case-sensitive, unique in the set). Renaming = delete the old group, create the new one. */
        name: z
            .string(says("must be a non-empty string of at most 256 characters"))
            .min(1, says("must be a non-empty string of at most 256 characters"))
            .max(256, says("must be a non-empty string of at most 256 characters")),
        /** Default role names, e.g. ["SharedSpaceCreator"] (case-sensitive; [] for none). Updated in place (PATCH assignedRoles). */
        roles: z
            .array(z.string(says(ROLES_MESSAGE)), says(ROLES_MESSAGE))
            .max(100, says("allows at most 100 roles"))
            .superRefine((roles, ctx) => {
                for (const r of roles) {
                    if (isUnknown(r) || (DEFAULT_ROLES as readonly string[]).includes(r)) continue;
                    ctx.addIssue({
                        code: "custom",
                        message: `unknown role ${JSON.stringify(r)}; roles are case-sensitive, use one of: ${DEFAULT_ROLES.join(", ")}`,
                    });
                }
            }),
        /** Optional description (at most 256 characters with the ownership marker). Updated in place. */
        description: z
            .string(
                says(
                    "must be a string of at most 256 characters (Qlik allows 256; the ownership marker takes the rest)",
                ),
            )
            .optional(),
    },
    says("must be an object {name, roles, description?}"),
);

export const groupSetInputs = {
    ...tenantHostInput,
    /** The groups this set manages. Missing groups are created (an existing group of that name is adopted), removed ones deleted. */
    groups: field(
        z.array(
            groupSpec,
            says(
                'must be a list of {name, roles, description?}, e.g. [{ name: "analysts", roles: ["SharedSpaceCreator"] }]',
            ),
        ),
        {
            type: `\`[{ name, roles, description? }]\`; roles: ${DEFAULT_ROLES.join(", ")}`,
            default: "required",
            change: "update in place (created, `PATCH assignedRoles`, deleted); order is no change",
        },
    ),
    /** Group setting: create groups named in a JWT `groups` claim on login. */
    autoCreateGroups: field(boolean().optional(), {
        type: "boolean",
        default: "unset = not managed",
        change: "update in place (`PATCH /api/v1/groups/settings`)",
    }),
    /** When true, groups in the tenant that this set does not declare are DELETED on up. */
    pruneUnmanaged: field(boolean().optional(), { type: "boolean", default: "false", change: "update in place" }),
    ...ownershipInputs,
};

export const groupSetSchema = resourceSchema("GroupSet", groupSetInputs);
