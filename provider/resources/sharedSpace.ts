// SharedSpace: a shared space in a customer tenant and its group members (docs/resources/SharedSpace.md), e.g. the
// space where a premium customer's own authors build content. Spaces API: createSpace, patchSpaceById,
// deleteSpaceById, assignments (tests/contract/qlik-openapi/qliksense-spaces-api-openapi.yml;
// docs/reference/qlik-cloud-api.md §6).
//
// The content in a shared space is the CUSTOMER's (apps its authors made), never this stack's, so delete never
// removes any of it: a space that still holds items (items API, getItems ?spaceId=) or that Qlik refuses to delete
// (deleteSpaceById 412 "space not empty") is left in place with its members, and the delete says so in one line. A
// space made by hand and adopted by name is never deleted either: its delete takes back only what it added.
import { Failures, Props, diffFields, isUnknown, checkWith, typedHandlers } from "./handlers";
import { HostClient } from "../qlik";
import {
    api,
    findSpaceByName,
    isStatus,
    SpaceInfo,
    assertSameTenant,
    tenantHostDiff,
    tenantIdOf,
    withTenantHost,
} from "./support";
import {
    assertMayAdopt,
    claimOf,
    markOf,
    mayDelete,
    newClaim,
    ownershipOutputs,
    parseMarker,
    withMarker,
} from "./ownership";
import { checkedInputs, replaceKeys, schemaFailures, stateParser } from "../schema/core";
import { sharedSpaceSchema } from "../schema/sharedSpace";
import { Member, checkMembers, listAssignments, liveMembers, normMembers, syncMembers } from "./managedSpaceMembers";
import { SharedSpaceInputs, SharedSpaceState, sharedSpaceState } from "./sharedSpaceState";

const KIND = "SharedSpace";
const UPDATE_KEYS = ["name", "description", "members", "owner", "takeOverFrom"] as const;
// tenantHost is diffed by tenantHostDiff (support.ts): another name of the same tenant is an update.
const REPLACE_KEYS = replaceKeys(sharedSpaceSchema).filter((k) => k !== "tenantHost");

/** The schema's rules (provider/schema/sharedSpace.ts), then one of groupId/groupName per member, each once. */
function checkInputs(news: Props): Failures {
    return checkMembers(schemaFailures(sharedSpaceSchema, news), news.members);
}

const where = (c: HostClient, name: string | undefined, id: string) =>
    `shared space "${name ?? ""}" (${id}) on ${c.host}`;

/** Adopt the space with this name (it must be a shared one) or create it; a 409 race adopts the winner. */
async function ensureShared(c: HostClient, name: string, description: string) {
    const found = async () => {
        const s = await findSpaceByName(c, name);
        if (s && s.type !== "shared")
            throw new Error(
                `${KIND}: space "${name}" on ${c.host} exists but is a ${s.type} space, not a shared one; choose another name`,
            );
        return s;
    };
    const existing = await found();
    if (existing) return { space: existing, created: false };
    try {
        const space = await c.post<SpaceInfo>(
            "/api/v1/spaces",
            { name, type: "shared", description },
            { purpose: `create shared space "${name}"` },
        );
        return { space, created: true };
    } catch (e) {
        const again = isStatus(e, 409) ? await found() : undefined;
        if (again) return { space: again, created: false };
        throw e;
    }
}

/** Name and description (the user's text plus this resource's marker). */
async function patchSpace(c: HostClient, space: SpaceInfo, name: string, description: string): Promise<SpaceInfo> {
    const ops = [];
    if (space.name !== name) ops.push({ op: "replace", path: "/name", value: name });
    if ((space.description ?? "") !== description)
        ops.push({ op: "replace", path: "/description", value: description });
    if (ops.length === 0) return space;
    return c.patch<SpaceInfo>(`/api/v1/spaces/${space.id}`, ops, { purpose: `update shared space ${space.id}` });
}

