import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { qlikTenantInputs } from "../provider/schema/qlikTenant";
import { ownershipInputs } from "./owner";

/** Inputs of a QlikTenant, derived from its schema (provider/schema/qlikTenant.ts; docs/resources/QlikTenant.md). */
export type QlikTenantArgs = ArgsOf<typeof qlikTenantInputs>;

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
