// The roles a tenant grants every user who holds a professional license, switched by the tenant's three flags
// (Tenant.autoAssign*RoleToProfessionals in qliksense-tenants-api-openapi.yml, default true; PATCH
// /api/v1/tenants/{id} paths, docs/reference/qlik-cloud-api.md §1). Role API names from https://qlik.dev/manage/roles.
// They are toggles over the entitlement (Qlik's "Settings > Entitlements" switches, see
// https://community.qlik.com/t5/Support-Updates/Streamlining-user-types-in-Qlik-Cloud-capacity-based/ba-p/2540871),
// so the emulator derives them when it authorizes a call instead of writing them into the user's assignedRoles:
// turning a flag off takes the role from every professional at once, and removing a user's professional license
// takes all three away.
import type { Emulator, Tenant } from "../../core/context";
import { licensesModel } from "../licenses/model";
import { tenantsModel } from "../tenants/model";

type Flag =
    | "autoAssignCreateSharedSpacesRoleToProfessionals"
    | "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals"
    | "autoAssignDataServicesContributorRoleToProfessionals";

export const PROFESSIONAL_ROLE_FLAGS: ReadonlyArray<[Flag, string]> = [
    ["autoAssignCreateSharedSpacesRoleToProfessionals", "SharedSpaceCreator"],
    ["autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals", "PrivateAnalyticsContentCreator"],
    ["autoAssignDataServicesContributorRoleToProfessionals", "DataServicesContributor"],
];

/** Role names `subject` holds on `tenantId` through its professional license and the tenant's flags. */
export function professionalRoles(emu: Emulator, tenantId: string, subject: string): string[] {
    const tenant: Tenant | undefined = tenantsModel(emu).get(tenantId);
    if (!tenant) return [];
    const on = PROFESSIONAL_ROLE_FLAGS.filter(([flag]) => tenant[flag] !== false);
    if (on.length === 0 || licensesModel(emu).typeOf(tenantId, subject) !== "professional") return [];
    return on.map(([, role]) => role);
}
