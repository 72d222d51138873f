// ManagedSpacePublish: a customer's managed space, its group members, and the published copy of a staged app.
// First publish is POST /apps/{staged}/publish; a new staged app (template rollout) is REPUBLISHED into the same
// target with PUT /apps/{staged}/publish {targetId, checkOriginAppId:false}, so the published app id never
// changes and consumers' own sheets survive (docs/reference/qlik-cloud-api.md §7, §12.3).
//
// `contentVersion` (AppCopy.contentVersion) says WHAT the staged app holds: a change republishes into the same target
// even when the staged app id stays (script or connection changes). read() compares the published copy with what
// this resource last published (its publishTime and the digest of its load script), so a republish made by hand
// shows as a `contentVersion` diff and `up` republishes the staged app again (issue 8 items 2 and 3).
// Members may name groups by `groupName`, which is known at preview time; a group id from GroupSet is unknown in
// the preview of any GroupSet update, which would preview a members update that does not happen (item 5).
import { z } from "zod";
import { Failures, Props, diffFields, isUnknown, checkWith, typedHandlers } from "./handlers";
import { HostClient } from "../qlik";
import {
    api,
    ensureSpace,
    isStatus,
    SpaceInfo,
    assertSameTenant,
    tenantHostDiff,
    tenantIdOf,
    withTenantHost,
} from "./support";
import {
    OwnershipOutputs,
    assertMayAdopt,
    markOf,
    claimOf,
    mayDelete,
    newClaim,
    ownershipOutputs,
    parseMarker,
    withMarker,
} from "./ownership";
import { CheckedInputs, checkedInputs, replaceKeys, schemaFailures, stateParser } from "../schema/core";
import { managedSpacePublishInputs, managedSpacePublishSchema } from "../schema/managedSpacePublish";
import { Member, checkMembers, liveMembers, normMembers, storedMembers, syncMembers } from "./managedSpaceMembers";
import { AppAttrs, ensurePublished, readApp, scriptDigestOf } from "./managedSpacePublishApp";

type PublishInputs = CheckedInputs<typeof managedSpacePublishInputs>;

/** The outputs; only tenantHost is in every state. */
export interface PublishState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    tenantId?: string;
    spaceName?: string;
    spaceDescription?: string;
    members?: Member[];
    sourceAppId?: string;
    /** The sourceAppId of the last up (sourceAppId itself is refreshed to the published copy's origin). */
    lastSourceAppId?: string;
    publishedAppName?: string;
    contentVersion?: string;
    /** Id of the managed space (also the resource id). */
    spaceId?: string;
    /** Id of the published app; stable across republishes. */
    publishedAppId?: string;
    /** Group id -> space assignment id. */
    assignmentIds?: Record<string, string>;
    /** The staged app the published copy came from (originAppId). */
    publishedSourceAppId?: string;
    /** Time of the last (re)publish, ISO 8601. */
    publishTime?: string;
    publishedScriptDigest?: string;
}

