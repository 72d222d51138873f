// GroupSet: the groups of a tenant and their roles, managed as one set (docs/reference/qlik-cloud-api.md §4).
// Groups are found by name (names are unique and case-sensitive), so a crashed create or a group
// made by a JWT login is adopted rather than duplicated. Groups the set does not declare are
// reported in `unmanagedGroups` and deleted only with pruneUnmanaged.
import { Failures, Props, isUnknown, stableJson, checkWith, typedHandlers } from "./handlers";
import { isQlikApiError } from "../qlik";
import { api, assertSameTenant, initFailed, tenantHostDiff, tenantIdOf } from "./support";
import {
    Marker,
    OwnershipInputs,
    assertMayAdopt,
    claimOf,
    markerLength,
    mayDelete,
    newClaim,
    ownerChanged,
    parseMarker,
    withMarker,
    markOf,
} from "./ownership";
import { checkedInputs, schemaFailures, stateParser } from "../schema/core";
import { groupSetSchema } from "../schema/groupSet";
import { GroupSetInputs, GroupSetState, GroupSpec, groupSetState } from "./groupSetState";

interface GroupJson {
    id: string;
    name: string;
    assignedRoles?: { name: string }[];
    description?: string;
}

/** The schema's rules (provider/schema/groupSet.ts), then unique names and the description's room next to the marker. */
function validate(inputs: Props): Failures {
    const f = schemaFailures(groupSetSchema, inputs);
    const groups = inputs.groups;
    if (!Array.isArray(groups)) return f;
    // Each group's description also carries the ownership marker within Qlik's 256 characters.
    const room = 256 - (typeof inputs.owner === "string" ? markerLength(inputs.owner) : 0);
    const seen = new Set<string>();
    groups.forEach((g: unknown, i: number) => {
        if (!g || typeof g !== "object" || isUnknown(g)) return;
        // Checked just above: a non-null object, whose fields are read as unknown.
        const { name, description } = g as Record<string, unknown>;
        if (typeof name === "string" && !isUnknown(name) && name !== "") {
            if (seen.has(name))
                f.add(
                    `groups[${i}].name`,
                    `duplicate group name ${JSON.stringify(name)}: each group may appear once (names are case-sensitive)`,
                );
            seen.add(name);
        }
        if (typeof description === "string" && !isUnknown(description) && description.length > room) {
            f.add(
                `groups[${i}].description`,
                `must be a string of at most ${room} characters (Qlik allows 256; the ownership marker takes the rest)`,
            );
        }
    });
    return f;
}

async function listGroups(host: string): Promise<GroupJson[]> {
    return api(host).paginateAll<GroupJson>("/api/v1/groups", {
        purpose: `list groups of ${host}`,
        query: { limit: 100 },
    });
}

const roleNames = (g: GroupJson) => (g.assignedRoles ?? []).map((r) => r.name);
const sameSet = (a: string[], b: string[]) => stableJson([...a].sort()) === stableJson([...b].sort());

async function setAutoCreate(host: string, value: unknown): Promise<void> {
    if (typeof value !== "boolean") return;
    await api(host).patch("/api/v1/groups/settings", [{ op: "replace", path: "/autoCreateGroups", value }], {
        purpose: `set autoCreateGroups on ${host}`,
    });
}

/**
 * Refuses, before any change, to adopt or change a declared group that another owner marked
 * (docs/ownership.md). `ownClaim` (on update) also accepts the groups this resource marked itself.
 */
async function assertOwnsGroups(
    host: string,
    want: GroupSpec[],
    inputs: OwnershipInputs,
    ownClaim?: string,
): Promise<GroupJson[]> {
    const live = await listGroups(host);
    const byName = new Map(live.map((g) => [g.name, g]));
    for (const spec of want) {
        const g = byName.get(spec.name);
        if (g)
            assertMayAdopt(
                "GroupSet",
                `group "${g.name}" (${g.id}) on ${host}`,
                parseMarker(g.description).marker,
                inputs,
                ownClaim,
            );
    }
    return live;
}

