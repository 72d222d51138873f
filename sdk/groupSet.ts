import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

export interface GroupSpec {
    /** Group name (1-256 characters, case-sensitive, unique in the set). Renaming = delete the old group, create the new one. */
    name: pulumi.Input<string>;
    /**
     * Default role names, e.g. ["SharedSpaceCreator"] (case-sensitive; [] for none). Updated in place
     * (PATCH assignedRoles). Allowed: TenantAdmin, AnalyticsAdmin, DataAdmin, AuditAdmin, Developer,
     * SharedSpaceCreator, ManagedSpaceCreator, DataSpaceCreator, PrivateAnalyticsContentCreator,
     * DataServicesContributor, AutomationCreator, EmbedContentCreator, Steward.
     */
    roles: pulumi.Input<pulumi.Input<string>[]>;
    /** Optional description (at most 256 characters). Updated in place. */
    description?: pulumi.Input<string>;
}

export interface GroupSetArgs extends OwnershipArgs {
    /**
     * The tenant's hostname: pass `QlikTenant.systemHostname` (Qlik never changes it, so an alias
     * rename touches the tenant alone) or `QlikTenant.hostname`. A change to another name of the SAME
     * tenant is an in-place update; a host of another tenant REPLACES the resource.
     */
    tenantHost: pulumi.Input<string>;
    /** The groups this set manages. Missing groups are created (an existing group of that name is adopted), removed ones deleted. Updated in place. */
    groups: pulumi.Input<pulumi.Input<GroupSpec>[]>;
    /** Group setting: create groups named in a JWT `groups` claim on login. Updated in place; unset = unmanaged. */
    autoCreateGroups?: pulumi.Input<boolean>;
    /** When true, groups in the tenant that this set does not declare are DELETED on up (default false). Updated in place. */
    pruneUnmanaged?: pulumi.Input<boolean>;
}

/**
 * A tenant's groups and their roles, managed as one set
 * (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:GroupSet`). See docs/resources/GroupSet.md.
 */
export class GroupSet extends pulumi.dynamic.Resource {
    /** The owner recorded in Qlik for this resource's objects (docs/ownership.md). */
    declare readonly owner: pulumi.Output<string>;
    /** This resource instance's random claim on its objects (replacement safety). */
    declare readonly claim: pulumi.Output<string>;
    /** Group name -> group id, for the declared groups that exist. */
    declare readonly groupIds: pulumi.Output<Record<string, string>>;
    /** Names of groups in the tenant that this set does not declare (sorted). Refresh shows groups added by hand here. */
    declare readonly unmanagedGroups: pulumi.Output<string[]>;
    /** Live state of the declared groups. */
    declare readonly groups: pulumi.Output<{ name: string; roles: string[]; description?: string }[]>;
    declare readonly autoCreateGroups: pulumi.Output<boolean>;

    constructor(name: string, args: GroupSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("GroupSet"),
            name,
            {
                groupIds: undefined,
                unmanagedGroups: undefined,
                autoCreateGroups: undefined,
                claim: undefined,
                ...args,
                ...ownershipInputs(args),
            },
            opts,
            "qlik-tenant-fleet",
            "GroupSet",
        );
    }
}
