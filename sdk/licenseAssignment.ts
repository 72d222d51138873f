import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

export interface LicenseAssignmentArgs extends OwnershipArgs {
    /**
     * The tenant's hostname: pass `QlikTenant.systemHostname` (Qlik never changes it, so an alias
     * rename touches the tenant alone) or `QlikTenant.hostname`. A change to another name of the SAME
     * tenant is an in-place update; a host of another tenant REPLACES the resource.
     */
    tenantHost: pulumi.Input<string>;
    /** License setting: assign a professional license to new users automatically. Updated in place (PUT /licenses/settings); unset = unmanaged. */
    autoAssignProfessional?: pulumi.Input<boolean>;
    /** License setting: assign an analyzer license to new users automatically. Updated in place; unset = unmanaged. */
    autoAssignAnalyzer?: pulumi.Input<boolean>;
    /**
     * Managed assignments: user subject (the IdP subject, for JWT users the `sub` claim) -> license type
     * ("professional" | "analyzer"). Updated in place per subject (add/update/delete actions). Only
     * these subjects are managed; other assignments in the tenant are left alone.
     */
    assignments?: pulumi.Input<Record<string, pulumi.Input<"professional" | "analyzer">>>;
}

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
