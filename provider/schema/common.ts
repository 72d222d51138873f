// Fields and rules that several resources share: the tenant address and the ownership inputs (docs/ownership.md).
import { z } from "zod";
import { field, says } from "./core";
import { isUnknown } from "../resources/handlers";

/** A tenant hostname, no scheme and no path (RFC 1123 labels). */
const HOST_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const HOST_MSG = "must be a tenant hostname like acme.us.qlikcloud.com (no scheme, no path); pass QlikTenant.hostname";
export const hostname = () => z.string(says(HOST_MSG)).regex(HOST_RE, says(HOST_MSG));

/** Qlik's space name rules (docs/reference/qlik-cloud-api.md §6). */
const SPACE_NAME_FORBIDDEN = /["*?<>/|\\:]/;
export const spaceName = () =>
    z
        .string(says("is required: the name of the space (1-256 characters)"))
        .refine((v) => v.trim() !== "", says("is required: the name of the space (1-256 characters)"))
        .refine(
            (v) => v.length <= 256 && !SPACE_NAME_FORBIDDEN.test(v),
            says(
                'must be at most 256 characters and must not contain any of " * ? < > / | \\ : (Qlik space name rules)',
            ),
        );

export const boolean = () => z.boolean(says("must be true or false"));

const OWNER_RE = /^[A-Za-z0-9._@/-]{1,100}$/;
const OWNER_MSG =
    'must be 1-100 characters of letters, digits and . _ @ / - (e.g. "acme-isv/fleet/prod"); leave it unset to use qlik:owner or <organization>/<project>/<stack>';
const TAKEOVER_MSG =
    'must be the owner named in the ownership error (e.g. "organization/fleet/dev"), or "*" to take over from any owner';

/** The tenant every resource inside a tenant addresses (docs/resources/QlikTenant.md, stable addressing). */
export const tenantHostInput = {
    /**
     * The tenant's hostname: pass `QlikTenant.systemHostname` (Qlik never changes it, so an alias rename touches
     * the tenant alone) or `QlikTenant.hostname`. A change to another name of the SAME tenant is an in-place
     * update; a host of another tenant REPLACES the resource.
     */
    tenantHost: field(hostname(), {
        type: "hostname (pass `QlikTenant.systemHostname`)",
        default: "required",
        change: "another name of the **same** tenant: in place; another tenant: **replace**",
    }),
};

/** The ownership inputs every Qlik resource takes (docs/ownership.md). */
export const ownershipInputs = {
    /**
     * Who manages the objects of this resource, recorded in Qlik itself. Default: stack config `qlik:owner`,
     * else `<organization>/<project>/<stack>`. Objects marked by another owner are never adopted or changed
     * unless `takeOverFrom` names that owner.
     */
    owner: field(z.string(says(OWNER_MSG)).regex(OWNER_RE, says(OWNER_MSG)).optional(), {
        type: "string, 1-100 of letters, digits and `. _ @ / -`",
        default: "SDK: `qlik:owner`, else `<organization>/<project>/<stack>`",
        change: "in place (re-marks the objects)",
    }),
    /**
     * Explicit take-over: the owner (as the ownership error names it) whose objects this resource may adopt and
     * re-mark, or "*" for any owner. Default: stack config `qlik:takeOverFrom`. Remove it again after the
     * `pulumi up` that took the objects over.
     */
    takeOverFrom: field(
        z
            .string(says(TAKEOVER_MSG))
            .refine((v) => v === "*" || OWNER_RE.test(v), says(TAKEOVER_MSG))
            .nullish(),
        {
            type: 'owner or `"*"`',
            default: "SDK: `qlik:takeOverFrom`",
            change: "no API call: it only permits adopting another owner's objects (docs/ownership.md)",
        },
    ),
};

/**
 * One member of a space (ManagedSpacePublish, SharedSpace): a group by id or by name, with roles assignable in that
 * type of space (Qlik's RoleType by space type, docs/reference/qlik-cloud-api.md §6). "groupId or groupName" and a
 * group listed twice are cross-field rules: provider/resources/managedSpaceMembers.ts checkMembers().
 */
export function spaceMember(kind: "shared" | "managed", assignable: readonly string[]) {
    const rolesMessage = `must be a non-empty list of ${kind}-space roles: ${assignable.join(", ")}`;
    return z.object(
        {
            /** Group id (e.g. from GroupSet). Set exactly one of groupId and groupName. */
            groupId: z
                .string(says("is required: the group id (e.g. GroupSet output)"))
                .refine((v) => v.trim() !== "", says("is required: the group id (e.g. GroupSet output)"))
                .optional(),
            /**
             * Group name in the tenant, resolved when the provider applies the change. Known at preview time, so a
             * GroupSet update never previews a members change here; declare `dependsOn` the GroupSet that makes the group.
             */
            groupName: z
                .string(says("must be the non-empty name of a group in the tenant"))
                .refine((v) => v.trim() !== "", says("must be the non-empty name of a group in the tenant"))
                .optional(),
            /** Roles in the space: the ones its type allows (see the resource's page). */
            roles: z
                .array(z.string(), says(rolesMessage))
                .min(1, says(rolesMessage))
                .superRefine((roles, ctx) => {
                    const bad = roles.filter((r) => !isUnknown(r) && !assignable.includes(r));
                    if (bad.length)
                        ctx.addIssue({
                            code: "custom",
                            message: `${bad.map((b) => JSON.stringify(b)).join(", ")} not assignable in a ${kind} space; use ${assignable.join(", ")}`,
                        });
                }),
        },
        says("must be an object {groupId or groupName, roles}"),
    );
}
