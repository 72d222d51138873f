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
import * as crypto from "crypto";
import { Failures, Props, ResourceHandlers, diffFields, isUnknown, checkWith } from "./handlers";
import { withTenantHost } from "./appCopy";
import { HostClient } from "../qlik";
import {
    api,
    checkHost,
    checkSpaceName,
    ensureSpace,
    isStatus,
    sleep,
    SpaceInfo,
    assertSameTenant,
    tenantHostDiff,
    tenantIdOf,
} from "./support";
import {
    Marker,
    assertMayAdopt,
    checkOwnership,
    claimOf,
    mayDelete,
    newClaim,
    ownershipOutputs,
    parseMarker,
    withMarker,
} from "./ownership";

/** Roles assignable in a MANAGED space [QAPI RoleType doc, §6]. */
export const MANAGED_ROLES = ["consumer", "contributor", "dataconsumer", "facilitator", "publisher", "basicconsumer"];

export interface Member {
    groupId?: string;
    groupName?: string;
    roles: string[];
}

interface Assignment {
    id: string;
    type: string;
    assigneeId: string;
    roles: string[];
}

interface AppAttrs {
    id: string;
    name: string;
    description?: string;
    originAppId?: string;
    publishTime?: string;
    spaceId?: string;
}

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
const REPLACE_KEYS: readonly string[] = [];
/** Publishing right after creating a space can fail for a while (documented eventual consistency, §11). */
const PUBLISH_RETRY_MS = 60_000;

function checkInputs(news: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", news.tenantHost);
    checkOwnership(f, news);
    checkSpaceName(f, "spaceName", news.spaceName);
    if (
        news.contentVersion !== undefined &&
        !isUnknown(news.contentVersion) &&
        typeof news.contentVersion !== "string"
    ) {
        f.add("contentVersion", "must be a string (pass AppCopy.contentVersion); it republishes when it changes");
    }
    if (
        news.spaceDescription !== undefined &&
        !isUnknown(news.spaceDescription) &&
        typeof news.spaceDescription !== "string"
    ) {
        f.add("spaceDescription", "must be a string");
    }
    if (!isUnknown(news.sourceAppId) && (typeof news.sourceAppId !== "string" || news.sourceAppId.trim() === "")) {
        f.add("sourceAppId", "is required: the staged app to publish (e.g. AppCopy.appId)");
    }
    if (
        news.publishedAppName !== undefined &&
        !isUnknown(news.publishedAppName) &&
        (typeof news.publishedAppName !== "string" ||
            news.publishedAppName.trim() === "" ||
            news.publishedAppName.length > 256)
    ) {
        f.add(
            "publishedAppName",
            "must be a non-empty app name (1-256 characters), or omitted to keep the staged app's name",
        );
    }
    const members = news.members;
    if (members !== undefined && !isUnknown(members)) {
        if (!Array.isArray(members)) f.add("members", "must be a list of {groupId, roles}");
        else {
            const seen = new Set<string>();
            members.forEach((m: unknown, i: number) => {
                if (isUnknown(m)) return;
                const p = `members[${i}]`;
                const mm = (m ?? {}) as Record<string, unknown>;
                const byName = mm.groupName !== undefined;
                if (byName && mm.groupId !== undefined) {
                    f.add(`${p}.groupName`, "set only one of groupId or groupName");
                } else if (!byName && mm.groupId === undefined) {
                    f.add(
                        `${p}.groupId`,
                        "is required: the group id (e.g. GroupSet.groupIds[name]), or set groupName (the group's name in the tenant)",
                    );
                } else {
                    const field = byName ? "groupName" : "groupId";
                    const v = mm[field];
                    if (!isUnknown(v)) {
                        if (typeof v !== "string" || v.trim() === "")
                            f.add(
                                `${p}.${field}`,
                                byName
                                    ? "must be the non-empty name of a group in the tenant"
                                    : "is required: the group id (e.g. GroupSet output)",
                            );
                        else if (seen.has(`${field}:${v}`))
                            f.add(`${p}.${field}`, `group ${v} is listed twice; merge its roles into one entry`);
                        else seen.add(`${field}:${v}`);
                    }
                }
                if (isUnknown(mm.roles)) return;
                if (!Array.isArray(mm.roles) || mm.roles.length === 0) {
                    f.add(`${p}.roles`, `must be a non-empty list of managed-space roles: ${MANAGED_ROLES.join(", ")}`);
                } else {
                    const bad = mm.roles.filter(
                        (r) => !isUnknown(r) && (typeof r !== "string" || !MANAGED_ROLES.includes(r)),
                    );
                    if (bad.length) {
                        f.add(
                            `${p}.roles`,
                            `${bad.map((b) => JSON.stringify(b)).join(", ")} not assignable in a managed space; use ${MANAGED_ROLES.join(", ")}`,
                        );
                    }
                }
            });
        }
    }
    return f;
}

