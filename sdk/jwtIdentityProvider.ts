import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { jwtIdentityProviderInputs } from "../provider/schema/jwtIdentityProvider";
import type { JwtState } from "../provider/resources/jwtIdentityProvider";
import { type OutputsOf, ownedProps } from "./outputs";

/** Inputs of a JwtIdentityProvider, derived from its schema (provider/schema/jwtIdentityProvider.ts). */
export type JwtIdentityProviderArgs = ArgsOf<typeof jwtIdentityProviderInputs>;

/** Outputs the provider computes: each is a prop (undefined) so that the engine sets it on the instance. */
const COMPUTED = [
    "idpId",
    "tenantId",
    "audience",
    "publicKeyPem",
    "privateKeyPem",
    "keyId",
    "claim",
] as const satisfies readonly (keyof JwtState)[];

/** The outputs of a JwtIdentityProvider: the computed ones plus inputs read back live. */
export type JwtIdentityProviderOutputs = OutputsOf<
    Pick<JwtState, (typeof COMPUTED)[number] | "owner" | "issuer">,
    "privateKeyPem"
>;

// Declaration merging types the outputs from the provider's state type; it is safe here as pulumi.CustomResource
// sets one Output on the instance per prop name, these included (outputSlots).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface JwtIdentityProvider extends JwtIdentityProviderOutputs {}

/**
 * A JWT identity provider on a tenant (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:JwtIdentityProvider`).
 * See docs/resources/JwtIdentityProvider.md.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class JwtIdentityProvider extends pulumi.dynamic.Resource {
    constructor(name: string, args: JwtIdentityProviderArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("JwtIdentityProvider"),
            name,
            ownedProps(COMPUTED, args),
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateKeyPem"] }),
            "qlik-tenant-fleet",
            "JwtIdentityProvider",
        );
    }
}
