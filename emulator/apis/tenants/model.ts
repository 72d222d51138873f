// Tenants: creation under a signed OEM license, hostnames (system + one alias), deactivation with a
// scheduled purge. Rules: docs/reference/qlik-cloud-api.md §1 (DEV:create-a-tenant, DEV:update-tenants, DEV:delete-tenants).
import type { Emulator, Tenant } from "../../core/context";
import { domainError, type DomainErrorKind } from "../../core/errors";
import * as ids from "../../core/ids";
import { verifyLicense } from "../licenses/licenseKey";

const DAY = 86_400_000;
export const DATACENTERS = [
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "us-east-1",
];
const BOOL_PATHS = [
    "/autoAssignCreateSharedSpacesRoleToProfessionals",
    "/autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
    "/autoAssignDataServicesContributorRoleToProfessionals",
    "/enableAnalyticCreation",
    "/enableAppOpeningFeedback",
];
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const err = (kind: DomainErrorKind, code: string, title: string, detail?: string) =>
    domainError(kind, code, title, detail);

export class TenantsModel {
    private byHost?: Map<string, string>;

    constructor(private readonly emu: Emulator) {}

    private save(t: Tenant): void {
        this.emu.store.put("tenants", t.id, t, t.id);
        this.byHost = undefined;
    }

    private hostIndex(): Map<string, string> {
        if (!this.byHost) {
            this.byHost = new Map();
            for (const t of this.emu.store.list<Tenant>("tenants")) {
                if (t.status === "deleted") continue;
                for (const h of t.hostnames) this.byHost.set(h, t.id);
            }
        }
        return this.byHost;
    }

    /** Applies a due purge: a deactivated tenant past estimatedPurgeDate becomes deleted and frees its hosts. */
    private purgeIfDue(t: Tenant): Tenant {
        if (
            t.status === "disabled" &&
            t.estimatedPurgeDate &&
            Date.parse(t.estimatedPurgeDate) <= this.emu.clock.now()
        ) {
            const now = this.emu.clock.iso();
            t = { ...t, status: "deleted", lastUpdated: now, statusLastUpdatedAt: now };
            this.save(t);
        }
        return t;
    }

    get(id: string): Tenant | undefined {
        const t = this.emu.store.get<Tenant>("tenants", id);
        return t ? this.purgeIfDue(t) : undefined;
    }

    /** Live (not deleted) tenant that owns this hostname. */
    byHostname(host: string): Tenant | undefined {
        const id = this.hostIndex().get(host);
        const t = id ? this.get(id) : undefined;
        return t && t.status !== "deleted" ? t : undefined;
    }

    all(): Tenant[] {
        return this.emu.store.list<Tenant>("tenants").map((t) => this.purgeIfDue(t));
    }

    hostFor(label: string): string {
        return `${label}.${this.emu.config.region}.${this.emu.config.domain}`;
    }

    /** Creates a tenant record without license checks (seeding the source tenant). */
    insert(fields: Partial<Tenant> & { name: string; hostnames: string[] }): Tenant {
        const now = this.emu.clock.iso();
        const t: Tenant = {
            id: ids.tenantId(),
            datacenter: this.emu.config.datacenter,
            status: "active",
            created: now,
            lastUpdated: now,
            statusLastUpdatedAt: now,
            createdByUser: "",
            enableAnalyticCreation: false,
            enableAppOpeningFeedback: true,
            autoAssignCreateSharedSpacesRoleToProfessionals: true,
            autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
            autoAssignDataServicesContributorRoleToProfessionals: true,
            ...fields,
        };
        this.save(t);
        return t;
    }

