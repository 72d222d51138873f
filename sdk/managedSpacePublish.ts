import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import type { z } from "zod";
import type { ArgsOf, InputOf } from "../provider/schema/core";
import type { managedSpaceMember, managedSpacePublishInputs } from "../provider/schema/managedSpacePublish";
import { ownershipInputs } from "./owner";

/** A group member of the managed space (provider/schema/managedSpacePublish.ts). */
export type ManagedSpaceMember = InputOf<z.input<typeof managedSpaceMember>>;

/** Inputs of a ManagedSpacePublish, derived from its schema (provider/schema/managedSpacePublish.ts). */
export type ManagedSpacePublishArgs = ArgsOf<typeof managedSpacePublishInputs>;

/**
 * A customer's managed space, its members, and the published copy of a staged app.
 * Token: pulumi-nodejs:dynamic/qlik-tenant-fleet:ManagedSpacePublish. A space with the same name and an
 * app already published from the source (or with the same name) are adopted.
 */
export class ManagedSpacePublish extends pulumi.dynamic.Resource {
    /** Id of the managed space (also the resource id). */
    declare readonly spaceId: pulumi.Output<string>;
    /** Id of the published app; stable across republishes. */
    declare readonly publishedAppId: pulumi.Output<string>;
    /** Group id -> space assignment id. */
    declare readonly assignmentIds: pulumi.Output<Record<string, string>>;
    /** The staged app the published copy came from (originAppId). */
    declare readonly publishedSourceAppId: pulumi.Output<string>;
    /** Time of the last (re)publish, ISO 8601. */
    declare readonly publishTime: pulumi.Output<string>;

    constructor(name: string, args: ManagedSpacePublishArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            providerShim("ManagedSpacePublish"),
            name,
            {
                spaceId: undefined,
                publishedAppId: undefined,
                assignmentIds: undefined,
                publishedSourceAppId: undefined,
                publishTime: undefined,
                ...args,
                ...ownershipInputs(args),
            },
            opts,
            "qlik-tenant-fleet",
            "ManagedSpacePublish",
        );
    }
}
