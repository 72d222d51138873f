import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "../provider/shim";
import { OwnershipArgs, ownershipInputs } from "./owner";

export interface ManagedSpaceMember {
    /** Group id (e.g. from GroupSet). Set exactly one of groupId and groupName. */
    groupId?: pulumi.Input<string>;
    /**
     * Group name in the tenant, resolved when the provider applies the change. Known at preview time, so a GroupSet
     * update never previews a members change here; declare `dependsOn` the GroupSet that makes the group.
     */
    groupName?: pulumi.Input<string>;
    /** Managed-space roles: consumer, contributor, dataconsumer, facilitator, publisher, basicconsumer. */
    roles: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ManagedSpacePublishArgs extends OwnershipArgs {
    /** Target tenant hostname. Changing it replaces the resource. */
    tenantHost: pulumi.Input<string>;
    /** Managed space name (adopted by name or created). Renamed in place. */
    spaceName: pulumi.Input<string>;
    /** Space description. Updated in place. Default "". */
    spaceDescription?: pulumi.Input<string>;
    /** Group assignments; the space's group assignments are made to match exactly (created, PUT, deleted). Updated in place. */
    members?: pulumi.Input<pulumi.Input<ManagedSpaceMember>[]>;
    /** The staged app to publish (AppCopy.appId). A change republishes into the SAME published app (id kept, user sheets kept). */
    sourceAppId: pulumi.Input<string>;
    /** Name of the published app. Default: the staged app's name. Updated in place. */
    publishedAppName?: pulumi.Input<string>;
    /**
     * What the staged app holds (AppCopy.contentVersion). A change republishes into the same published app even when
     * sourceAppId stays (script or connection changes). Default "": only sourceAppId changes republish.
     */
    contentVersion?: pulumi.Input<string>;
}

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
