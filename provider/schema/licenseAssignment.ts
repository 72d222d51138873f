// LicenseAssignment's inputs (docs/reference/qlik-cloud-api.md §3).
import { z } from "zod";
import { boolean, ownershipInputs, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

export const LICENSE_TYPES = ["professional", "analyzer"] as const;
export const LICENSE_SETTINGS = ["autoAssignProfessional", "autoAssignAnalyzer"] as const;

const setting = () =>
    field(boolean().optional(), {
        type: "boolean",
        default: "unset = not managed",
        change: "update in place (`PUT /api/v1/licenses/settings`)",
    });

export const licenseAssignmentInputs = {
    ...tenantHostInput,
    /** License setting: assign a professional license to new users automatically. */
    autoAssignProfessional: setting(),
    /** License setting: assign an analyzer license to new users automatically. */
    autoAssignAnalyzer: setting(),
    /**
     * Managed assignments: user subject (the IdP subject, for JWT users the `sub` claim) -> license type. Only these
     * subjects are managed; other assignments in the tenant are left alone.
     */
    assignments: field(
        z
            .record(
                z.string(),
                z.enum(LICENSE_TYPES, {
                    error: (iss) =>
                        `license type ${JSON.stringify(iss.input)} is not allowed; use one of: ${LICENSE_TYPES.join(", ")}`,
                }),
                says('must be a map of subject -> license type, e.g. { "auth0|123": "professional" }'),
            )
            .refine(
                (a) => Object.keys(a).every((subject) => subject.trim() !== ""),
                says("has an empty subject; keys are the users' IdP subjects (JWT `sub`)"),
            )
            .optional(),
        {
            type: '`{ [subject]: "professional" | "analyzer" }`',
            default: "`{}`",
            change: "update in place, per subject (add/update/delete actions)",
        },
    ),
    ...ownershipInputs,
};

export const licenseAssignmentSchema = resourceSchema("LicenseAssignment", licenseAssignmentInputs);
