import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { licenseAssignmentInputs } from "../provider/schema/licenseAssignment";
import { ownershipInputs } from "./owner";

/** Inputs of a LicenseAssignment, derived from its schema (provider/schema/licenseAssignment.ts). */
export type LicenseAssignmentArgs = ArgsOf<typeof licenseAssignmentInputs>;

/**
 * License settings and per-subject license assignments of a tenant
 * (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:LicenseAssignment`). See docs/resources/LicenseAssignment.md.
 */
export class LicenseAssignment extends pulumi.dynamic.Resource {
    /** The owner recorded in Qlik for this resource's objects (docs/ownership.md). */
    declare readonly owner: pulumi.Output<string>;
    /** This resource instance's random claim on its objects (replacement safety). */
    declare readonly claim: pulumi.Output<string>;
    declare readonly tenantHost: pulumi.Output<string>;
    /** Live setting. */
    declare readonly autoAssignProfessional: pulumi.Output<boolean>;
    /** Live setting. */
    declare readonly autoAssignAnalyzer: pulumi.Output<boolean>;
    /** Live license type of each managed subject (a subject missing here has no license). */
    declare readonly assignments: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: LicenseAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("LicenseAssignment"),
            name,
            {
                autoAssignProfessional: undefined,
                autoAssignAnalyzer: undefined,
                assignments: undefined,
                claim: undefined,
                ...args,
                ...ownershipInputs(args),
            },
            opts,
            "qlik-tenant-fleet",
            "LicenseAssignment",
        );
    }
}
