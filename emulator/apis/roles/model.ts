// Default roles, created per tenant on first use. Names are case sensitive (docs/reference/qlik-cloud-api.md §4).
import type { Emulator } from "../../core/context";
import { domainError, type ApiName } from "../../core/errors";
import * as ids from "../../core/ids";
import { lookupRef } from "../refs";

export interface Role {
    id: string;
    tenantId: string;
    name: string;
    description: string;
    type: "default" | "custom";
    level: "admin" | "user";
    assignedScopes: string[];
    permissions: string[];
    canEdit: boolean;
    canDelete: boolean;
    createdAt: string;
    lastUpdatedAt: string;
}
export interface RoleRef {
    id: string;
    name: string;
    type: "default" | "custom";
    level: "admin" | "user";
}

export const DEFAULT_ROLES: ReadonlyArray<[string, "admin" | "user", string]> = [
    ["TenantAdmin", "admin", "Manages tenant settings, users, licenses and security"],
    ["AnalyticsAdmin", "admin", "Manages analytics content, spaces and apps"],
    ["DataAdmin", "admin", "Manages data spaces and data integration"],
    ["AuditAdmin", "admin", "Reads the audit log"],
    ["Developer", "user", "Creates API keys"],
    ["SharedSpaceCreator", "user", "Creates shared spaces"],
    ["ManagedSpaceCreator", "user", "Creates managed spaces"],
    ["DataSpaceCreator", "user", "Creates data spaces"],
    ["PrivateAnalyticsContentCreator", "user", "Creates analytics content in the personal space"],
    ["DataServicesContributor", "user", "Contributes to data services"],
    ["AutomationCreator", "user", "Creates automations"],
    ["EmbedContentCreator", "user", "Embeds content"],
    ["Steward", "user", "Manages data products"],
];

export class RolesModel {
    constructor(private readonly emu: Emulator) {}

    list(tenantId: string): Role[] {
        let roles = this.emu.store.list<Role>("roles", tenantId);
        if (roles.length === 0) {
            const now = this.emu.clock.iso();
            this.emu.store.transaction(() => {
                for (const [name, level, description] of DEFAULT_ROLES) {
                    const r: Role = {
                        id: ids.hex24(),
                        tenantId,
                        name,
                        description,
                        type: "default",
                        level,
                        assignedScopes: [],
                        permissions: [],
                        canEdit: false,
                        canDelete: false,
                        createdAt: now,
                        lastUpdatedAt: now,
                    };
                    this.emu.store.put("roles", r.id, r, tenantId);
                }
            });
            roles = this.emu.store.list<Role>("roles", tenantId);
        }
        return roles;
    }

    get(tenantId: string, id: string): Role | undefined {
        return this.list(tenantId).find((r) => r.id === id);
    }

    byName(tenantId: string, name: string): Role | undefined {
        return this.list(tenantId).find((r) => r.name === name);
    }

    /** Resolves `[{id}]` / `[{name}]` role references; unknown role -> 400 in the caller's API style. */
    resolve(tenantId: string, refs: unknown, api: ApiName, field = "assignedRoles"): RoleRef[] {
        if (!Array.isArray(refs))
            throw domainError("invalid", `${codePrefix(api)}-400`, "Bad request", `${field} must be an array`);
        if (refs.length > 100)
            throw domainError("invalid", `${codePrefix(api)}-400`, "Bad request", `${field} allows at most 100 roles`);
        const out: RoleRef[] = [];
        for (const ref of refs) {
            const role = lookupRef(
                ref,
                (id) => this.get(tenantId, id),
                (name) => this.byName(tenantId, name),
            );
            if (!role) {
                throw domainError(
                    "invalid",
                    `${codePrefix(api)}-400`,
                    "Bad request",
                    `Unknown role ${JSON.stringify(ref)} in ${field}`,
                );
            }
            if (!out.some((x) => x.id === role.id)) out.push(toRef(role));
        }
        return out;
    }
}

export function toRef(r: Role): RoleRef {
    return { id: r.id, name: r.name, type: r.type, level: r.level };
}
function codePrefix(api: ApiName): string {
    return api === "users" ? "USERS" : api === "groups" ? "GROUPS" : "ROLES";
}

export const rolesModel = (emu: Emulator): RolesModel => emu.model("roles", (e) => new RolesModel(e));
