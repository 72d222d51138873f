import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

export interface JwtIdentityProviderArgs extends OwnershipArgs {
    /**
     * The tenant's hostname: pass `QlikTenant.systemHostname` (Qlik never changes it, so an alias
     * rename touches the tenant alone) or `QlikTenant.hostname`. A change to another name of the SAME
     * tenant is an in-place update; a host of another tenant REPLACES the resource.
     */
    tenantHost: pulumi.Input<string>;
    /** The `iss` claim of your tokens. A change REPLACES the IdP (create-before-delete). */
    issuer: pulumi.Input<string>;
    /**
     * The `kid` header of your tokens. Required with `publicKey`; with `generateKeyPair` a random one
     * ("kid-<16 hex>") is generated when unset. A change REPLACES the IdP (create-before-delete).
     */
    keyId?: pulumi.Input<string>;
    /**
     * PEM public key (`-----BEGIN PUBLIC KEY-----`) or X.509 certificate that verifies your tokens (RS256).
     * Validated locally; sent single-line as Qlik requires. A change REPLACES the IdP (create-before-delete).
     */
    publicKey?: pulumi.Input<string>;
    /**
     * Let the provider generate an RSA-2048 key pair at create (instead of `publicKey`): outputs
     * `privateKeyPem` (secret) and `publicKeyPem`. Changing it REPLACES the IdP.
     */
    generateKeyPair?: pulumi.Input<boolean>;
    /** Free text, at most 128 characters. Updated in place. */
    description?: pulumi.Input<string>;
    /** Accepted clock skew in seconds (0-7200, default 5). A change REPLACES the IdP (Qlik cannot patch it). */
    clockToleranceSec?: pulumi.Input<number>;
}

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