const normRoles = (roles: string[]): string[] => [...new Set(roles)].sort();
const memberKey = (m: Member): string => (m.groupName !== undefined ? `name:${m.groupName}` : `id:${m.groupId}`);

/** Members in one canonical form (roles sorted, members sorted), so order never shows as a diff. */
function normMembers(list: Member[] | undefined): Member[] {
    return (list ?? [])
        .map((m) => ({
            ...(m.groupName !== undefined ? { groupName: m.groupName } : { groupId: m.groupId }),
            roles: isUnknown(m.roles) ? m.roles : normRoles(m.roles),
        }))
        .sort((a, b) => (memberKey(a) < memberKey(b) ? -1 : memberKey(a) > memberKey(b) ? 1 : 0));
}

async function listAssignments(c: HostClient, spaceId: string): Promise<Assignment[]> {
    return c.paginateAll<Assignment>(`/api/v1/spaces/${spaceId}/assignments`, { purpose: "list space assignments" });
}

interface Group {
    id: string;
    name: string;
}

async function listGroups(c: HostClient): Promise<Group[]> {
    return c.paginateAll<Group>("/api/v1/groups", { purpose: "list groups" });
}

/** Member -> group id; names are looked up in the tenant (the group must exist: GroupSet runs first). */
async function resolveMembers(c: HostClient, members: Member[]): Promise<{ groupId: string; roles: string[] }[]> {
    const groups = members.some((m) => m.groupName !== undefined) ? await listGroups(c) : [];
    return normMembers(members).map((m) => {
        if (m.groupName === undefined) return { groupId: m.groupId!, roles: m.roles };
        const hit = groups.find((g) => g.name === m.groupName);
        if (!hit)
            throw new Error(
                `members: no group named "${m.groupName}" on ${c.host}; create it first (GroupSet, with dependsOn) or use groupId`,
            );
        return { groupId: hit.id, roles: m.roles };
    });
}