/** Creates, adopts, fixes and deletes groups so the tenant matches `want`, marking each declared group with `mark`. */
async function converge(
    host: string,
    want: GroupSpec[],
    previouslyManaged: string[],
    prune: boolean,
    mark: Marker,
    live?: GroupJson[],
): Promise<void> {
    live ??= await listGroups(host);
    const byName = new Map(live.map((g) => [g.name, g]));
    const declared = new Set(want.map((g) => g.name));
    for (const spec of want) {
        const g = byName.get(spec.name);
        const roles = spec.roles.map((name) => ({ name }));
        if (!g) {
            const body: Record<string, unknown> = {
                name: spec.name,
                status: "active",
                assignedRoles: roles,
                description: withMarker(spec.description, mark),
            };
            await api(host).post("/api/v1/groups", body, { purpose: `create group ${spec.name}` });
            continue;
        }
        const ops: { op: "replace"; path: string; value: unknown }[] = [];
        if (!sameSet(roleNames(g), spec.roles)) ops.push({ op: "replace", path: "assignedRoles", value: roles });
        // An undeclared description stays as the tenant has it; only the marker is (re)written.
        const description = withMarker(spec.description ?? parseMarker(g.description).text, mark);
        if ((g.description ?? "") !== description) ops.push({ op: "replace", path: "description", value: description });
        if (ops.length) await api(host).patch(`/api/v1/groups/${g.id}`, ops, { purpose: `update group ${spec.name}` });
    }
    const doomed = live.filter((g) => {
        if (declared.has(g.name)) return false;
        const m = parseMarker(g.description).marker;
        // A previously managed group goes only while it still carries our claim (a successor may have
        // adopted it); pruning never removes another owner's groups.
        if (previouslyManaged.includes(g.name))
            return mayDelete(m, mark.claim) || (!!m && m.owner === mark.owner && prune);
        return prune && (!m || m.owner === "" || m.owner === mark.owner);
    });
    for (const g of doomed) {
        try {
            await api(host).delete(`/api/v1/groups/${g.id}`, { purpose: `delete group ${g.name}` });
        } catch (e) {
            if (!(isQlikApiError(e) && e.status === 404)) throw e;
        }
    }
}

/** The live state of the declared groups (in declared order, declared role order when the set matches). */
async function outputsFor(
    host: string,
    inputs: GroupSetInputs | GroupSetState,
    claim: string,
    tenantId?: string,
): Promise<GroupSetState> {
    const want: GroupSpec[] = inputs.groups ?? [];
    const me = typeof inputs.owner === "string" ? inputs.owner : "";
    let liveOwner = me;
    const [live, settings] = await Promise.all([
        listGroups(host),
        api(host).get<{ autoCreateGroups?: boolean }>("/api/v1/groups/settings", {
            purpose: `read group settings of ${host}`,
        }),
    ]);
    const byName = new Map(live.map((g) => [g.name, g]));
    const declared = new Set(want.map((g) => g.name));
    const groups: GroupSpec[] = [];
    const groupIds: Record<string, string> = {};
    for (const spec of want) {
        const g = byName.get(spec.name);
        if (!g) continue; // deleted outside Pulumi: drift
        groupIds[g.name] = g.id;
        const live = roleNames(g);
        const out: GroupSpec = { name: g.name, roles: sameSet(live, spec.roles) ? spec.roles : live };
        const parsed = parseMarker(g.description);
        if (spec.description !== undefined) out.description = parsed.text;
        groups.push(out);
        // The first declared group marked by someone else (or unmarked since) is reported as the owner: drift.
        const owner = parsed.marker?.owner ?? "";
        if (liveOwner === me && owner !== me) liveOwner = owner;
    }
    const outs: GroupSetState = {
        owner: liveOwner,
        claim,
        // Whether the program manages autoCreateGroups: an unmanaged setting never comes back as an input (no noise).
        autoCreateGroupsManaged:
            typeof inputs.autoCreateGroupsManaged === "boolean"
                ? inputs.autoCreateGroupsManaged
                : inputs.autoCreateGroups !== undefined,
        tenantHost: host,
        tenantId: tenantId ?? (typeof inputs.tenantId === "string" ? inputs.tenantId : undefined),
        groups,
        groupIds,
        autoCreateGroups: settings.autoCreateGroups ?? false,
        pruneUnmanaged: inputs.pruneUnmanaged,
        unmanagedGroups: live
            .map((g) => g.name)
            .filter((n) => !declared.has(n))
            .sort(),
    };
    if (inputs.takeOverFrom !== undefined) outs.takeOverFrom = inputs.takeOverFrom;
    return outs;
}

