// JwtIdentityProvider's inputs (docs/reference/qlik-cloud-api.md §2). The key rules (publicKey or generateKeyPair,
// the PEM itself, keyId with publicKey) and the description's room next to the ownership marker are cross-field
// rules, checked in provider/resources/jwtIdentityProvider.ts.
import { z } from "zod";
import { boolean, ownershipInputs, tenantHostInput } from "./common";
import { field, resourceSchema, says } from "./core";

const ISSUER_MESSAGE = "must be a non-empty string (at most 2048 characters): the `iss` claim your tokens carry";
const KEY_ID_MESSAGE = "must be a non-empty string: the `kid` header of your tokens";
const PEM_MESSAGE =
    "not a PEM public key or certificate; pass the contents of the .pem file (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)";
const TOLERANCE_MESSAGE = "must be an integer number of seconds between 0 and 7200 (default 5)";

export const jwtIdentityProviderInputs = {
    ...tenantHostInput,
    /** The `iss` claim of your tokens. */
    issuer: field(
        z.string(says(ISSUER_MESSAGE)).refine((v) => v.trim() !== "" && v.length <= 2048, says(ISSUER_MESSAGE)),
        {
            type: "string, 1-2048 characters",
            default: "required",
            change: "**replace** (create-before-delete)",
            replace: true,
        },
    ),
    /**
     * The `kid` header of your tokens. Required with `publicKey`; with `generateKeyPair` one is generated when unset
     * (`qtf-<10 hex>-<16 hex>`).
     */
    keyId: field(
        z
            .string(says(KEY_ID_MESSAGE))
            .refine((v) => v.trim() !== "" && v.length <= 256, says(KEY_ID_MESSAGE))
            .nullish(),
        {
            type: "string, 1-256 characters",
            default: "required with `publicKey`; generated with `generateKeyPair`",
            change: "**replace** (when set)",
            replace: true,
        },
    ),
    /**
     * PEM public key (`-----BEGIN PUBLIC KEY-----`) or X.509 certificate that verifies your tokens (RS256).
     * Validated locally; sent single-line as Qlik requires.
     */
    publicKey: field(z.string(says(PEM_MESSAGE)).nullish(), {
        type: "PEM public key or X.509 certificate (RSA)",
        default: "required unless `generateKeyPair`",
        change: "**replace**",
        replace: true,
    }),
    /**
     * Let the provider generate an RSA-2048 key pair at create (instead of `publicKey`): outputs `privateKeyPem`
     * (secret) and `publicKeyPem`.
     */
    generateKeyPair: field(boolean().nullish(), {
        type: "boolean",
        default: "false",
        change: "**replace**",
        replace: true,
    }),
    /** Free text, at most 128 characters together with the ownership marker. */
    description: field(
        z
            .string(
                says(
                    "must be a string of at most 128 characters (Qlik allows 128, and the ownership marker takes the rest)",
                ),
            )
            .nullish(),
        {
            type: "string, ≤128 with the ownership marker",
            default: '`""`',
            change: "update in place (PATCH `/description`)",
        },
    ),
    /** Accepted clock skew in seconds. Qlik cannot patch it on a JWT IdP. */
    clockToleranceSec: field(
        z
            .number(says(TOLERANCE_MESSAGE))
            .int(says(TOLERANCE_MESSAGE))
            .min(0, says(TOLERANCE_MESSAGE))
            .max(7200, says(TOLERANCE_MESSAGE))
            .nullish(),
        { type: "integer, 0-7200", default: "5", change: "**replace**", replace: true },
    ),
    ...ownershipInputs,
};

export const jwtIdentityProviderSchema = resourceSchema("JwtIdentityProvider", jwtIdentityProviderInputs);