function outputs(
    inputs: SharedSpaceInputs,
    claim: string,
    spaceId: string,
    assignmentIds: Record<string, string>,
    adoption: Pick<SharedSpaceState, "handMade" | "adoptedGroups" | "adoptedDescription">,
): SharedSpaceState {
    const outs: SharedSpaceState = {
        tenantHost: inputs.tenantHost,
        // create() and update() add the tenant's id to their inputs.
        tenantId: typeof inputs.tenantId === "string" ? inputs.tenantId : undefined,
        name: inputs.name,
        members: normMembers(inputs.members),
        ...ownershipOutputs(inputs, claim),
        spaceId,
        assignmentIds,
    };
    // Optional inputs are kept only when declared: refresh then shows no "+description" default-only noise.
    if (inputs.description !== undefined) outs.description = inputs.description;
    if (adoption.handMade) {
        outs.handMade = true;
        outs.adoptedGroups = adoption.adoptedGroups ?? [];
        outs.adoptedDescription = adoption.adoptedDescription ?? "";
    }
    return outs;
}

/** The diff's view of a side (the state, or the new inputs of a preview): defaults applied, members canonical. */
function comparable(p: SharedSpaceState | Props): Props {
    return {
        ...p,
        description: p.description ?? "",
        owner: p.owner ?? "",
        // check() accepted these members; normMembers keeps a preview's unknowns inside them as they are.
        members: isUnknown(p.members) ? p.members : normMembers(p.members as Member[] | undefined),
    };
}

/** How many items (apps and the like) the space holds; the items API lists what users see in a space. */
async function itemCount(c: HostClient, spaceId: string): Promise<number> {
    const r = await c.get<{ data?: unknown[] }>("/api/v1/items", {
        purpose: `list the items in space ${spaceId}`,
        query: { spaceId, limit: "1" },
    });
    return r.data?.length ?? 0;
}

/** Delete of a space made by hand: remove the members this resource added, put its description back, keep the space. */
async function releaseHandMade(c: HostClient, space: SpaceInfo, props: SharedSpaceState): Promise<void> {
    const keep = new Set(props.adoptedGroups ?? []);
    for (const [groupId, aid] of Object.entries(props.assignmentIds ?? {})) {
        if (keep.has(groupId)) continue;
        await c.send({
            method: "DELETE",
            path: `/api/v1/spaces/${space.id}/assignments/${aid}`,
            expect: [204, 404],
            purpose: `remove group ${groupId} from shared space ${space.id}`,
        });
    }
    const text = props.adoptedDescription ?? parseMarker(space.description).text;
    if (text !== space.description)
        await c.patch(`/api/v1/spaces/${space.id}`, [{ op: "replace", path: "/description", value: text }], {
            purpose: `give shared space ${space.id} its description from before the adoption back`,
        });
    // The engine shows a provider's stderr lines in the command's output (pulumi/pulumi
    // sdk/go/common/resource/plugin/plugin.go, runtrace -> Diag.Infoerrf).
    console.error(
        `${KIND}: ${where(c, space.name, space.id)} was made by hand before this stack adopted it, so it is left in place; only the members this stack added were removed and its description was put back`,
    );
}

const parse = {
    inputs: checkedInputs(sharedSpaceSchema),
    state: stateParser(KIND, sharedSpaceState),
};

