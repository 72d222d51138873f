// QlikTenant: one Qlik Cloud tenant per customer (docs/reference/qlik-cloud-api.md §1 and §12.1/§12.5).
//
// Natural key: the alias hostname <alias>.<region>.<domain>. Create first asks that host who it is
// (GET /api/v1/tenants/me), so a create that died after POST /tenants + alias PATCH is adopted on
// the next up instead of minting a second tenant under the license quota.
// Deactivation is the only way to "delete" a tenant and it starts a purge countdown, so delete is
// guarded by an explicit opt-in.
import { Failures, Props, isUnknown, stableJson, checkWith, typedHandlers, withoutProviderKey } from "./handlers";
import { getProviderConfig, ProviderConfig } from "../config";
import { clearPending, pendingFor, recordPending } from "./tenantJournal";
import { initFailed } from "./support";
import { checkedInputs, schemaFailures, stateParser } from "../schema/core";
import { TENANT_FLAGS, qlikTenantSchema } from "../schema/qlikTenant";
import {
    TenantJson,
    client,
    getTenant,
    hostsFor,
    isDisabled,
    isGone,
    licenseKeyFor,
    markTenant,
    reactivate,
    tenantMarker,
    tenantOwningAlias,
} from "./qlikTenantApi";
import { reactivateIfOptedIn, reactivationPreview, recordDeactivated } from "./reactivation";
import { assertMayAdopt, claimOf, mayDelete, newClaim, ownerChanged } from "./ownership";
import { TenantInputs, TenantState, systemHostOf, tenantState } from "./qlikTenantState";

export class TenantDeactivationRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TenantDeactivationRefused";
    }
}

/** The schema's rules (provider/schema/qlikTenant.ts), then the one that needs the provider config. */
function validate(inputs: Props): Failures {
    const f = schemaFailures(qlikTenantSchema, inputs);
    const known = (k: string) => inputs[k] !== undefined && inputs[k] !== null && !isUnknown(inputs[k]);
    // hostname is derived by the SDK from alias, region and qlik:domain: a hand-set one must agree.
    if (known("hostname") && typeof inputs.alias === "string" && !isUnknown(inputs.region)) {
        const cfg = safeConfig();
        const region = typeof inputs.region === "string" ? inputs.region : cfg?.region;
        const expected = region && cfg ? `${inputs.alias}.${region}.${cfg.domain}` : undefined;
        if (typeof inputs.hostname !== "string" || (expected !== undefined && inputs.hostname !== expected)) {
            f.add(
                "hostname",
                `is derived from alias, region and qlik:domain${expected ? ` (expected ${expected})` : ""}; leave it to the SDK or set it to that value`,
            );
        }
    }
    return f;
}

/** Provider settings when they are complete enough to derive hostnames; check() must not fail on missing credentials. */
function safeConfig(): ProviderConfig | undefined {
    try {
        return getProviderConfig({ requireCredentials: false });
    } catch {
        return undefined;
    }
}

function aliasOf(t: TenantJson, suffix: string): string | undefined {
    const a = t.hostnames[1];
    return a && a.endsWith(suffix) ? a.slice(0, -suffix.length) : a;
}

/** Outputs: the live tenant plus the input-only settings (kept so delete/diff see them). */
function outputs(
    t: TenantJson,
    suffix: string,
    region: string,
    inputs: TenantInputs | TenantState,
    own: { owner: string; claim: string },
): TenantState {
    const out: TenantState = {
        owner: own.owner,
        claim: own.claim,
        tenantId: t.id,
        alias: aliasOf(t, suffix),
        displayName: t.name,
        hostname: t.hostnames[1] ?? t.hostnames[0],
        systemHostname: t.hostnames[0],
        hostnames: t.hostnames,
        status: t.status,
        region: t.region ?? region,
        datacenter: t.datacenter,
        created: t.created,
        purgeAfterDays: inputs.purgeAfterDays,
        allowDeactivation: inputs.allowDeactivation,
        // Only a datacenter the user asked for is handed back as an input by read(). "" = not asked
        // (kept as a value so that read(), which gets these outputs back, can tell).
        requestedDatacenter: "requestedDatacenter" in inputs ? inputs.requestedDatacenter : (inputs.datacenter ?? ""),
    };
    // Only the flags the user manages: the others are Qlik's business and must not show as drift.
    for (const flag of TENANT_FLAGS) if (inputs[flag] !== undefined) out[flag] = t[flag];
    if (inputs.takeOverFrom !== undefined) out.takeOverFrom = inputs.takeOverFrom;
    return out;
}

