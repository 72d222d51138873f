import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { qlikTenantInputs } from "../provider/schema/qlikTenant";
import type { TenantState } from "../provider/resources/qlikTenantState";
import { ownershipInputs } from "./owner";
import { type OutputsOf, outputSlots } from "./outputs";

/** Inputs of a QlikTenant, derived from its schema (provider/schema/qlikTenant.ts; docs/resources/QlikTenant.md). */
export type QlikTenantArgs = ArgsOf<typeof qlikTenantInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "tenantId",
    "systemHostname",
    "hostnames",
    "status",
    "region",
    "datacenter",
    "created",
    "claim",
] as const satisfies readonly (keyof TenantState)[];

/** The outputs of a QlikTenant: the computed ones plus inputs read back live (hostname is derived below). */
export type QlikTenantOutputs = OutputsOf<
    Pick<TenantState, (typeof COMPUTED)[number] | "hostname" | "owner" | "alias" | "displayName">
>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface QlikTenant extends QlikTenantOutputs {}

/**
 * A Qlik Cloud tenant (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:QlikTenant`: dynamic providers
 * always carry the `pulumi-nodejs` package prefix). See docs/resources/QlikTenant.md.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class QlikTenant extends pulumi.dynamic.Resource {
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
                ...outputSlots(COMPUTED),
                hostname,
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