export const handlers = typedHandlers<SharedSpaceInputs, SharedSpaceState>(parse, {
    check: checkWith(checkInputs),

    async diff(_id, olds, news) {
        const cmpOlds = comparable(olds);
        const cmpNews = comparable(news);
        return withTenantHost(
            diffFields(cmpOlds, cmpNews, UPDATE_KEYS, REPLACE_KEYS),
            await tenantHostDiff(olds, news),
        );
    },

    async create(inputs) {
        const c = api(inputs.tenantHost);
        const claim = newClaim();
        inputs = { ...inputs, tenantId: await tenantIdOf(inputs.tenantHost) };
        const description = withMarker(inputs.description ?? "", markOf(inputs, claim));
        const ensured = await ensureShared(c, inputs.name, description);
        const marker = parseMarker(ensured.space.description).marker;
        if (!ensured.created) assertMayAdopt(KIND, where(c, inputs.name, ensured.space.id), marker, inputs);
        // No marker: nobody's stack made it (a crashed create of this resource had already marked it).
        const handMade = !ensured.created && !marker;
        const before = handMade ? (await listAssignments(c, ensured.space.id)).filter((a) => a.type === "group") : [];
        const space = await patchSpace(c, ensured.space, inputs.name, description);
        const assignmentIds = await syncMembers(c, space.id, inputs.members ?? []);
        const adoptedGroups = before.map((a) => a.assigneeId).filter((g) => g in assignmentIds);
        const adoptedDescription = ensured.space.description ?? "";
        return {
            id: space.id,
            outs: outputs(inputs, claim, space.id, assignmentIds, { handMade, adoptedGroups, adoptedDescription }),
        };
    },

    async read(id, props) {
        const c = api(props.tenantHost);
        let space: SpaceInfo;
        try {
            space = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read shared space ${id}` });
        } catch (e) {
            if (isStatus(e, 404)) return { id: "" };
            throw e;
        }
        const { marker, text: description } = parseMarker(space.description);
        const { members, assignmentIds } = await liveMembers(c, id, props.members);
        const outs: SharedSpaceState = {
            ...props,
            name: space.name,
            members,
            assignmentIds,
        };
        if (props.description !== undefined || description !== "") outs.description = description;
        // Another stack took the space over, or its marker was removed by hand: an `owner` diff (docs/ownership.md).
        if (props.claim !== undefined && (marker?.owner ?? "") !== (props.owner ?? ""))
            outs.owner = marker?.owner ?? "";
        const byKey = new Map<string, unknown>(Object.entries(outs));
        const inputs: Props = {};
        // The inputs that reproduce this state: every updatable field plus the tenant it lives in.
        for (const k of ["tenantHost", ...UPDATE_KEYS]) {
            if (byKey.get(k) !== undefined) inputs[k] = byKey.get(k);
        }
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        // Another name of the same tenant (alias host <-> system host) is proven before any change.
        news = { ...news, tenantId: await assertSameTenant(KIND, olds, news) };
        const c = api(news.tenantHost);
        const claim = claimOf(olds);
        let current: SpaceInfo;
        try {
            current = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read shared space ${id}` });
        } catch (e) {
            // Deleted by hand since the last refresh: an update cannot bring it back under the same id, a create can.
            if (!isStatus(e, 404)) throw e;
            throw new Error(
                `${KIND}: ${where(c, olds.name, id)} was deleted outside Pulumi, so it cannot be updated; nothing was changed. ` +
                    "Run `pulumi refresh` (or `pulumi up --refresh`): the next up creates it again with its members",
            );
        }
        assertMayAdopt(
            KIND,
            where(c, current.name, id),
            parseMarker(current.description).marker,
            news,
            olds.owner ? [olds.owner] : [],
        );
        await patchSpace(c, current, news.name, withMarker(news.description ?? "", markOf(news, claim)));
        const assignmentIds = await syncMembers(c, id, news.members ?? []);
        return { outs: outputs(news, claim, id, assignmentIds, olds) };
    },

    async delete(id, props) {
        const c = api(props.tenantHost);
        let space: SpaceInfo;
        try {
            space = await c.get<SpaceInfo>(`/api/v1/spaces/${id}`, { purpose: `read shared space ${id}` });
        } catch (e) {
            if (isStatus(e, 404)) return;
            throw e;
        }
        // Another stack took it over, or a successor (replacement) adopted it: it is theirs now (docs/ownership.md).
        if (!mayDelete(parseMarker(space.description).marker, props.claim)) return;
        if (props.handMade) return releaseHandMade(c, space, props);
        const items = await itemCount(c, id);
        const res =
            items > 0
                ? undefined
                : await c.send({
                      method: "DELETE",
                      path: `/api/v1/spaces/${id}`,
                      expect: [204, 404, 412],
                      purpose: `delete shared space ${id}`,
                  });
        // Qlik removes a deleted space's assignments with it, so the members this resource made go in the DELETE.
        if (res && res.status !== 412) return;
        console.error(
            `${KIND}: ${where(c, space.name, id)} is left in place with its members: it still holds the customer's own content ` +
                `(${items > 0 ? "items such as apps" : "content Qlik will not delete with the space, HTTP 412 space not empty"}), which a destroy never deletes; ` +
                "move or delete that content in Qlik, then delete the space by hand if it is no longer needed",
        );
    },
});