/**
 * Groups in the tenant that the set does not declare are drift of a special kind: nothing to repair
 * unless pruneUnmanaged is on. Pulumi's refresh asks diff() whether the refreshed state differs
 * from the inputs, so the set of strays seen at the last create/update is kept as
 * `unmanagedGroupsAcknowledged`: a refresh that finds a stray not in it reports it (the drift
 * alarm; read also hands the list back as an input so the CLI names it), and the next `up`
 * acknowledges it (or deletes it when pruning). No perpetual diff either way.
 */
function newStrays(outs: GroupSetState): boolean {
    const live = outs.unmanagedGroups ?? [];
    const known = new Set(outs.unmanagedGroupsAcknowledged ?? live);
    return live.some((n) => !known.has(n));
}

function inputsFrom(outs: GroupSetState): Props {
    const inputs: Props = {
        tenantHost: outs.tenantHost,
        groups: outs.groups,
        pruneUnmanaged: outs.pruneUnmanaged,
        owner: outs.owner,
    };
    if (outs.autoCreateGroupsManaged !== false) inputs.autoCreateGroups = outs.autoCreateGroups;
    if (outs.takeOverFrom !== undefined) inputs.takeOverFrom = outs.takeOverFrom;
    if (newStrays(outs)) inputs.unmanagedGroups = outs.unmanagedGroups;
    return inputs;
}

/** Outputs of create/update: what they saw is acknowledged. */
async function convergedOutputs(
    host: string,
    inputs: GroupSetInputs,
    claim: string,
    tenantId?: string,
): Promise<GroupSetState> {
    const outs = await outputsFor(host, inputs, claim, tenantId);
    return { ...outs, unmanagedGroupsAcknowledged: outs.unmanagedGroups };
}

/**
 * Groups sorted by name with sorted roles; unknown members stay as they are (they compare unequal). The new inputs
 * of a preview may hold Pulumi's unknown anywhere, so the casts below only follow the object checks beside them.
 */
function canonicalGroups(groups: unknown): unknown {
    if (!Array.isArray(groups)) return groups ?? [];
    return groups
        .map((g) =>
            g && typeof g === "object" && Array.isArray((g as GroupSpec).roles)
                ? { ...(g as GroupSpec), roles: [...(g as GroupSpec).roles].sort() }
                : g,
        )
        .sort((a, b) => {
            const an = String((a as GroupSpec)?.name ?? "");
            const bn = String((b as GroupSpec)?.name ?? "");
            return an < bn ? -1 : an > bn ? 1 : 0;
        });
}

const parse = { inputs: checkedInputs(groupSetSchema), state: stateParser("GroupSet", groupSetState) };

