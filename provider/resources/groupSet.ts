// GroupSet: the groups of a tenant and their roles, managed as one set (qlik-cloud-api.md §4).
// Groups are found by name (names are unique and case-sensitive), so a crashed create or a group
// made by a JWT login is adopted rather than duplicated. Groups the set does not declare are
// reported in `unmanagedGroups` and deleted only with pruneUnmanaged.
import { Failures, Props, ResourceHandlers, isUnknown, stableJson, checkWith } from "./handlers";
import { isQlikApiError } from "../qlik";
import { api, checkHost } from "./support";

/** Qlik Cloud default roles (names are case-sensitive; qlik-cloud-api.md §4, DEV:configure-a-tenant, spec examples). */
export const DEFAULT_ROLES = [
    "TenantAdmin", "AnalyticsAdmin", "DataAdmin", "AuditAdmin", "Developer", "SharedSpaceCreator", "ManagedSpaceCreator",
    "DataSpaceCreator", "PrivateAnalyticsContentCreator", "DataServicesContributor", "AutomationCreator", "EmbedContentCreator", "Steward",
] as const;

interface GroupSpec { name: string; roles: string[]; description?: string }
interface GroupJson { id: string; name: string; assignedRoles?: { name: string }[]; description?: string }


function validate(inputs: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", inputs.tenantHost);
    for (const k of ["autoCreateGroups", "pruneUnmanaged"]) {
        if (inputs[k] !== undefined && !isUnknown(inputs[k]) && typeof inputs[k] !== "boolean") f.add(k, "must be true or false");
    }
    const groups = inputs.groups;
    if (isUnknown(groups)) return f;
    if (!Array.isArray(groups)) {
        f.add("groups", 'must be a list of {name, roles, description?}, e.g. [{ name: "analysts", roles: ["SharedSpaceCreator"] }]');
        return f;
    }
    const seen = new Set<string>();
    groups.forEach((g: unknown, i: number) => {
        const at = `groups[${i}]`;
        if (isUnknown(g)) return;
        if (!g || typeof g !== "object" || Array.isArray(g)) {
            f.add(at, "must be an object {name, roles, description?}");
            return;
        }
        const { name, roles, description } = g as Record<string, unknown>;
        if (!isUnknown(name)) {
            if (typeof name !== "string" || name.length === 0 || name.length > 256) f.add(`${at}.name`, "must be a non-empty string of at most 256 characters");
            else if (seen.has(name)) f.add(`${at}.name`, `duplicate group name ${JSON.stringify(name)}: each group may appear once (names are case-sensitive)`);
            else seen.add(name);
        }
        if (!isUnknown(roles)) {
            if (!Array.isArray(roles)) f.add(`${at}.roles`, 'must be a list of role names, e.g. ["SharedSpaceCreator"] (or [] for none)');
            else {
                if (roles.length > 100) f.add(`${at}.roles`, "allows at most 100 roles");
                for (const r of roles) {
                    if (!isUnknown(r) && !DEFAULT_ROLES.includes(r as (typeof DEFAULT_ROLES)[number])) {
                        f.add(`${at}.roles`, `unknown role ${JSON.stringify(r)}; roles are case-sensitive, use one of: ${DEFAULT_ROLES.join(", ")}`);
                    }
                }
            }
        }
        if (description !== undefined && !isUnknown(description) && (typeof description !== "string" || description.length > 256)) {
            f.add(`${at}.description`, "must be a string of at most 256 characters");
        }
    });
    return f;
}

async function listGroups(host: string): Promise<GroupJson[]> {
    return api(host).paginateAll<GroupJson>("/api/v1/groups", { purpose: `list groups of ${host}`, query: { limit: 100 } });
}

const roleNames = (g: GroupJson) => (g.assignedRoles ?? []).map((r) => r.name);
const sameSet = (a: string[], b: string[]) => stableJson([...a].sort()) === stableJson([...b].sort());

async function setAutoCreate(host: string, value: unknown): Promise<void> {
    if (typeof value !== "boolean") return;
    await api(host).patch("/api/v1/groups/settings", [{ op: "replace", path: "/autoCreateGroups", value }], { purpose: `set autoCreateGroups on ${host}` });
}

/** Creates, adopts, fixes and deletes groups so the tenant matches `want`; returns name -> id. */
async function converge(host: string, want: GroupSpec[], previouslyManaged: string[], prune: boolean): Promise<void> {
    const live = await listGroups(host);
    const byName = new Map(live.map((g) => [g.name, g]));
    const declared = new Set(want.map((g) => g.name));
    for (const spec of want) {
        const g = byName.get(spec.name);
        const roles = spec.roles.map((name) => ({ name }));
        if (!g) {
            const body: Record<string, unknown> = { name: spec.name, status: "active", assignedRoles: roles };
            if (spec.description !== undefined) body.description = spec.description;
            await api(host).post("/api/v1/groups", body, { purpose: `create group ${spec.name}` });
            continue;
        }
        const ops: { op: "replace"; path: string; value: unknown }[] = [];
        if (!sameSet(roleNames(g), spec.roles)) ops.push({ op: "replace", path: "assignedRoles", value: roles });
        if (spec.description !== undefined && (g.description ?? "") !== spec.description) ops.push({ op: "replace", path: "description", value: spec.description });
        if (ops.length) await api(host).patch(`/api/v1/groups/${g.id}`, ops, { purpose: `update group ${spec.name}` });
    }
    const doomed = live.filter((g) => !declared.has(g.name) && (prune || previouslyManaged.includes(g.name)));
    for (const g of doomed) {
        try {
            await api(host).delete(`/api/v1/groups/${g.id}`, { purpose: `delete group ${g.name}` });
        } catch (e) {
            if (!(isQlikApiError(e) && e.status === 404)) throw e;
        }
    }
}

