// The REST calls a QlikTenant makes (docs/reference/qlik-cloud-api.md §1, §12.1/§12.5): the tenant by id and by alias
// host (the crash-safe adoption lookup), the license key, reactivation, and the tenant-level ownership marker.
import { getProviderConfig, ProviderConfig } from "../config";
import { QlikClient, isQlikApiError } from "../qlik";
import { Marker, TenantMarker, readTenantMarker, writeTenantMarker } from "./ownership";

export interface TenantJson {
    id: string;
    name: string;
    hostnames: string[];
    status: string;
    datacenter?: string;
    region?: string;
    created?: string;
    [flag: string]: unknown;
}

export function client(): QlikClient {
    return new QlikClient();
}

export function hostsFor(cfg: ProviderConfig, region: string) {
    return { suffix: `.${region}.${cfg.domain}`, register: `register.${region}.${cfg.domain}` };
}

export function isGone(e: unknown): boolean {
    // 404: the emulator (and Qlik's edge) answer unknown hosts with 404; ENOTFOUND: no DNS record.
    return isQlikApiError(e) && (e.status === 404 || e.netCode === "ENOTFOUND");
}

export function isDisabled(e: unknown): boolean {
    return (
        isQlikApiError(e) &&
        e.status === 401 &&
        (e.code === "TENANT_DISABLED" || e.errors.some((i) => i.code === "TENANT_DISABLED"))
    );
}

/** The tenant-level ownership marker (docs/ownership.md): the tenant has no free-text field of its own. */
const MARKER_KEY = "tenant";

export async function tenantMarker(systemHost: string): Promise<TenantMarker> {
    return readTenantMarker(client().forHost(systemHost), MARKER_KEY);
}

export async function markTenant(systemHost: string, m: Marker, known?: TenantMarker): Promise<void> {
    await writeTenantMarker(client().forHost(systemHost), MARKER_KEY, m, known);
}

export async function getTenant(host: string, id: string, purpose: string): Promise<TenantJson> {
    return client()
        .forHost(host)
        .get<TenantJson>(`/api/v1/tenants/${encodeURIComponent(id)}`, { purpose });
}

/** The tenant that answers on the alias host, if any (the crash-safe adoption lookup). */
export async function tenantOwningAlias(aliasHost: string): Promise<TenantJson | undefined> {
    try {
        // /tenants/me answers 302 to /tenants/{id}; the client follows it on the same host.
        return await client()
            .forHost(aliasHost)
            .get<TenantJson>("/api/v1/tenants/me", { purpose: `look up the tenant that owns ${aliasHost}` });
    } catch (e) {
        if (isGone(e)) return undefined;
        if (isDisabled(e)) {
            throw new Error(
                `QlikTenant: ${aliasHost} belongs to a DEACTIVATED tenant, so the alias cannot be used for a new tenant. ` +
                    "To reactivate and adopt it, set `reactivate: true` on the resource (or `pulumi config set qlik:reactivateTenants true`) and run up again; or wait for its purge, or choose another alias.",
            );
        }
        throw e;
    }
}

export async function licenseKeyFor(inputs: { licenseKey?: unknown }): Promise<string> {
    if (typeof inputs.licenseKey === "string" && inputs.licenseKey) return inputs.licenseKey;
    const cfg = getProviderConfig({ require: ["sourceTenantHost"] });
    const overview = await client()
        // Defined: getProviderConfig() fails above unless sourceTenantHost is set.
        .forHost(cfg.sourceTenantHost as string)
        .get<{ licenseKey?: string }>("/api/v1/licenses/overview", {
            purpose: "read the signed license key of the source tenant",
        });
    if (!overview.licenseKey) {
        throw new Error(
            `QlikTenant: ${cfg.sourceTenantHost} /api/v1/licenses/overview returned no licenseKey; pass licenseKey (a secret) to the resource`,
        );
    }
    return overview.licenseKey;
}

export async function reactivate(register: string, t: { id: string; systemHostname: string }): Promise<void> {
    await client()
        .forHost(register)
        .send({
            method: "POST",
            path: `/api/v1/tenants/${encodeURIComponent(t.id)}/actions/reactivate`,
            body: {},
            headers: { "qlik-confirm-hostname": t.systemHostname },
            idempotent: true,
            purpose: `reactivate tenant ${t.id}`,
        });
}