    create(body: unknown, createdByUser: string): Tenant {
        if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
            throw err("invalid", "TENANTS-2", "Invalid request body", "Body must be a JSON object");
        }
        const b = (body ?? {}) as { licenseKey?: unknown; datacenter?: unknown };
        if (b.licenseKey === undefined || b.licenseKey === null || b.licenseKey === "") {
            throw err("invalid", "TENANTS-21", "Missing licenseKey property");
        }
        if (b.datacenter !== undefined && (typeof b.datacenter !== "string" || !DATACENTERS.includes(b.datacenter))) {
            throw err(
                "invalid",
                "TENANTS-2",
                "Invalid request body",
                `datacenter must be one of ${DATACENTERS.join(", ")}`,
            );
        }
        const lic = verifyLicense(this.emu.secrets.licenseSecret, b.licenseKey);
        if (!lic) throw err("forbidden", "TENANTS-23", "Invalid license error");
        // Quota: tenants created with this license that are not purged (disabled ones still hold a slot;
        // whether Qlik frees it at deactivation is UNCONFIRMED, see docs/reference/qlik-cloud-api.md §1).
        const used = this.all().filter(
            (t) => t.licenseNumber === lic.licenseNumber && !t.isSource && t.status !== "deleted",
        ).length;
        if (used >= lic.quota) throw err("forbidden", "TENANTS-22", "License quota limit reached");
        let name = ids.hostLabel();
        while (this.hostIndex().has(this.hostFor(name))) name = ids.hostLabel();
        return this.insert({
            name,
            hostnames: [this.hostFor(name)],
            licenseNumber: lic.licenseNumber,
            createdByUser,
            datacenter: typeof b.datacenter === "string" ? b.datacenter : this.emu.config.datacenter,
        });
    }

    /** JSON Patch (op "replace" only). All operations are validated before any is applied. */
    patch(id: string, ops: unknown): Tenant {
        const t = this.get(id);
        if (!t || t.status === "deleted") throw err("not-found", "TENANTS-8", "Not found");
        if (!Array.isArray(ops) || ops.length === 0)
            throw err("invalid", "TENANTS-2", "Invalid request body", "Body must be a non-empty JSON Patch array");
        const next: Tenant = { ...t, hostnames: [...t.hostnames] };
        ops.forEach((raw, i) => {
            if (!raw || typeof raw !== "object" || Array.isArray(raw))
                throw err("invalid", "TENANTS-2", "Invalid request body", `Operation ${i} must be an object`);
            const op = raw as { op?: unknown; path?: unknown; value?: unknown };
            if (op.op !== "replace")
                throw err("invalid", "TENANTS-2", "Invalid request body", `Operation ${i}: op must be "replace"`);
            if (op.path === "/name") {
                if (typeof op.value !== "string" || op.value.trim() === "" || op.value.length > 256) {
                    throw err(
                        "invalid",
                        "TENANTS-2",
                        "Invalid request body",
                        "/name must be a non-empty string of at most 256 characters",
                    );
                }
                next.name = op.value;
            } else if (op.path === "/hostnames/1") {
                next.hostnames = [next.hostnames[0], this.checkAlias(t, op.value)];
            } else if (typeof op.path === "string" && BOOL_PATHS.includes(op.path)) {
                if (typeof op.value !== "boolean")
                    throw err("invalid", "TENANTS-2", "Invalid request body", `${op.path} must be a boolean`);
                (next as unknown as Record<string, unknown>)[op.path.slice(1)] = op.value;
            } else {
                throw err(
                    "invalid",
                    "TENANTS-2",
                    "Invalid request body",
                    `Operation ${i}: path ${JSON.stringify(op.path)} is not patchable`,
                );
            }
        });
        next.lastUpdated = this.emu.clock.iso();
        this.save(next);
        return next;
    }

    private checkAlias(t: Tenant, value: unknown): string {
        const suffix = `.${this.emu.config.region}.${this.emu.config.domain}`;
        if (typeof value !== "string" || !value.endsWith(suffix)) {
            throw err(
                "invalid",
                "TENANTS-2",
                "Invalid request body",
                `/hostnames/1 must be of the form <name>${suffix}`,
            );
        }
        const host = value.toLowerCase();
        const label = host.slice(0, -suffix.length);
        if (!LABEL_RE.test(label) || label === "register") {
            throw err("invalid", "TENANTS-2", "Invalid request body", `Invalid hostname label "${label}"`);
        }
        const owner = this.hostIndex().get(host);
        if (owner && owner !== t.id)
            throw err("invalid", "TENANTS-12", "Hostname is not available", `${host} is already in use`);
        if (host === t.hostnames[0])
            throw err(
                "invalid",
                "TENANTS-12",
                "Hostname is not available",
                "The alias must differ from the system hostname",
            );
        return host;
    }

    private checkConfirm(t: Tenant, confirm: string | undefined): void {
        if (!confirm || !t.hostnames.includes(confirm.toLowerCase())) {
            throw err(
                "precondition-failed",
                "TENANTS-13",
                "Precondition failed",
                "Header qlik-confirm-hostname must match a hostname of the tenant",
            );
        }
    }

    deactivate(id: string, confirm: string | undefined, body: unknown): Tenant {
        const t = this.get(id);
        if (!t || t.status === "deleted") throw err("not-found", "TENANTS-8", "Not found");
        if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
            throw err("invalid", "TENANTS-2", "Invalid request body", "Body must be a JSON object");
        }
        const days = (body as { purgeAfterDays?: unknown } | undefined)?.purgeAfterDays ?? 30;
        if (typeof days !== "number" || !Number.isInteger(days) || days < 10 || days > 90) {
            throw err(
                "invalid",
                "TENANTS-2",
                "Invalid request body",
                "purgeAfterDays must be an integer between 10 and 90",
            );
        }
        this.checkConfirm(t, confirm);
        const now = this.emu.clock.now();
        const iso = new Date(now).toISOString();
        const next: Tenant = {
            ...t,
            status: "disabled",
            estimatedPurgeDate: new Date(now + days * DAY).toISOString(),
            lastUpdated: iso,
            statusLastUpdatedAt: t.status === "disabled" ? t.statusLastUpdatedAt : iso,
        };
        this.save(next);
        return next;
    }

    reactivate(id: string, confirm: string | undefined): Tenant {
        const t = this.get(id);
        if (!t || t.status === "deleted") throw err("not-found", "TENANTS-8", "Not found");
        this.checkConfirm(t, confirm);
        if (t.status === "active") return t;
        const iso = this.emu.clock.iso();
        const next: Tenant = { ...t, status: "active", lastUpdated: iso, statusLastUpdatedAt: iso };
        delete next.estimatedPurgeDate;
        this.save(next);
        return next;
    }

    toJson(t: Tenant, baseUrl: string): Record<string, unknown> {
        return {
            id: t.id,
            name: t.name,
            hostnames: t.hostnames,
            createdByUser: t.createdByUser,
            datacenter: t.datacenter,
            region: this.emu.config.region,
            created: t.created,
            lastUpdated: t.lastUpdated,
            status: t.status,
            statusLastUpdatedAt: t.statusLastUpdatedAt,
            autoAssignCreateSharedSpacesRoleToProfessionals: t.autoAssignCreateSharedSpacesRoleToProfessionals,
            autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals:
                t.autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals,
            autoAssignDataServicesContributorRoleToProfessionals:
                t.autoAssignDataServicesContributorRoleToProfessionals,
            enableAnalyticCreation: t.enableAnalyticCreation,
            enableAppOpeningFeedback: t.enableAppOpeningFeedback,
            links: { self: { href: `${baseUrl}/api/v1/tenants/${t.id}` } },
        };
    }
}

export const tenantsModel = (emu: Emulator): TenantsModel => emu.model("tenants", (e) => new TenantsModel(e));
