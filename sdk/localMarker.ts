import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";

export interface LocalMarkerArgs {
    /** Absolute directory that holds the marker file. Changing it replaces the marker. */
    directory: pulumi.Input<string>;
    /** File name stem (a-z, 0-9, '-'). Changing it replaces the marker. */
    name: pulumi.Input<string>;
    /** Content; updated in place. */
    value: pulumi.Input<string>;
    /** A secret input: only its SHA-256 digest is written; Pulumi keeps the value encrypted. */
    secretValue?: pulumi.Input<string>;
    /** When true, create/update fail unless qlik:clientSecret is configured (proves config reaches the provider). */
    requireCredential?: pulumi.Input<boolean>;
}

/**
 * The engine smoke resource: a JSON file in a local directory. It proves the dynamic-provider
 * pattern with the real Pulumi CLI (see tests/e2e/engine-smoke.test.ts); it is not a Qlik resource.
 */
export class LocalMarker extends pulumi.dynamic.Resource {
    declare readonly directory: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    declare readonly secretDigest: pulumi.Output<string>;
    /** Which implementation wrote the file last (e.g. "local-marker/1"). */
    declare readonly writtenBy: pulumi.Output<string>;

    constructor(name: string, args: LocalMarkerArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("LocalMarker"),
            name,
            { secretDigest: undefined, writtenBy: undefined, requireCredential: false, ...args },
            opts,
            "qlik-tenant-fleet",
            "LocalMarker",
        );
    }
}