/** Group assignments made to match `members` exactly (PUT carries the complete role list). */
async function syncMembers(c: HostClient, spaceId: string, members: Member[]): Promise<Record<string, string>> {
    const wanted = await resolveMembers(c, members);
    const live = await listAssignments(c, spaceId);
    const ids: Record<string, string> = {};
    for (const m of wanted) {
        const hit = live.find((a) => a.assigneeId === m.groupId);
        if (hit) {
            if (hit.type !== "group")
                throw new Error(`members: ${m.groupId} is assigned to space ${spaceId} as a ${hit.type}, not a group`);
            if (normRoles(hit.roles).join() !== m.roles.join()) {
                await c.put(
                    `/api/v1/spaces/${spaceId}/assignments/${hit.id}`,
                    { roles: m.roles },
                    { purpose: `set roles of group ${m.groupId}` },
                );
            }
            ids[m.groupId] = hit.id;
        } else {
            const res = await c.send<Assignment>({
                method: "POST",
                path: `/api/v1/spaces/${spaceId}/assignments`,
                body: { type: "group", assigneeId: m.groupId, roles: m.roles },
                expect: [201, 409],
                purpose: `assign group ${m.groupId}`,
            });
            if (res.status === 409) {
                // Created by a concurrent or crashed run: find it and set its roles.
                const again = (await listAssignments(c, spaceId)).find((a) => a.assigneeId === m.groupId);
                if (!again)
                    throw new Error(
                        `assignment of group ${m.groupId} conflicts but cannot be found in space ${spaceId}`,
                    );
                await c.put(
                    `/api/v1/spaces/${spaceId}/assignments/${again.id}`,
                    { roles: m.roles },
                    { purpose: `set roles of group ${m.groupId}` },
                );
                ids[m.groupId] = again.id;
            } else ids[m.groupId] = res.body.id;
        }
    }
    for (const a of live) {
        if (a.type === "group" && !(a.assigneeId in ids)) {
            await c.send({
                method: "DELETE",
                path: `/api/v1/spaces/${spaceId}/assignments/${a.id}`,
                expect: [204, 404],
                purpose: `remove group ${a.assigneeId}`,
            });
        }
    }
    return ids;
}

interface Item {
    resourceId: string;
    name: string;
    resourceAttributes: AppAttrs;
}

/** The published copy already in the space: by origin, else by name (crash safety / adoption). */
async function findPublished(
    c: HostClient,
    spaceId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs | undefined> {
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: "find the published app",
        query: { resourceType: "app", spaceId },
    });
    const apps = items.map((i) => ({ ...i.resourceAttributes, id: i.resourceId, name: i.name }));
    return apps.find((a) => a.originAppId === sourceAppId) ?? (name ? apps.find((a) => a.name === name) : undefined);
}

