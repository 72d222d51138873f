// Re-onboarding an offboarded customer without hand-made REST calls (issue 9, docs/recovery.md#reactivation).
//
// Offboarding deactivates the tenant: its alias host then answers 401 TENANT_DISABLED until Qlik purges it
// (docs/reference/qlik-cloud-api.md §1, deactivate/reactivate on the register host with the qlik-confirm-hostname
// header). Re-declaring the customer used to fail ("belongs to a DEACTIVATED tenant") and needed four REST
// calls by hand. With an explicit opt-in (`reactivate: true` on the QlikTenant / CustomerTenant, or the
// stack setting qlik:reactivateTenants) create reactivates that tenant first and then adopts it like any
// tenant that owns the alias, so its content (apps, users' sheets) comes back as it was.
//
// Qlik has no "find tenant by hostname" on the register host and a disabled tenant's hosts answer nothing,
// so the id must be known: the delete that deactivated it records (alias host -> id, system hostname) in a
// small local file next to the create journal (tenantJournal.ts); `reactivate` may also be the tenant id.
import * as fs from "fs";
import * as path from "path";
import { journalFile } from "./tenantJournal";
import { getProviderConfig } from "../config";
import { QlikClient, isQlikApiError } from "../qlik";

export interface DeactivatedTenant {
    aliasHost: string;
    tenantId: string;
    systemHostname: string;
    deactivatedAt: string;
}

function recordFile(): string {
    return path.join(path.dirname(journalFile()), "deactivated-tenants.json");
}

function readAll(file = recordFile()): DeactivatedTenant[] {
    try {
        const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
        return Array.isArray(parsed) ? (parsed as DeactivatedTenant[]) : [];
    } catch {
        return [];
    }
}

function writeAll(entries: DeactivatedTenant[], file = recordFile()): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entries, null, 2));
    fs.renameSync(tmp, file);
}

/** Called by QlikTenant's delete once Qlik accepted the deactivation. Never fails the delete. */
export function recordDeactivated(entry: Omit<DeactivatedTenant, "deactivatedAt">): void {
    try {
        writeAll([
            ...readAll().filter((e) => e.aliasHost !== entry.aliasHost),
            { ...entry, deactivatedAt: new Date().toISOString() },
        ]);
    } catch {
        // a read-only home only costs the convenience: reactivate then needs the tenant id
    }
}

function forget(aliasHost: string): void {
    const all = readAll();
    const rest = all.filter((e) => e.aliasHost !== aliasHost);
    if (rest.length !== all.length) writeAll(rest);
}

/** check(): `reactivate` is true/false or a tenant id. No API call. */
function reactivationOptIn(inputs: { reactivate?: unknown }): boolean {
    if (inputs.reactivate === true || (typeof inputs.reactivate === "string" && inputs.reactivate !== "")) return true;
    if (inputs.reactivate === false) return false;
    try {
        return getProviderConfig({ requireCredentials: false }).reactivateTenants === true;
    } catch {
        return false;
    }
}

/**
 * The tenant a create would reactivate, as far as check() can know without an API call: the id the
 * opt-in names, or the one this machine recorded when it deactivated the tenant on this alias host.
 */
export function reactivationPreview(inputs: { reactivate?: unknown; hostname?: unknown }): string | undefined {
    if (!reactivationOptIn(inputs)) return undefined;
    if (typeof inputs.reactivate === "string" && inputs.reactivate !== "") return inputs.reactivate;
    const host = typeof inputs.hostname === "string" ? inputs.hostname : undefined;
    return host ? readAll().find((x) => x.aliasHost === host)?.tenantId : undefined;
}

function isDisabled(e: unknown): boolean {
    return (
        isQlikApiError(e) &&
        e.status === 401 &&
        (e.code === "TENANT_DISABLED" || e.errors.some((i) => i.code === "TENANT_DISABLED"))
    );
}

/**
 * Before create looks the alias up: when the alias belongs to a DEACTIVATED tenant and the opt-in is
 * given, reactivate it and wait until its host answers, so the lookup that follows adopts it.
 * Returns the reactivated tenant id, or undefined when there was nothing to do.
 */
export async function reactivateIfOptedIn(
    aliasHost: string,
    registerHost: string,
    inputs: { reactivate?: unknown },
): Promise<string | undefined> {
    if (!reactivationOptIn(inputs)) return undefined;
    const alias = new QlikClient().forHost(aliasHost);
    try {
        await alias.get("/api/v1/tenants/me", { purpose: `look up the tenant that owns ${aliasHost}` });
        return undefined; // active: the normal adoption applies
    } catch (e) {
        if (!isDisabled(e)) return undefined; // gone (404) or another failure: create's own lookup reports it
    }
    const known = readAll().find((x) => x.aliasHost === aliasHost);
    const id = typeof inputs.reactivate === "string" ? inputs.reactivate : known?.tenantId;
    if (!id) {
        throw new Error(
            `QlikTenant: ${aliasHost} belongs to a DEACTIVATED tenant whose id this machine did not record (it was deactivated elsewhere). ` +
                "Set `reactivate` to that tenant's id (shown by the offboarding run, or in My Qlik) to reactivate and adopt it.",
        );
    }
    const register = new QlikClient().forHost(registerHost);
    const t = await register.get<{ id: string; hostnames: string[]; status: string }>(
        `/api/v1/tenants/${encodeURIComponent(id)}`,
        {
            purpose: `read deactivated tenant ${id} on the register host`,
        },
    );
    if (!t.hostnames.includes(aliasHost)) {
        throw new Error(
            `QlikTenant: tenant ${id} does not own ${aliasHost} (its hostnames are ${t.hostnames.join(", ")}); set reactivate to the id of the tenant that does`,
        );
    }
    if (t.status !== "active") {
        await register.send({
            method: "POST",
            path: `/api/v1/tenants/${encodeURIComponent(id)}/actions/reactivate`,
            body: {},
            headers: { "qlik-confirm-hostname": t.hostnames[0] },
            idempotent: true,
            purpose: `reactivate tenant ${id} for ${aliasHost} (reactivate opt-in)`,
        });
    }
    // Reactivation is asynchronous in Qlik Cloud: wait until the alias host answers again.
    const deadline = Date.now() + 120_000;
    for (;;) {
        try {
            await alias.get("/api/v1/tenants/me", { purpose: `wait for reactivated tenant ${id}` });
            break;
        } catch (e) {
            if (!isDisabled(e) || Date.now() > deadline) throw e;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    forget(aliasHost);
    return id;
}