/** The live state of the declared groups (in declared order, declared role order when the set matches). */
async function outputsFor(host: string, inputs: Props): Promise<Props> {
    const want = (inputs.groups ?? []) as GroupSpec[];
    const [live, settings] = await Promise.all([
        listGroups(host),
        api(host).get<{ autoCreateGroups?: boolean }>("/api/v1/groups/settings", { purpose: `read group settings of ${host}` }),
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
        if (spec.description !== undefined) out.description = g.description ?? "";
        groups.push(out);
    }
    return {
        tenantHost: host,
        groups,
        groupIds,
        autoCreateGroups: settings.autoCreateGroups ?? false,
        pruneUnmanaged: inputs.pruneUnmanaged,
        unmanagedGroups: live.map((g) => g.name).filter((n) => !declared.has(n)).sort(),
    };
}

/**
 * Groups in the tenant that the set does not declare are drift of a special kind: nothing to repair
 * unless pruneUnmanaged is on. Pulumi's refresh asks diff() whether the refreshed state differs
 * from the inputs, so the set of strays seen at the last create/update is kept as
 * `unmanagedGroupsAcknowledged`: a refresh that finds a stray not in it reports it (the drift
 * alarm; read also hands the list back as an input so the CLI names it), and the next `up`
 * acknowledges it (or deletes it when pruning). No perpetual diff either way.
 */
function newStrays(outs: Props): boolean {
    const live = (outs.unmanagedGroups ?? []) as string[];
    const known = new Set((outs.unmanagedGroupsAcknowledged ?? live) as string[]);
    return live.some((n) => !known.has(n));
}

function inputsFrom(outs: Props): Props {
    const inputs: Props = { tenantHost: outs.tenantHost, groups: outs.groups, autoCreateGroups: outs.autoCreateGroups, pruneUnmanaged: outs.pruneUnmanaged };
    if (newStrays(outs)) inputs.unmanagedGroups = outs.unmanagedGroups;
    return inputs;
}

/** Outputs of create/update: what they saw is acknowledged. */
async function convergedOutputs(host: string, inputs: Props): Promise<Props> {
    const outs = await outputsFor(host, inputs);
    return { ...outs, unmanagedGroupsAcknowledged: outs.unmanagedGroups };
}

export const handlers: ResourceHandlers = {
    check: checkWith(validate),

    async diff(_id, olds, news) {
        const replaces = isUnknown(news.tenantHost) || news.tenantHost !== olds.tenantHost ? ["tenantHost"] : [];
        const groups = isUnknown(news.groups) || stableJson(news.groups ?? []) !== stableJson(olds.groups ?? []);
        const auto = news.autoCreateGroups !== undefined && (isUnknown(news.autoCreateGroups) || news.autoCreateGroups !== olds.autoCreateGroups);
        const prune = (news.pruneUnmanaged ?? false) !== (olds.pruneUnmanaged ?? false);
        // With pruning on, groups added by hand are drift that the next up removes.
        const strays = (news.pruneUnmanaged === true && (olds.unmanagedGroups ?? []).length > 0) || newStrays(olds);
        return { changes: replaces.length > 0 || groups || auto || prune || strays, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const host = inputs.tenantHost as string;
        const id = `${host}/groups`;
        try {
            await setAutoCreate(host, inputs.autoCreateGroups);
            await converge(host, inputs.groups ?? [], [], inputs.pruneUnmanaged === true);
        } catch (e) {
            // Some groups may exist already: keep the resource so the next up converges instead of orphaning them.
            const err = e as Error & { id?: string; properties?: Props };
            err.id = id;
            err.properties = JSON.parse(JSON.stringify(await outputsFor(host, inputs).catch(() => ({ tenantHost: host, groups: [] }))));
            throw err;
        }
        return { id, outs: await convergedOutputs(host, inputs) };
    },

    async read(id, props) {
        const live = await outputsFor(props.tenantHost, props);
        const outs = { ...live, unmanagedGroupsAcknowledged: props.unmanagedGroupsAcknowledged ?? [] };
        return { id, props: outs, inputs: inputsFrom(outs) };
    },

    async update(_id, olds, news) {
        const host = news.tenantHost as string;
        if (news.autoCreateGroups !== undefined && news.autoCreateGroups !== olds.autoCreateGroups) await setAutoCreate(host, news.autoCreateGroups);
        await converge(host, news.groups ?? [], Object.keys(olds.groupIds ?? {}), news.pruneUnmanaged === true);
        return { outs: await convergedOutputs(host, news) };
    },

    async delete(_id, props) {
        const host = props.tenantHost as string;
        for (const [name, gid] of Object.entries((props.groupIds ?? {}) as Record<string, string>)) {
            try {
                await api(host).delete(`/api/v1/groups/${encodeURIComponent(gid)}`, { purpose: `delete group ${name}` });
            } catch (e) {
                if (isQlikApiError(e) && (e.status === 404 || (e.status === 401 && e.code === "TENANT_DISABLED"))) continue;
                throw e;
            }
        }
    },
};
