// QlikTenant's inputs (docs/reference/qlik-cloud-api.md §1, §12.1/§12.5). Cross-field rules (the derived hostname,
// reactivation) stay next to the handler in provider/resources/qlikTenant.ts.
import { z } from "zod";
import { ALIAS_RE, KNOWN_REGIONS, isValidAlias } from "../naming";
import { boolean, ownershipInputs } from "./common";
import { field, resourceSchema, says } from "./core";

/** Tenant booleans that PATCH accepts (docs/reference/qlik-cloud-api.md §1 "Patch"); unset inputs are left unmanaged. */
export const TENANT_FLAGS = [
    "autoAssignCreateSharedSpacesRoleToProfessionals",
    "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
    "autoAssignDataServicesContributorRoleToProfessionals",
    "enableAppOpeningFeedback",
] as const;

export const DATACENTERS = [
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "us-east-1",
];

const ALIAS_MESSAGE =
    "must be a host label: 1-63 lowercase letters, digits and '-', not starting or ending with '-', no dots (the tenant gets <alias>.<region>.<domain>), and not 'register'; e.g. \"acme\"";
const DISPLAY_NAME_MESSAGE =
    "must be a non-empty string of at most 256 characters (the tenant name shown in Qlik Cloud)";
// An unknown region would send OAuth calls to register.<region>... that does not exist: refused here, no API call.
const REGION_MESSAGE = `must be a Qlik Cloud region code, one of ${KNOWN_REGIONS.join(", ")} (or leave it unset to use qlik:region)`;
const DATACENTER_MESSAGE = `must be one of ${DATACENTERS.join(", ")} (or leave it unset for the region's default)`;
const PURGE_MESSAGE =
    "must be an integer number of days between 10 and 90 (Qlik purges a deactivated tenant after this)";
const REACTIVATE_MESSAGE =
    "must be true (reactivate the deactivated tenant that owns the alias), false, or that tenant's id";
const LICENSE_KEY_MESSAGE =
    "must be the signed license key string (pass it as a secret), or leave it unset to read it from qlik:sourceTenantHost";

const flag = () =>
    field(boolean().nullish(), { type: "boolean", default: "unset = not managed", change: "update in place" });

export const qlikTenantInputs = {
    /**
     * Host label of the tenant's alias hostname: the tenant answers on `<alias>.<region>.<domain>` (e.g. "acme" ->
     * acme.us.qlikcloud.com). It is also the natural key: an existing tenant that owns this alias is ADOPTED on
     * create. A rename releases the old alias for reuse by others.
     */
    alias: field(z.string(says(ALIAS_MESSAGE)).refine(isValidAlias, says(ALIAS_MESSAGE)), {
        type: `host label (\`${ALIAS_RE.source}\`, not \`register\`)`,
        default: "required",
        change: "update in place (PATCH `/hostnames/1`)",
    }),
    /** Tenant name shown in Qlik Cloud. */
    displayName: field(
        z
            .string(says(DISPLAY_NAME_MESSAGE))
            .refine((v) => v.trim() !== "" && v.length <= 256, says(DISPLAY_NAME_MESSAGE)),
        { type: "string, 1-256 characters", default: "required", change: "update in place (PATCH `/name`)" },
    ),
    /** Qlik Cloud region code. */
    region: field(z.enum(KNOWN_REGIONS as [string, ...string[]], says(REGION_MESSAGE)).nullish(), {
        type: KNOWN_REGIONS.join(", "),
        default: "`qlik:region`",
        change: "**replace**",
        replace: true,
    }),
    /** Datacenter of the tenant, e.g. "us-east-1". Unset = not managed. */
    datacenter: field(z.enum(DATACENTERS as [string, ...string[]], says(DATACENTER_MESSAGE)).nullish(), {
        type: DATACENTERS.join(", "),
        default: "the region's default",
        change: "**replace** (when set)",
        replace: true,
    }),
    /** Tenant setting; unset = left as Qlik has it. */
    autoAssignCreateSharedSpacesRoleToProfessionals: flag(),
    /** Tenant setting; unset = left as Qlik has it. */
    autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: flag(),
    /** Tenant setting; unset = left as Qlik has it. */
    autoAssignDataServicesContributorRoleToProfessionals: flag(),
    /** Tenant setting; unset = left as Qlik has it. */
    enableAppOpeningFeedback: flag(),
    /** Days between deactivation and purge (used when the tenant is deactivated). */
    purgeAfterDays: field(
        z
            .number(says(PURGE_MESSAGE))
            .int(says(PURGE_MESSAGE))
            .min(10, says(PURGE_MESSAGE))
            .max(90, says(PURGE_MESSAGE))
            .nullish(),
        { type: "integer, 10-90", default: "`qlik:purgeAfterDays` (30)", change: "update in place (state only)" },
    ),
    /**
     * Opt-in that lets destroy/replace DEACTIVATE this tenant (`qlik:allowTenantDeactivation` does the same for the
     * whole stack). Without it, delete fails and the tenant stays active. Set it and run `pulumi up` before
     * `pulumi destroy`.
     */
    allowDeactivation: field(boolean().nullish(), {
        type: "boolean",
        default: "false (or `qlik:allowTenantDeactivation`)",
        change: "update in place (state only)",
    }),
    /**
     * Opt-in: when the alias belongs to a DEACTIVATED tenant (an offboarded customer declared again), create
     * reactivates that tenant and adopts it instead of failing. `true` uses the id recorded when this machine
     * deactivated it; a string is that tenant's id. See docs/recovery.md#reactivation.
     */
    reactivate: field(
        z.union([z.boolean(), z.string().regex(/^[A-Za-z0-9_-]{6,64}$/)], says(REACTIVATE_MESSAGE)).nullish(),
        { type: "boolean or tenant id", default: "`qlik:reactivateTenants` (false)", change: "used only on create" },
    ),
    /** Signed license key for the new tenant. Pass it as a secret. */
    licenseKey: field(
        z
            .string(says(LICENSE_KEY_MESSAGE))
            .refine((v) => v.trim() !== "", says(LICENSE_KEY_MESSAGE))
            .nullish(),
        {
            type: "string",
            default: "read from `qlik:sourceTenantHost` `GET /api/v1/licenses/overview`",
            change: "used only on create",
            secret: true,
        },
    ),
    ...ownershipInputs,
};

export const qlikTenantSchema = resourceSchema("QlikTenant", qlikTenantInputs);