const ownOf = (props: { owner?: unknown }) => (typeof props.owner === "string" ? props.owner : "");
const own = (inputs: { owner?: unknown }, claim: string) => ({
    owner: typeof inputs.owner === "string" ? inputs.owner : "",
    claim,
});

/** The inputs that reproduce a live state: what read() hands back so refresh diffs are real drift. */
function inputsFrom(outs: TenantState, region?: string): Props {
    // hostname is an input too: the SDK derives it from alias/region so that it is known during
    // preview (dynamic providers cannot predict outputs) and dependents never preview a false replace.
    const inputs: Props = {
        alias: outs.alias,
        displayName: outs.displayName,
        hostname: outs.hostname,
        owner: outs.owner,
    };
    if (outs.takeOverFrom !== undefined) inputs.takeOverFrom = outs.takeOverFrom;
    if (region !== undefined) inputs.region = region;
    if (outs.requestedDatacenter) inputs.datacenter = outs.datacenter;
    for (const k of ["purgeAfterDays", "allowDeactivation", ...TENANT_FLAGS] as const) {
        if (outs[k] !== undefined) inputs[k] = outs[k];
    }
    return inputs;
}

function patchOps(
    olds: TenantState | undefined,
    news: TenantInputs,
    suffix: string,
): { op: "replace"; path: string; value: string | boolean }[] {
    const ops: { op: "replace"; path: string; value: string | boolean }[] = [];
    if (!olds || olds.displayName !== news.displayName)
        ops.push({ op: "replace", path: "/name", value: news.displayName });
    if (!olds || olds.alias !== news.alias)
        ops.push({ op: "replace", path: "/hostnames/1", value: `${news.alias}${suffix}` });
    for (const flag of TENANT_FLAGS) {
        const value = news[flag];
        if (typeof value === "boolean" && (!olds || olds[flag] !== value))
            ops.push({ op: "replace", path: `/${flag}`, value });
    }
    return ops;
}

function effectiveRegion(inputs: { region?: unknown }, fallback?: string): string | undefined {
    if (typeof inputs.region === "string" && !isUnknown(inputs.region)) return inputs.region;
    try {
        return getProviderConfig({ requireCredentials: false }).region;
    } catch {
        return fallback;
    }
}

const parse = { inputs: checkedInputs(qlikTenantSchema), state: stateParser("QlikTenant", tenantState) };