const publishState: z.ZodType<PublishState> = z.looseObject({
    tenantHost: z.string(),
    tenantId: z.string().optional(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    spaceName: z.string().optional(),
    spaceDescription: z.string().optional(),
    members: storedMembers.optional(),
    sourceAppId: z.string().optional(),
    lastSourceAppId: z.string().optional(),
    publishedAppName: z.string().optional(),
    contentVersion: z.string().optional(),
    spaceId: z.string().optional(),
    publishedAppId: z.string().optional(),
    assignmentIds: z.record(z.string(), z.string()).optional(),
    publishedSourceAppId: z.string().optional(),
    publishTime: z.string().optional(),
    publishedScriptDigest: z.string().optional(),
});

const UPDATE_KEYS = [
    "spaceName",
    "spaceDescription",
    "members",
    "sourceAppId",
    "publishedAppName",
    "contentVersion",
    "owner",
    "takeOverFrom",
] as const;
// tenantHost is diffed by tenantHostDiff (support.ts): another name of the same tenant is an update.
const REPLACE_KEYS = replaceKeys(managedSpacePublishSchema).filter((k) => k !== "tenantHost");

/** The schema's rules (provider/schema/managedSpacePublish.ts), then one of groupId/groupName per member, each once. */
function checkInputs(news: Props): Failures {
    return checkMembers(schemaFailures(managedSpacePublishSchema, news), news.members);
}

async function outputs(
    c: HostClient,
    inputs: PublishInputs,
    claim: string,
    space: SpaceInfo,
    assignmentIds: Record<string, string>,
    app: AppAttrs,
): Promise<PublishState> {
    const outs: PublishState = {
        tenantHost: inputs.tenantHost,
        // create() and update() add the tenant's id to their inputs.
        tenantId: typeof inputs.tenantId === "string" ? inputs.tenantId : undefined,
        spaceName: inputs.spaceName,
        members: normMembers(inputs.members),
        sourceAppId: inputs.sourceAppId,
        lastSourceAppId: inputs.sourceAppId,
        publishedAppName: inputs.publishedAppName,
        ...ownershipOutputs(inputs, claim),
        spaceId: space.id,
        publishedAppId: app.id,
        assignmentIds,
        publishedSourceAppId: app.originAppId ?? inputs.sourceAppId,
        publishTime: app.publishTime ?? "",
        publishedScriptDigest: await scriptDigestOf(c, app.id),
    };
    // Optional inputs are kept only when declared: refresh then shows no "+spaceDescription" default-only noise.
    if (inputs.spaceDescription !== undefined) outs.spaceDescription = inputs.spaceDescription;
    if (inputs.contentVersion !== undefined) outs.contentVersion = inputs.contentVersion;
    return outs;
}

/** Name and description (the user's text plus this resource's marker). */
async function patchSpace(c: HostClient, space: SpaceInfo, name: string, description: string): Promise<SpaceInfo> {
    const ops = [];
    if (space.name !== name) ops.push({ op: "replace", path: "/name", value: name });
    if ((space.description ?? "") !== description)
        ops.push({ op: "replace", path: "/description", value: description });
    if (ops.length === 0) return space;
    return c.patch<SpaceInfo>(`/api/v1/spaces/${space.id}`, ops, { purpose: `update managed space ${space.id}` });
}

/** The diff's view of a side (the state, or the new inputs of a preview): defaults applied, members canonical. */
function comparable(p: PublishState | Props): Props {
    return {
        ...p,
        spaceDescription: p.spaceDescription ?? "",
        contentVersion: p.contentVersion ?? "",
        owner: p.owner ?? "",
        // check() accepted these members; normMembers keeps a preview's unknowns inside them as they are.
        members: isUnknown(p.members) ? p.members : normMembers(p.members as Member[] | undefined),
    };
}

const parse = {
    inputs: checkedInputs(managedSpacePublishSchema),
    state: stateParser("ManagedSpacePublish", publishState),
};

export const handlers = typedHandlers<PublishInputs, PublishState>(parse, {
    check: checkWith(checkInputs),

    async diff(_id, olds, news) {
        const cmpOlds = comparable(olds);
        const cmpNews = comparable(news);
        // State written before owners existed has no claim: adopting an owner is marking, not a change worth a step.
        if (olds.claim === undefined) cmpOlds.owner = cmpNews.owner;
        // During the preview of an AppCopy update (a rename, say) its appId is unknown, but AppCopy's appId only
        // changes together with its contentVersion, which check() derives from inputs and is known: an unchanged
        // contentVersion proves an unchanged sourceAppId.
        if (
            isUnknown(news.sourceAppId) &&
            typeof news.contentVersion === "string" &&
            !isUnknown(news.contentVersion) &&
            news.contentVersion === olds.contentVersion
        ) {
            cmpNews.sourceAppId = olds.lastSourceAppId ?? olds.sourceAppId;
        }
        return withTenantHost(
            diffFields(cmpOlds, cmpNews, UPDATE_KEYS, REPLACE_KEYS),
            await tenantHostDiff(olds, news),
        );
    },

    async create(inputs) {
        const c = api(inputs.tenantHost);
        const claim = newClaim();
        inputs = { ...inputs, tenantId: await tenantIdOf(inputs.tenantHost) };
        const m = markOf(inputs, claim);
        const ensured = await ensureSpace(c, inputs.spaceName, "managed", withMarker(inputs.spaceDescription ?? "", m));
        if (!ensured.created) {
            assertMayAdopt(
                "ManagedSpacePublish",
                `managed space "${inputs.spaceName}" (${ensured.space.id}) on ${c.host}`,
                parseMarker(ensured.space.description).marker,
                inputs,
            );
        }
        const space = await patchSpace(
            c,
            ensured.space,
            inputs.spaceName,
            withMarker(inputs.spaceDescription ?? "", m),
        );
        const assignmentIds = await syncMembers(c, space.id, inputs.members ?? []);
        const app = await ensurePublished(c, space.id, inputs, m, false);
        return { id: space.id, outs: await outputs(c, inputs, claim, space, assignmentIds, app) };
    },

    async read(id, props) {
        const c = api(props.tenantHost);
        let space: SpaceInfo;
        try {
            space = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read managed space ${id}` });
        } catch (e) {
            if (isStatus(e, 404)) return { id: "" };
            throw e;
        }
        const { marker, text: description } = parseMarker(space.description);
        const { members, assignmentIds } = await liveMembers(c, id, props.members);
        let publishedAppId: string = props.publishedAppId ?? "";
        let origin = "";
        let publishTime = "";
        let publishedName: string | undefined = props.publishedAppName;
        let contentVersion: string | undefined = props.contentVersion;
        let publishedScriptDigest: string = props.publishedScriptDigest ?? "";
        const app = publishedAppId ? await readApp(c, publishedAppId) : undefined;
        if (app && app.spaceId === id) {
            origin = app.originAppId ?? "";
            publishTime = app.publishTime ?? "";
            if (props.publishedAppName !== undefined) publishedName = app.name;
            publishedScriptDigest = await scriptDigestOf(c, app.id);
            // Republished (or its script changed) since this resource last published it: the users see content that
            // is not the staged content this stack declared.
            if (
                (props.publishTime && publishTime !== props.publishTime) ||
                (props.publishedScriptDigest && publishedScriptDigest !== props.publishedScriptDigest)
            ) {
                contentVersion = `<republished outside Pulumi at ${publishTime || "an unknown time"}>`;
                console.error(
                    `warning: ManagedSpacePublish "${props.spaceName}" on ${props.tenantHost}: the published app ${app.id} was republished or ` +
                        "changed outside Pulumi; `pulumi up` republishes the staged app into it",
                );
            }
        } else publishedAppId = "";
        const outs: PublishState = {
            ...props,
            spaceName: space.name,
            members,
            assignmentIds,
            publishedAppId,
            publishedSourceAppId: origin,
            publishTime,
            publishedScriptDigest,
            // A missing or foreign-origin published copy shows as a sourceAppId change, so the next up repairs it.
            sourceAppId: origin,
            publishedAppName: publishedName,
            contentVersion,
        };
        if (props.spaceDescription !== undefined || description !== "") outs.spaceDescription = description;
        // Another stack took the space over, or its marker was removed by hand: an `owner` diff (docs/ownership.md).
        if (props.claim !== undefined && (marker?.owner ?? "") !== (props.owner ?? ""))
            outs.owner = marker?.owner ?? "";
        const inputs: Props = {};
        const byKey = new Map<string, unknown>(Object.entries(outs));
        // The inputs that reproduce this state: every updatable field plus the tenant it lives in.
        for (const k of ["tenantHost", ...UPDATE_KEYS]) {
            if (byKey.get(k) !== undefined) inputs[k] = byKey.get(k);
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        // Another name of the same tenant (alias host <-> system host) is proven before any change.
        news = { ...news, tenantId: await assertSameTenant("ManagedSpacePublish", olds, news) };
        const c = api(news.tenantHost);
        const claim = claimOf(olds);
        const m = markOf(news, claim);
        const allowed: string[] = olds.owner ? [olds.owner] : [];
        const current = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read managed space ${id}` });
        assertMayAdopt(
            "ManagedSpacePublish",
            `managed space "${current.name}" (${id}) on ${c.host}`,
            parseMarker(current.description).marker,
            news,
            allowed,
        );
        const space = await patchSpace(c, current, news.spaceName, withMarker(news.spaceDescription ?? "", m));
        const assignmentIds = await syncMembers(c, id, news.members ?? []);
        const force = (olds.contentVersion ?? "") !== (news.contentVersion ?? "");
        const app = await ensurePublished(c, id, news, m, force, olds.publishedAppId || undefined, allowed);
        return { outs: await outputs(c, news, claim, space, assignmentIds, app) };
    },

    async delete(id, props) {
        const c = api(props.tenantHost);
        let space: SpaceInfo;
        try {
            space = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read managed space ${id}` });
        } catch (e) {
            if (isStatus(e, 404)) return;
            throw e;
        }
        // A successor (replacement) that adopted this space re-marked it with its own claim: everything in it is
        // the successor's now, so nothing is removed (replacement safety, docs/ownership.md).
        if (!mayDelete(parseMarker(space.description).marker, props.claim)) return;
        if (props.publishedAppId) {
            const app = await readApp(c, props.publishedAppId);
            if (app && mayDelete(parseMarker(app.description).marker, props.claim)) {
                await c.send({
                    method: "DELETE",
                    path: `/api/v1/apps/${props.publishedAppId}`,
                    expect: [200, 204, 404],
                    purpose: `delete published app ${props.publishedAppId}`,
                });
            }
        }
        for (const aid of Object.values(props.assignmentIds ?? {})) {
            await c.send({
                method: "DELETE",
                path: `/api/v1/spaces/${id}/assignments/${aid}`,
                expect: [204, 404],
                purpose: "remove a space member",
            });
        }
        const res = await c.send({
            method: "DELETE",
            path: `/api/v1/spaces/${id}`,
            expect: [204, 404, 412],
            purpose: `delete managed space ${id}`,
        });
        if (res.status === 412) {
            throw new Error(
                `managed space "${props.spaceName}" (${id}) on ${props.tenantHost} still holds content that this stack did not publish ` +
                    "(HTTP 412 space not empty); move or delete those apps, then run destroy again",
            );
        }
    },
});
