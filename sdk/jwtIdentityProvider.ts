import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { ArgsOf } from "../provider/schema/core";
import type { jwtIdentityProviderInputs } from "../provider/schema/jwtIdentityProvider";
import { ownershipInputs } from "./owner";

/** Inputs of a JwtIdentityProvider, derived from its schema (provider/schema/jwtIdentityProvider.ts). */
export type JwtIdentityProviderArgs = ArgsOf<typeof jwtIdentityProviderInputs>;

/**
 * A JWT identity provider on a tenant (token `pulumi-nodejs:dynamic/qlik-tenant-fleet:JwtIdentityProvider`).
 * See docs/resources/JwtIdentityProvider.md.
 */
export class JwtIdentityProvider extends pulumi.dynamic.Resource {
    /** The owner recorded in Qlik for this resource's objects (docs/ownership.md). */
    declare readonly owner: pulumi.Output<string>;
    /** This resource instance's random claim on its objects (replacement safety). */
    declare readonly claim: pulumi.Output<string>;
    /** The IdP id (same as the resource id). */
    declare readonly idpId: pulumi.Output<string>;
    declare readonly tenantId: pulumi.Output<string>;
    declare readonly issuer: pulumi.Output<string>;
    /** The key id tokens must carry as `kid` (given or generated). */
    declare readonly keyId: pulumi.Output<string>;
    /** Always "qlik.api/login/jwt-session": the `aud` claim of login tokens. */
    declare readonly audience: pulumi.Output<string>;
    /** The trusted public key as multi-line PEM. */
    declare readonly publicKeyPem: pulumi.Output<string>;
    /** Generated private key (PKCS#8 PEM), only with `generateKeyPair: true`. Secret. */
    declare readonly privateKeyPem: pulumi.Output<string | undefined>;

    constructor(name: string, args: JwtIdentityProviderArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("JwtIdentityProvider"),
            name,
            {
                idpId: undefined,
                tenantId: undefined,
                audience: undefined,
                publicKeyPem: undefined,
                privateKeyPem: undefined,
                keyId: undefined,
                claim: undefined,
                ...args,
                ...ownershipInputs(args),
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["privateKeyPem"] }),
            "qlik-tenant-fleet",
            "JwtIdentityProvider",
        );
    }
}
