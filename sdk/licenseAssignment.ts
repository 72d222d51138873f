import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { licenseAssignmentInputs } from "../provider/schema/licenseAssignment";
import type { LicenseState } from "../provider/resources/licenseAssignment";
import { type OutputsOf, ownedProps } from "./outputs";

/** Inputs of a LicenseAssignment, derived from its schema (provider/schema/licenseAssignment.ts). */
export type LicenseAssignmentArgs = ArgsOf<typeof licenseAssignmentInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "autoAssignProfessional",
    "autoAssignAnalyzer",
    "assignments",
    "claim",
] as const satisfies readonly (keyof LicenseState)[];

/** The outputs of a LicenseAssignment: the computed ones plus inputs read back live. */
export type LicenseAssignmentOutputs = OutputsOf<
    Pick<LicenseState, (typeof COMPUTED)[number] | "owner" | "tenantHost">
>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface LicenseAssignment extends LicenseAssignmentOutputs {}

/**
 * License settings and per-subject license assignments of a tenant
 * (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:LicenseAssignment`). See docs/resources/LicenseAssignment.md.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class LicenseAssignment extends pulumi.dynamic.Resource {
    constructor(name: string, args: LicenseAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("LicenseAssignment"),
            name,
            ownedProps(COMPUTED, args),
            opts,
            "qlik-tenant-fleet",
            "LicenseAssignment",
        );
    }
}
