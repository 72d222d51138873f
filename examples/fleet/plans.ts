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
 * the lines a new plan lacks). The text of a piece must not change while the piece stays, or it reads as a loss.
 */
export function planPieces(c: CustomerRecord): string[] {
    const pieces = c.plan.apps.map(
        (a) =>
            `app "${a.templateAppName}" published in "${extraSpaceName(c, a.key)}" (sheets its users made in it are deleted with it)`,
    );
    if (c.plan.authorsSpaceRole) pieces.push(`shared space "${authorsSpaceName(c)}"`);
    return pieces;
}

/**
 * A setting the plan turns on is `true`. One it leaves off is NOT managed (left as the tenant has it), so a fleet
 * of standard customers previews no change, except in the run that confirms the customer's downgrade
 * (fleet:confirmDowngrades), which turns it off: the setting the old plan turned on must not outlive the plan.
 */
const setting = (on: boolean, downgrading: boolean): boolean | undefined =>
    on ? true : downgrading ? false : undefined;

/** The plan's part of the customer's CustomerTenant arguments; empty for a plan that adds nothing (standard). */
export function planArgs(c: CustomerRecord, downgrading: boolean) {
    const p = c.plan;
    const creator = setting(p.creatorRoles, downgrading);
    const pro = setting(p.autoAssignProfessional, downgrading);
    const analyzer = setting(p.autoAssignAnalyzer, downgrading);
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
