// What a customer's plan row (docs/plans.md) becomes in the CustomerTenant's arguments, and the words the
// FleetGuard records for the pieces a downgrade would delete. Pure functions of the record: no Pulumi calls.
import type { CustomerRecord } from "./masterDb";

/**
 * The synthetic user every tenant licenses (analyzer) so that a rollout's health gate can log in as an end
 * user of the customer (JWT sub; groups claim = all the customer's groups). No real person has this subject.
 */
export const HEALTH_CHECK_SUBJECT = "fleet-health-check";

/** "forecast" -> "Forecast": the extra app's managed space is "<customer name> <Key>". */
const titled = (key: string) =>
    key
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(" ");

export const extraSpaceName = (c: CustomerRecord, key: string) => `${c.name} ${titled(key)}`;
export const authorsSpaceName = (c: CustomerRecord) => `${c.name} Authors`;

/**
 * One line per piece the plan adds that a downgrade would DELETE, in the FleetGuard's words (its refusal lists
 * the lines a new plan lacks). Each starts with a stable key ("app <app_key>", "authors space") that the guard
 * matches on, so renaming the customer or a template app is no downgrade; the rest names what would go.
 */
export function planPieces(c: CustomerRecord): string[] {
    const pieces = c.plan.apps.map(
        (a) =>
            `app ${a.key}: "${a.templateAppName}" published in "${extraSpaceName(c, a.key)}" (sheets its users made in it are deleted with it)`,
    );
    if (c.plan.authorsSpaceRole) pieces.push(`authors space: shared space "${authorsSpaceName(c)}"`);
    return pieces;
}

/**
 * The plan's part of the customer's CustomerTenant arguments; empty for a plan that manages nothing (a migrated
 * schema-1 'standard'). A setting is passed as the plan says (on or off), so a move to a plan that says 0 turns off
 * what the old plan turned on; NULL (not managed) leaves it as the tenant has it.
 */
export function planArgs(c: CustomerRecord) {
    const p = c.plan;
    const creator = p.creatorRoles ?? undefined;
    const pro = p.autoAssignProfessional ?? undefined;
    const analyzer = p.autoAssignAnalyzer ?? undefined;
    return {
        ...(p.apps.length
            ? {
                  extraApps: p.apps.map((a) => ({
                      key: a.key,
                      template: { appName: a.templateAppName, version: a.templateVersion },
                      name: a.templateAppName,
                      managedSpaceName: extraSpaceName(c, a.key),
                  })),
              }
            : {}),
        ...(p.authorsSpaceRole ? { authorsSpace: { name: authorsSpaceName(c), role: p.authorsSpaceRole } } : {}),
        ...(creator === undefined
            ? {}
            : {
                  tenantSettings: {
                      autoAssignCreateSharedSpacesRoleToProfessionals: creator,
                      autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: creator,
                  },
              }),
        ...(pro === undefined && analyzer === undefined
            ? {}
            : {
                  licenseSettings: {
                      ...(pro === undefined ? {} : { autoAssignProfessional: pro }),
                      ...(analyzer === undefined ? {} : { autoAssignAnalyzer: analyzer }),
                  },
              }),
    };
}
