// ManagedSpacePublish: a customer's managed space, its group members, and the published copy of a staged app.
// First publish is POST /apps/{staged}/publish; a new staged app (template rollout) is REPUBLISHED into the same
// target with PUT /apps/{staged}/publish {targetId, checkOriginAppId:false}, so the published app id never
// changes and consumers' own sheets survive (qlik-cloud-api.md §7, §12.3).
import { Failures, Props, ResourceHandlers, diffFields, isUnknown, checkWith } from "./handlers";
import { HostClient } from "../qlik";
import { api, checkHost, checkSpaceName, ensureSpace, isStatus, sleep, SpaceInfo } from "./support";

/** Roles assignable in a MANAGED space [QAPI RoleType doc, §6]. */
export const MANAGED_ROLES = ["consumer", "contributor", "dataconsumer", "facilitator", "publisher", "basicconsumer"];

export interface Member {
    groupId: string;
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
    originAppId?: string;
    publishTime?: string;
    spaceId?: string;
}

const UPDATE_KEYS = ["spaceName", "spaceDescription", "members", "sourceAppId", "publishedAppName"] as const;
const REPLACE_KEYS = ["tenantHost"] as const;
/** Publishing right after creating a space can fail for a while (documented eventual consistency, §11). */
const PUBLISH_RETRY_MS = 60_000;

function checkInputs(news: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", news.tenantHost);
    checkSpaceName(f, "spaceName", news.spaceName);
    if (news.spaceDescription !== undefined && !isUnknown(news.spaceDescription) && typeof news.spaceDescription !== "string") {
        f.add("spaceDescription", "must be a string");
    }
    if (!isUnknown(news.sourceAppId) && (typeof news.sourceAppId !== "string" || news.sourceAppId.trim() === "")) {
        f.add("sourceAppId", "is required: the staged app to publish (e.g. AppCopy.appId)");
    }
    if (news.publishedAppName !== undefined && !isUnknown(news.publishedAppName) &&
        (typeof news.publishedAppName !== "string" || news.publishedAppName.trim() === "" || news.publishedAppName.length > 256)) {
        f.add("publishedAppName", "must be a non-empty app name (1-256 characters), or omitted to keep the staged app's name");
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
                if (!isUnknown(mm.groupId)) {
                    if (typeof mm.groupId !== "string" || mm.groupId.trim() === "") f.add(`${p}.groupId`, "is required: the group id (e.g. GroupSet output)");
                    else if (seen.has(mm.groupId)) f.add(`${p}.groupId`, `group ${mm.groupId} is listed twice; merge its roles into one entry`);
                    else seen.add(mm.groupId);
                }
                if (isUnknown(mm.roles)) return;
                if (!Array.isArray(mm.roles) || mm.roles.length === 0) {
                    f.add(`${p}.roles`, `must be a non-empty list of managed-space roles: ${MANAGED_ROLES.join(", ")}`);
                } else {
                    const bad = mm.roles.filter((r) => !isUnknown(r) && (typeof r !== "string" || !MANAGED_ROLES.includes(r)));
                    if (bad.length) {
                        f.add(`${p}.roles`, `${bad.map((b) => JSON.stringify(b)).join(", ")} not assignable in a managed space; use ${MANAGED_ROLES.join(", ")}`);
                    }
                }
            });
        }
    }
    return f;
}

const normRoles = (roles: string[]): string[] => [...new Set(roles)].sort();

