import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

export interface QlikTenantArgs extends OwnershipArgs {
    /**
     * Host label of the tenant's alias hostname: the tenant answers on `<alias>.<region>.<domain>`
     * (e.g. "acme" -> acme.us.qlikcloud.com). 1-63 lowercase letters, digits and '-'.
     * Updated in place (JSON Patch /hostnames/1); the old alias is released for reuse by others.
     * It is also the natural key: an existing tenant that owns this alias is ADOPTED on create.
     */
    alias: pulumi.Input<string>;
    /** Tenant name shown in Qlik Cloud (at most 256 characters). Updated in place (PATCH /name). */
    displayName: pulumi.Input<string>;
    /** Qlik Cloud region code (us, eu, de, uk, ap, jp, sg). Default: provider config `qlik:region`. A change REPLACES the tenant. */
    region?: pulumi.Input<string>;
    /** Datacenter, e.g. "us-east-1". Default: the region's. A change REPLACES the tenant. */
    datacenter?: pulumi.Input<string>;
    /** Tenant setting; updated in place. Unset = left as Qlik has it. */
    autoAssignCreateSharedSpacesRoleToProfessionals?: pulumi.Input<boolean>;
    /** Tenant setting; updated in place. Unset = left as Qlik has it. */
    autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals?: pulumi.Input<boolean>;
    /** Tenant setting; updated in place. Unset = left as Qlik has it. */
    autoAssignDataServicesContributorRoleToProfessionals?: pulumi.Input<boolean>;
    /** Tenant setting; updated in place. Unset = left as Qlik has it. */
    enableAppOpeningFeedback?: pulumi.Input<boolean>;
    /** Days (10-90) between deactivation and purge. Default: `qlik:purgeAfterDays` (30). Updated in place (state only). */
    purgeAfterDays?: pulumi.Input<number>;
    /**
     * Opt-in that lets destroy/replace DEACTIVATE this tenant (default false; `qlik:allowTenantDeactivation`
     * does the same for the whole stack). Without it, delete fails and the tenant stays active.
     * Updated in place (state only): set it and run `pulumi up` before `pulumi destroy`.
     */
    allowDeactivation?: pulumi.Input<boolean>;
    /**
     * Opt-in: when the alias belongs to a DEACTIVATED tenant (an offboarded customer declared again), create
     * reactivates that tenant and adopts it instead of failing. `true` uses the id recorded when this machine
     * deactivated it; a string is that tenant's id. Default `qlik:reactivateTenants` (false). docs/recovery.md#reactivation.
     */
    reactivate?: pulumi.Input<boolean | string>;
    /** Signed license key (pass a secret). Default: read from `qlik:sourceTenantHost` /api/v1/licenses/overview. Used only on create. */
    licenseKey?: pulumi.Input<string>;
}

/**
 * A Qlik Cloud tenant (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:QlikTenant`: dynamic providers
 * always carry the `pulumi-nodejs` package prefix). See docs/resources/QlikTenant.md.
 */
export class QlikTenant extends pulumi.dynamic.Resource {
    /** Tenant id (same as the resource id). */
    declare readonly tenantId: pulumi.Output<string>;
    /** The alias hostname `<alias>.<region>.<domain>`, where users log in; changes with the alias. */
    declare readonly hostname: pulumi.Output<string>;
    /**
     * The system-generated hostname (hostnames[0]); Qlik never changes it. Pass this as `tenantHost`
     * to the other resources, so an alias rename is an update of the tenant alone (docs/resources/QlikTenant.md).
     */
    declare readonly systemHostname: pulumi.Output<string>;
    /** The owner recorded in the tenant's ownership marker (docs/ownership.md). */
    declare readonly owner: pulumi.Output<string>;
    /** This resource instance's random claim on the tenant (replacement safety). */
    declare readonly claim: pulumi.Output<string>;
    /** All hostnames: [system, alias]. */
    declare readonly hostnames: pulumi.Output<string[]>;
    /** "active", or "disabled" when refresh found it deactivated (the next up reactivates it). */
    declare readonly status: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;
    declare readonly datacenter: pulumi.Output<string>;
    /** ISO timestamp of creation. */
    declare readonly created: pulumi.Output<string>;
    declare readonly alias: pulumi.Output<string>;
    declare readonly displayName: pulumi.Output<string>;

    constructor(name: string, args: QlikTenantArgs, opts?: pulumi.CustomResourceOptions) {
        // The alias hostname is derived here, as an input, so it is known while previewing an update
        // (a dynamic provider cannot predict outputs): resources that take it as tenantHost then
        // preview as unchanged instead of as a replacement.
        const qlik = new pulumi.Config("qlik");
        const domain = qlik.get("domain") ?? "qlikcloud.com";
        const hostname = pulumi
            .all([args.alias, args.region ?? qlik.get("region")])
            .apply(([alias, region]) => (region ? `${alias}.${region}.${domain}` : undefined));
        super(
            providerShim("QlikTenant"),
            name,
            {
                tenantId: undefined,
                hostname,
                systemHostname: undefined,
                hostnames: undefined,
                status: undefined,
                region: undefined,
                datacenter: undefined,
                created: undefined,
                claim: undefined,
                ...args,
                ...ownershipInputs(args),
                // The key is a credential: never stored in plain text in state.
                ...(args.licenseKey === undefined ? {} : { licenseKey: pulumi.secret(args.licenseKey) }),
            },
            opts,
            "qlik-tenant-fleet",
            "QlikTenant",
        );
    }
}