async function readApp(c: HostClient, appId: string): Promise<AppAttrs | undefined> {
    try {
        return (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${appId}`, { purpose: `read app ${appId}` }))
            .attributes;
    } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
    }
}

async function publishFirst(
    c: HostClient,
    spaceId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs> {
    const deadline = Date.now() + PUBLISH_RETRY_MS;
    let wait = 500;
    for (;;) {
        try {
            const app = await c.post<{ attributes: AppAttrs }>(
                `/api/v1/apps/${sourceAppId}/publish`,
                { spaceId, data: "source", ...(name ? { attributes: { name } } : {}) },
                { purpose: `publish app ${sourceAppId} to managed space ${spaceId}` },
            );
            return app.attributes;
        } catch (e) {
            // The space may not be visible to the publish service yet; never repeat a publish that may have happened.
            const made = await findPublished(c, spaceId, sourceAppId, name).catch(() => undefined);
            if (made) return made;
            if (!isStatus(e, 403, 404) || Date.now() + wait > deadline) throw e;
            await sleep(wait);
            wait = Math.min(wait * 2, 8000);
        }
    }
}

async function republish(
    c: HostClient,
    targetId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs> {
    const app = await c.put<{ attributes: AppAttrs }>(
        `/api/v1/apps/${sourceAppId}/publish`,
        { targetId, data: "source", checkOriginAppId: false, ...(name ? { attributes: { name } } : {}) },
        { purpose: `republish app ${sourceAppId} over published app ${targetId}` },
    );
    return app.attributes;
}

/**
 * First publish, adoption, or republish, so that the space holds exactly one copy of sourceAppId, carrying this
 * resource's marker. `force` republishes even when the copy's origin is already sourceAppId (the staged content
 * changed, or the copy was republished by hand).
 */
async function ensurePublished(
    c: HostClient,
    spaceId: string,
    inputs: Props,
    m: Marker,
    force: boolean,
    knownTarget?: string,
    allowed: string[] = [],
): Promise<AppAttrs> {
    let target = knownTarget ? await readApp(c, knownTarget) : undefined;
    if (target && target.spaceId !== undefined && target.spaceId !== spaceId) target = undefined;
    if (!target) {
        const found = await findPublished(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
        target = found ? ((await readApp(c, found.id)) ?? found) : undefined;
        if (target)
            assertMayAdopt(
                "ManagedSpacePublish",
                `published app "${target.name}" (${target.id}) on ${c.host}`,
                parseMarker(target.description).marker,
                inputs,
                allowed,
            );
    }
    let app: AppAttrs;
    if (!target) app = await publishFirst(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
    else if (force || target.originAppId !== inputs.sourceAppId)
        app = await republish(c, target.id, inputs.sourceAppId, inputs.publishedAppName);
    else app = target;
    const marker = parseMarker(app.description).marker;
    const rename = inputs.publishedAppName && app.name !== inputs.publishedAppName;
    if (rename || !marker || marker.owner !== m.owner || marker.claim !== m.claim) {
        // Publishing copies the staged app's description, and with it AppCopy's marker: this copy gets its own.
        const updated = await c.put<{ attributes: AppAttrs }>(
            `/api/v1/apps/${app.id}`,
            {
                attributes: {
                    ...(rename ? { name: inputs.publishedAppName } : {}),
                    description: withMarker(app.description, m),
                },
            },
            { purpose: `${rename ? "rename and " : ""}mark published app ${app.id}` },
        );
        app = { ...app, ...updated.attributes };
    }
    return app;
}

const sha = (text: string): string => crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);

async function scriptDigestOf(c: HostClient, appId: string): Promise<string> {
    const s = await c.get<{ script: string }>(`/api/v1/apps/${appId}/scripts/current`, {
        purpose: `read the load script of published app ${appId}`,
    });
    return sha(s.script ?? "");
}

async function outputs(
    c: HostClient,
    inputs: Props,
    claim: string,
    space: SpaceInfo,
    assignmentIds: Record<string, string>,
    app: AppAttrs,
): Promise<Props> {
    const outs: Props = {
        tenantHost: inputs.tenantHost,
        tenantId: inputs.tenantId,
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

const me = (inputs: Props, claim: string): Marker => ({ owner: inputs.owner ?? "", claim });

/** The diff's view of a side: defaults applied, members canonical. */
function comparable(p: Props): Props {
    return {
        ...p,
        spaceDescription: p.spaceDescription ?? "",
        contentVersion: p.contentVersion ?? "",
        owner: p.owner ?? "",
        members: isUnknown(p.members) ? p.members : normMembers(p.members),
    };
}

export const handlers: ResourceHandlers = {
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
        const m = me(inputs, claim);
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
        const live = (await listAssignments(c, id)).filter((a) => a.type === "group");
        const declaredNames = new Set(
            ((props.members ?? []) as Member[]).filter((m) => m.groupName !== undefined).map((m) => m.groupName),
        );
        const names = declaredNames.size ? Object.fromEntries((await listGroups(c)).map((g) => [g.id, g.name])) : {};
        const members = normMembers(
            live.map((a) =>
                declaredNames.has(names[a.assigneeId])
                    ? { groupName: names[a.assigneeId], roles: a.roles }
                    : { groupId: a.assigneeId, roles: a.roles },
            ),
        );
        const assignmentIds = Object.fromEntries(live.map((a) => [a.assigneeId, a.id]));
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
        const outs: Props = {
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
        for (const k of [
            "tenantHost",
            "spaceName",
            "spaceDescription",
            "members",
            "sourceAppId",
            "publishedAppName",
            "contentVersion",
            "owner",
            "takeOverFrom",
        ]) {
            if (outs[k] !== undefined) inputs[k] = outs[k];
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        // Another name of the same tenant (alias host <-> system host) is proven before any change.
        news = { ...news, tenantId: await assertSameTenant("ManagedSpacePublish", olds, news) };
        const c = api(news.tenantHost);
        const claim = claimOf(olds);
        const m = me(news, claim);
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
        for (const aid of Object.values((props.assignmentIds ?? {}) as Record<string, string>)) {
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
};
