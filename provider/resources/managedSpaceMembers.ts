// A managed space's group members (docs/reference/qlik-cloud-api.md §6): canonical form for diffs, names resolved to
// group ids, and the assignments made to match exactly.
import { z } from "zod";
import { HostClient } from "../qlik";
import { Failures, isUnknown, stableJson } from "./handlers";
import type { managedSpaceMember } from "../schema/managedSpacePublish";

export type Member = z.output<typeof managedSpaceMember>;

/** Members as a state stores them (ManagedSpacePublish, SharedSpace): loose, so a state written by an older version parses. */
export const storedMembers = z.array(
    z.looseObject({
        groupId: z.string().optional(),
        groupName: z.string().optional(),
        roles: z.array(z.string()),
    }),
);

export interface Assignment {
    id: string;
    type: string;
    assigneeId: string;
    roles: string[];
}

const normRoles = (roles: string[]): string[] => [...new Set(roles)].sort();
const memberKey = (m: Member): string => (m.groupName !== undefined ? `name:${m.groupName}` : `id:${m.groupId}`);

/** Members in one canonical form (roles sorted, members sorted), so order never shows as a diff. */
export function normMembers(list: Member[] | undefined): Member[] {
    return (list ?? [])
        .map((m) => ({
            ...(m.groupName !== undefined ? { groupName: m.groupName } : { groupId: m.groupId }),
            roles: isUnknown(m.roles) ? m.roles : normRoles(m.roles),
        }))
        .sort((a, b) => (memberKey(a) < memberKey(b) ? -1 : memberKey(a) > memberKey(b) ? 1 : 0));
}

/**
 * The rules zod cannot say about a member list (ManagedSpacePublish and SharedSpace alike): exactly one of
 * groupId/groupName per member, and each group once. Added to `f`, field by field.
 */
export function checkMembers(f: Failures, members: unknown): Failures {
    if (!Array.isArray(members)) return f;
    const seen = new Set<string>();
    members.forEach((m: unknown, i: number) => {
        if (!m || typeof m !== "object" || isUnknown(m)) return;
        const p = `members[${i}]`;
        // Checked just above: a non-null object, whose fields are read as unknown.
        const mm = m as Record<string, unknown>;
        const byName = mm.groupName !== undefined;
        if (byName && mm.groupId !== undefined) {
            f.add(`${p}.groupName`, "set only one of groupId or groupName");
            return;
        }
        if (!byName && mm.groupId === undefined) {
            f.add(
                `${p}.groupId`,
                "is required: the group id (e.g. GroupSet.groupIds[name]), or set groupName (the group's name in the tenant)",
            );
            return;
        }
        const field = byName ? "groupName" : "groupId";
        const v = mm[field];
        if (typeof v !== "string" || isUnknown(v) || v.trim() === "") return;
        if (seen.has(`${field}:${v}`))
            f.add(`${p}.${field}`, `group ${v} is listed twice; merge its roles into one entry`);
        seen.add(`${field}:${v}`);
    });
    return f;
}

export async function listAssignments(c: HostClient, spaceId: string): Promise<Assignment[]> {
    return c.paginateAll<Assignment>(`/api/v1/spaces/${spaceId}/assignments`, { purpose: "list space assignments" });
}

/**
 * The space's group members as read() reports them: a group the declaration names by groupName is named so (its id
 * otherwise), so an unchanged space diffs clean; plus the assignment id of each group.
 */
export async function liveMembers(
    c: HostClient,
    spaceId: string,
    declared: Member[] | undefined,
): Promise<{ members: Member[]; assignmentIds: Record<string, string> }> {
    const live = (await listAssignments(c, spaceId)).filter((a) => a.type === "group");
    const declaredNames = new Set((declared ?? []).filter((m) => m.groupName !== undefined).map((m) => m.groupName));
    const names = declaredNames.size ? Object.fromEntries((await listGroups(c)).map((g) => [g.id, g.name])) : {};
    const members = normMembers(
        live.map((a) =>
            declaredNames.has(names[a.assigneeId])
                ? { groupName: names[a.assigneeId], roles: a.roles }
                : { groupId: a.assigneeId, roles: a.roles },
        ),
    );
    // The same members in the recorded order when nothing changed: dynamic providers cannot return a detailed diff
    // (@pulumi/pulumi dynamic DiffResult), so the engine lists every input whose value differs, order included, and
    // a refreshed state in sorted order would show `members` in the next preview of any change to the resource.
    const unchanged = declared && stableJson(normMembers(declared)) === stableJson(members);
    return {
        members: unchanged ? declared : members,
        assignmentIds: Object.fromEntries(live.map((a) => [a.assigneeId, a.id])),
    };
}

export interface Group {
    id: string;
    name: string;
}

export async function listGroups(c: HostClient): Promise<Group[]> {
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
export async function syncMembers(c: HostClient, spaceId: string, members: Member[]): Promise<Record<string, string>> {
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