export const handlers = typedHandlers<TenantInputs, TenantState>(parse, {
    async check(olds, news) {
        const checked = await checkWith(validate)(olds, news);
        // A create that will reactivate a deactivated tenant says so in the preview (issue 9.7): the id
        // comes from the opt-in itself or this machine's deactivation record, never from an API call.
        const creating = Object.keys(withoutProviderKey(olds)).length === 0;
        const id = checked.inputs && creating ? reactivationPreview(checked.inputs) : undefined;
        return id ? { inputs: { ...checked.inputs, reactivatesTenant: id } } : checked;
    },

    async diff(_id, olds, news) {
        const old = new Map<string, unknown>(Object.entries(olds));
        const changed = (k: string) =>
            isUnknown(news[k]) || stableJson(old.get(k) ?? null) !== stableJson(news[k] ?? null);
        const setAndChanged = (k: string) => news[k] !== undefined && changed(k);
        const replaces: string[] = [];
        if (isUnknown(news.region) || effectiveRegion(news, olds.region) !== olds.region) replaces.push("region");
        if (setAndChanged("datacenter")) replaces.push("datacenter");
        const updates = ["alias", "displayName", "purgeAfterDays", "allowDeactivation"].filter(changed);
        if (ownerChanged(olds, news)) updates.push("owner");
        updates.push(...TENANT_FLAGS.filter(setAndChanged));
        // A tenant found deactivated by refresh is reactivated by the next up.
        if (olds.status && olds.status !== "active") updates.push("status");
        return {
            changes: replaces.length + updates.length > 0,
            replaces,
            // The alias is unique: the replacement can only take it once the old tenant let it go.
            deleteBeforeReplace: replaces.length > 0,
        };
    },

    async create(inputs) {
        const cfg = getProviderConfig();
        // The fallback is never used: the complete config just read has the region.
        const region = effectiveRegion(inputs, cfg.region) ?? cfg.region;
        const { suffix, register } = hostsFor(cfg, region);
        const aliasHost = `${inputs.alias}${suffix}`;

        // Re-declared offboarded customer: reactivated first behind its opt-in, then adopted below.
        await reactivateIfOptedIn(aliasHost, register, inputs);
        const existing = await tenantOwningAlias(aliasHost);
        if (existing) {
            if (
                typeof inputs.datacenter === "string" &&
                existing.datacenter &&
                existing.datacenter !== inputs.datacenter
            ) {
                throw new Error(
                    `QlikTenant: ${aliasHost} already belongs to tenant ${existing.id} in datacenter ${existing.datacenter}, not ${inputs.datacenter}; ` +
                        "remove datacenter from the inputs to adopt it, or choose another alias",
                );
            }
            const host = existing.hostnames[0];
            // Another stack's tenant is not adopted: fail before any change (issue 9, docs/ownership.md).
            const tm = await tenantMarker(host);
            assertMayAdopt("QlikTenant", `tenant ${aliasHost} (id ${existing.id})`, tm.marker, inputs);
            const claim = newClaim();
            const ops = patchOps(outputs(existing, suffix, region, inputs, own(inputs, claim)), inputs, suffix);
            if (ops.length)
                await client()
                    .forHost(host)
                    .patch(`/api/v1/tenants/${existing.id}`, ops, {
                        purpose: `configure adopted tenant ${existing.id}`,
                    });
            await markTenant(host, own(inputs, claim), tm);
            const t = await getTenant(host, existing.id, `read adopted tenant ${existing.id}`);
            return { id: t.id, outs: outputs(t, suffix, region, inputs, own(inputs, claim)) };
        }

        // A tenant this machine created for the alias in a run that died before naming it.
        for (const p of pendingFor(aliasHost)) {
            let t: TenantJson | undefined;
            try {
                t = await getTenant(
                    p.systemHostname,
                    p.tenantId,
                    `look up tenant ${p.tenantId} created for ${aliasHost} by an interrupted run`,
                );
            } catch (e) {
                if (!isGone(e) && !isDisabled(e)) throw e;
            }
            if (!t || t.status !== "active" || t.hostnames.length > 1) {
                clearPending(p.tenantId); // gone, deactivated or named since: not ours to adopt
                continue;
            }
            await client()
                .forHost(p.systemHostname)
                .patch(`/api/v1/tenants/${t.id}`, patchOps(undefined, inputs, suffix), {
                    purpose: `name tenant ${t.id}, created for ${aliasHost} by an interrupted run`,
                });
            clearPending(t.id);
            const claim = newClaim();
            await markTenant(p.systemHostname, own(inputs, claim));
            const named = await getTenant(p.systemHostname, t.id, `read adopted tenant ${t.id}`);
            return { id: named.id, outs: outputs(named, suffix, region, inputs, own(inputs, claim)) };
        }

        const licenseKey = await licenseKeyFor(inputs);
        const body: Record<string, string> = { licenseKey };
        if (typeof inputs.datacenter === "string") body.datacenter = inputs.datacenter;
        const created = await client()
            .forHost(register)
            .send<TenantJson>({
                method: "POST",
                path: "/api/v1/tenants",
                body,
                expect: [201],
                purpose: `create tenant ${inputs.alias}`,
            });
        const t0 = created.body;
        const host = t0.hostnames[0];
        recordPending({ aliasHost, tenantId: t0.id, systemHostname: host, createdAt: new Date().toISOString() });
        const claim = newClaim();
        try {
            await client()
                .forHost(host)
                .patch(`/api/v1/tenants/${t0.id}`, patchOps(undefined, inputs, suffix), {
                    purpose: `set name and alias of new tenant ${t0.id}`,
                });
            clearPending(t0.id);
            await markTenant(host, own(inputs, claim));
            const t = await getTenant(host, t0.id, `read new tenant ${t0.id}`);
            return { id: t.id, outs: outputs(t, suffix, region, inputs, own(inputs, claim)) };
        } catch (e) {
            // The tenant exists: hand its id back so Pulumi keeps it (ErrorResourceInitFailed) and the next up repairs it.
            throw initFailed(
                `QlikTenant: tenant ${t0.id} (${host}) was created but configuring it failed`,
                t0.id,
                { ...outputs(t0, suffix, region, inputs, own(inputs, claim)), hostname: host },
                e,
            );
        }
    },

    async read(id, props) {
        const cfg = getProviderConfig();
        const region = props.region ?? cfg.region;
        const { suffix, register } = hostsFor(cfg, region);
        let t: TenantJson | undefined;
        try {
            t = await getTenant(systemHostOf(props), id, `read tenant ${id}`);
        } catch (e) {
            if (!isDisabled(e) && !isGone(e)) throw e;
            // Deactivated (its host answers TENANT_DISABLED) or purged: the register host still knows it.
            try {
                t = await getTenant(register, id, `read tenant ${id} on the register host`);
            } catch (e2) {
                if (isGone(e2)) return { id: "" };
                if (!isDisabled(e)) throw e2;
                t = {
                    ...props,
                    id,
                    name: props.displayName ?? "",
                    hostnames: props.hostnames ?? [],
                    status: "disabled",
                };
            }
        }
        if (t.status === "deleted") return { id: "" };
        // The owner found in Qlik is what read() reports: a take-over by another stack, or a marker
        // removed by hand, shows as a diff of `owner` (issue 9). A deactivated tenant answers nothing.
        const liveOwner =
            t.status === "active" ? ((await tenantMarker(t.hostnames[0])).marker?.owner ?? "") : ownOf(props);
        const outs = outputs(t, suffix, region, props, { owner: liveOwner, claim: claimOf(props) });
        // Keep the region out of the inputs unless it differs from config, so "unset region" stays unset.
        const inputs = inputsFrom(outs, region === cfg.region ? undefined : region);
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        const cfg = getProviderConfig();
        const region = olds.region ?? cfg.region;
        const { suffix, register } = hostsFor(cfg, region);
        const host = systemHostOf(olds);
        if (olds.status && olds.status !== "active") await reactivate(register, { id, systemHostname: host });
        // A tenant another stack took over since our last up is not changed back (docs/ownership.md).
        const claim = claimOf(olds);
        const tm = await tenantMarker(host);
        assertMayAdopt("QlikTenant", `tenant ${olds.hostname ?? host} (id ${id})`, tm.marker, news, claim);
        const ops = patchOps(olds, news, suffix);
        if (ops.length)
            await client()
                .forHost(host)
                .patch(`/api/v1/tenants/${id}`, ops, { purpose: `update tenant ${id}` });
        await markTenant(host, own(news, claim), tm);
        clearPending(id); // a create that failed after POST left it journaled; it is named now
        const t = await getTenant(host, id, `read tenant ${id}`);
        return { outs: outputs(t, suffix, region, news, own(news, claim)) };
    },

    async delete(id, props) {
        const cfg = getProviderConfig();
        const allowed = props.allowDeactivation === true || cfg.allowTenantDeactivation;
        const host = systemHostOf(props);
        if (!allowed) {
            throw new TenantDeactivationRefused(
                `QlikTenant ${props.hostname ?? host} (id ${id}) was NOT deactivated: deactivating a tenant schedules the purge of all its content. ` +
                    "To allow it, run `pulumi config set qlik:allowTenantDeactivation true` or set `allowDeactivation: true` on the resource, then `pulumi up` " +
                    "(destroy uses the settings recorded by the last up), then destroy again; " +
                    "or keep the tenant and drop it from Pulumi with `pulumi state delete <urn>`.",
            );
        }
        const { register } = hostsFor(cfg, props.region ?? cfg.region);
        // Replacement safety: a tenant that another resource (another stack after a take-over) has
        // marked since is theirs now; deactivating it would lock their users out.
        try {
            const tm = await tenantMarker(host);
            if (!mayDelete(tm.marker, props.claim)) return;
        } catch (e) {
            if (!isGone(e) && !isDisabled(e)) throw e;
        }
        const purgeAfterDays = typeof props.purgeAfterDays === "number" ? props.purgeAfterDays : cfg.purgeAfterDays;
        try {
            await client()
                .forHost(register)
                .send({
                    method: "POST",
                    path: `/api/v1/tenants/${encodeURIComponent(id)}/actions/deactivate`,
                    body: { purgeAfterDays },
                    headers: { "qlik-confirm-hostname": host },
                    idempotent: true,
                    purpose: `deactivate tenant ${id}`,
                });
            recordDeactivated({ aliasHost: props.hostname ?? host, tenantId: id, systemHostname: host });
        } catch (e) {
            if (isGone(e)) return;
            throw e;
        }
    },
});