function normMembers(list: Member[] | undefined): Member[] {
    return (list ?? []).map((m) => ({ groupId: m.groupId, roles: normRoles(m.roles) })).sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

async function listAssignments(c: HostClient, spaceId: string): Promise<Assignment[]> {
    return c.paginateAll<Assignment>(`/api/v1/spaces/${spaceId}/assignments`, { purpose: "list space assignments" });
}

/** Group assignments made to match `members` exactly (PUT carries the complete role list). */
async function syncMembers(c: HostClient, spaceId: string, members: Member[]): Promise<Record<string, string>> {
    const live = await listAssignments(c, spaceId);
    const ids: Record<string, string> = {};
    for (const m of normMembers(members)) {
        const hit = live.find((a) => a.assigneeId === m.groupId);
        if (hit) {
            if (hit.type !== "group") throw new Error(`members: ${m.groupId} is assigned to space ${spaceId} as a ${hit.type}, not a group`);
            if (normRoles(hit.roles).join() !== m.roles.join()) {
                await c.put(`/api/v1/spaces/${spaceId}/assignments/${hit.id}`, { roles: m.roles }, { purpose: `set roles of group ${m.groupId}` });
            }
            ids[m.groupId] = hit.id;
        } else {
            const res = await c.send<Assignment>({
                method: "POST", path: `/api/v1/spaces/${spaceId}/assignments`, body: { type: "group", assigneeId: m.groupId, roles: m.roles },
                expect: [201, 409], purpose: `assign group ${m.groupId}`,
            });
            if (res.status === 409) {
                // Created by a concurrent or crashed run: find it and set its roles.
                const again = (await listAssignments(c, spaceId)).find((a) => a.assigneeId === m.groupId);
                if (!again) throw new Error(`assignment of group ${m.groupId} conflicts but cannot be found in space ${spaceId}`);
                await c.put(`/api/v1/spaces/${spaceId}/assignments/${again.id}`, { roles: m.roles }, { purpose: `set roles of group ${m.groupId}` });
                ids[m.groupId] = again.id;
            } else ids[m.groupId] = res.body.id;
        }
    }
    for (const a of live) {
        if (a.type === "group" && !(a.assigneeId in ids)) {
            await c.send({ method: "DELETE", path: `/api/v1/spaces/${spaceId}/assignments/${a.id}`, expect: [204, 404], purpose: `remove group ${a.assigneeId}` });
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
async function findPublished(c: HostClient, spaceId: string, sourceAppId: string, name: string | undefined): Promise<AppAttrs | undefined> {
    const items = await c.paginateAll<Item>("/api/v1/items", { purpose: "find the published app", query: { resourceType: "app", spaceId } });
    const apps = items.map((i) => ({ ...i.resourceAttributes, id: i.resourceId, name: i.name }));
    return apps.find((a) => a.originAppId === sourceAppId) ?? (name ? apps.find((a) => a.name === name) : undefined);
}

async function publishFirst(c: HostClient, spaceId: string, sourceAppId: string, name: string | undefined): Promise<AppAttrs> {
    const deadline = Date.now() + PUBLISH_RETRY_MS;
    let wait = 500;
    for (;;) {
        try {
            const app = await c.post<{ attributes: AppAttrs }>(`/api/v1/apps/${sourceAppId}/publish`,
                { spaceId, data: "source", ...(name ? { attributes: { name } } : {}) },
                { purpose: `publish app ${sourceAppId} to managed space ${spaceId}` });
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

async function republish(c: HostClient, targetId: string, sourceAppId: string, name: string | undefined): Promise<AppAttrs> {
    const app = await c.put<{ attributes: AppAttrs }>(`/api/v1/apps/${sourceAppId}/publish`,
        { targetId, data: "source", checkOriginAppId: false, ...(name ? { attributes: { name } } : {}) },
        { purpose: `republish app ${sourceAppId} over published app ${targetId}` });
    return app.attributes;
}

/** First publish, adoption, or republish, so that the space holds exactly one copy of sourceAppId. */
async function ensurePublished(c: HostClient, spaceId: string, inputs: Props, knownTarget?: string): Promise<AppAttrs> {
    let target: AppAttrs | undefined;
    if (knownTarget) {
        try {
            target = (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${knownTarget}`, { purpose: `read published app ${knownTarget}` })).attributes;
        } catch (e) {
            if (!isStatus(e, 404)) throw e;
        }
    }
    target ??= await findPublished(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
    if (!target) return publishFirst(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
    if (target.originAppId !== inputs.sourceAppId) return republish(c, target.id, inputs.sourceAppId, inputs.publishedAppName);
    if (inputs.publishedAppName && target.name !== inputs.publishedAppName) {
        const app = await c.put<{ attributes: AppAttrs }>(`/api/v1/apps/${target.id}`, { attributes: { name: inputs.publishedAppName } },
            { purpose: `rename published app ${target.id}` });
        return app.attributes;
    }
    return target;
}

function outputs(inputs: Props, space: SpaceInfo, assignmentIds: Record<string, string>, app: AppAttrs): Props {
    return {
        tenantHost: inputs.tenantHost,
        spaceName: inputs.spaceName,
        spaceDescription: inputs.spaceDescription ?? "",
        members: normMembers(inputs.members),
        sourceAppId: inputs.sourceAppId,
        publishedAppName: inputs.publishedAppName,
        spaceId: space.id,
        publishedAppId: app.id,
        assignmentIds,
        publishedSourceAppId: app.originAppId ?? inputs.sourceAppId,
        publishTime: app.publishTime ?? "",
    };
}

async function patchSpace(c: HostClient, space: SpaceInfo, name: string, description: string): Promise<SpaceInfo> {
    const ops = [];
    if (space.name !== name) ops.push({ op: "replace", path: "/name", value: name });
    if ((space.description ?? "") !== description) ops.push({ op: "replace", path: "/description", value: description });
    if (ops.length === 0) return space;
    return c.patch<SpaceInfo>(`/api/v1/spaces/${space.id}`, ops, { purpose: `update managed space ${space.id}` });
}

export const handlers: ResourceHandlers = {
    check: checkWith(checkInputs),

    async diff(_id, olds, news) {
        const cmp = { spaceDescription: "", ...news, members: isUnknown(news.members) ? news.members : normMembers(news.members) };
        return diffFields({ ...olds, members: normMembers(olds.members) }, cmp, UPDATE_KEYS, REPLACE_KEYS);
    },

    async create(inputs) {
        const c = api(inputs.tenantHost);
        const ensured = await ensureSpace(c, inputs.spaceName, "managed", inputs.spaceDescription);
        const space = await patchSpace(c, ensured.space, inputs.spaceName, inputs.spaceDescription ?? "");
        const assignmentIds = await syncMembers(c, space.id, inputs.members ?? []);
        const app = await ensurePublished(c, space.id, inputs);
        return { id: space.id, outs: outputs(inputs, space, assignmentIds, app) };
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
        const live = await listAssignments(c, id);
        const groups = live.filter((a) => a.type === "group");
        const members = normMembers(groups.map((a) => ({ groupId: a.assigneeId, roles: a.roles })));
        const assignmentIds = Object.fromEntries(groups.map((a) => [a.assigneeId, a.id]));
        let publishedAppId = props.publishedAppId ?? "";
        let origin = "";
        let publishTime = "";
        let publishedName: string | undefined = props.publishedAppName;
        try {
            const app = (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${publishedAppId}`, { purpose: `read published app ${publishedAppId}` })).attributes;
            if (app.spaceId === id) {
                origin = app.originAppId ?? "";
                publishTime = app.publishTime ?? "";
                if (props.publishedAppName !== undefined) publishedName = app.name;
            } else publishedAppId = "";
        } catch (e) {
            if (!isStatus(e, 404)) throw e;
            publishedAppId = "";
        }
        const outs: Props = {
            ...props,
            spaceName: space.name,
            spaceDescription: space.description ?? "",
            members,
            assignmentIds,
            publishedAppId,
            publishedSourceAppId: origin,
            publishTime,
            // A missing or foreign-origin published copy shows as a sourceAppId change, so the next up repairs it.
            sourceAppId: origin,
            publishedAppName: publishedName,
        };
        const inputs: Props = {};
        for (const k of ["tenantHost", "spaceName", "spaceDescription", "members", "sourceAppId", "publishedAppName"]) {
            if (outs[k] !== undefined) inputs[k] = outs[k];
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        const c = api(news.tenantHost);
        const current = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read managed space ${id}` });
        const space = await patchSpace(c, current, news.spaceName, news.spaceDescription ?? "");
        const assignmentIds = await syncMembers(c, id, news.members ?? []);
        const app = await ensurePublished(c, id, news, olds.publishedAppId || undefined);
        return { outs: outputs(news, space, assignmentIds, app) };
    },

    async delete(id, props) {
        const c = api(props.tenantHost);
        if (props.publishedAppId) {
            await c.send({ method: "DELETE", path: `/api/v1/apps/${props.publishedAppId}`, expect: [200, 204, 404], purpose: `delete published app ${props.publishedAppId}` });
        }
        for (const aid of Object.values((props.assignmentIds ?? {}) as Record<string, string>)) {
            await c.send({ method: "DELETE", path: `/api/v1/spaces/${id}/assignments/${aid}`, expect: [204, 404], purpose: "remove a space member" });
        }
        const res = await c.send({ method: "DELETE", path: `/api/v1/spaces/${id}`, expect: [204, 404, 412], purpose: `delete managed space ${id}` });
        if (res.status === 412) {
            throw new Error(`managed space "${props.spaceName}" (${id}) on ${props.tenantHost} still holds content that this stack did not publish ` +
                "(HTTP 412 space not empty); move or delete those apps, then run destroy again");
        }
    },
};