export const handlers = typedHandlers<GroupSetInputs, GroupSetState>(parse, {
    check: checkWith(validate),

    async diff(_id, olds, news) {
        // Another name of the same tenant is an update, never a replacement (support.ts, issue 8 item 4):
        // a replacement would adopt the groups by name and the old resource's delete would then remove them.
        const host = await tenantHostDiff(olds, news);
        const replaces = host === "replace" ? ["tenantHost"] : [];
        // Order is not meaning: groups are keyed by name and roles are a set (no order-only noise, issue 8 item 5).
        const groups =
            isUnknown(news.groups) ||
            stableJson(canonicalGroups(news.groups)) !== stableJson(canonicalGroups(olds.groups));
        const auto =
            news.autoCreateGroups !== undefined &&
            (isUnknown(news.autoCreateGroups) || news.autoCreateGroups !== olds.autoCreateGroups);
        const prune = (news.pruneUnmanaged ?? false) !== (olds.pruneUnmanaged ?? false);
        // With pruning on, groups added by hand are drift that the next up removes.
        const strays = (news.pruneUnmanaged === true && (olds.unmanagedGroups ?? []).length > 0) || newStrays(olds);
        const changes =
            replaces.length > 0 ||
            host === "readdress" ||
            groups ||
            auto ||
            prune ||
            strays ||
            ownerChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const host = inputs.tenantHost;
        const id = `${host}/groups`;
        // Before any change: another owner's groups are not adopted (docs/ownership.md).
        const live = await assertOwnsGroups(host, inputs.groups ?? [], inputs);
        const claim = newClaim();
        const tenantId = await tenantIdOf(host);
        try {
            await setAutoCreate(host, inputs.autoCreateGroups);
            await converge(host, inputs.groups ?? [], [], inputs.pruneUnmanaged === true, markOf(inputs, claim), live);
        } catch (e) {
            // Some groups may exist already: keep the resource so the next up converges instead of orphaning
            // them, and say what the API answered (status, code, message), not just "resource init failed".
            const outs = await outputsFor(host, inputs, claim, tenantId).catch(() => ({
                tenantHost: host,
                tenantId,
                groups: [],
                ...markOf(inputs, claim),
            }));
            throw initFailed(`GroupSet: creating the groups on ${host} failed`, id, outs, e);
        }
        return { id, outs: await convergedOutputs(host, inputs, claim, tenantId) };
    },

    async read(id, props) {
        const live = await outputsFor(props.tenantHost, props, claimOf(props));
        const outs = { ...live, unmanagedGroupsAcknowledged: props.unmanagedGroupsAcknowledged ?? [] };
        return { id, props: outs, inputs: inputsFrom(outs) };
    },

    async update(_id, olds, news) {
        const tenantId = await assertSameTenant("GroupSet", olds, news);
        const host = news.tenantHost;
        const claim = claimOf(olds);
        // Groups another stack took over since our last up are not changed back.
        const live = await assertOwnsGroups(host, news.groups ?? [], news, claim);
        if (news.autoCreateGroups !== undefined && news.autoCreateGroups !== olds.autoCreateGroups)
            await setAutoCreate(host, news.autoCreateGroups);
        await converge(
            host,
            news.groups ?? [],
            Object.keys(olds.groupIds ?? {}),
            news.pruneUnmanaged === true,
            markOf(news, claim),
            live,
        );
        return { outs: await convergedOutputs(host, news, claim, tenantId) };
    },

    async delete(_id, props) {
        const host = props.tenantHost;
        for (const [name, gid] of Object.entries(props.groupIds ?? {})) {
            try {
                // Replacement safety: a group a successor (or another stack) re-marked is theirs now.
                const g = await api(host).get<GroupJson>(`/api/v1/groups/${encodeURIComponent(gid)}`, {
                    purpose: `read group ${name} before deleting it`,
                });
                if (!mayDelete(parseMarker(g.description).marker, props.claim)) continue;
                await api(host).delete(`/api/v1/groups/${encodeURIComponent(gid)}`, {
                    purpose: `delete group ${name}`,
                });
            } catch (e) {
                if (isQlikApiError(e) && (e.status === 404 || (e.status === 401 && e.code === "TENANT_DISABLED")))
                    continue;
                throw e;
            }
        }
    },
});
