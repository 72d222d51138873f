// Groups and group settings (docs/reference/qlik-cloud-api.md §4).
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import * as ids from "../../core/ids";
import { rolesModel, type RoleRef } from "../roles/model";

export interface Group {
    id: string;
    tenantId: string;
    name: string;
    status: "active" | "disabled";
    assignedRoles: RoleRef[];
    providerType: "idp" | "custom";
    description?: string;
    createdAt: string;
    lastUpdatedAt: string;
    createdBy?: string;
}
export interface GroupSettings {
    tenantId: string;
    autoCreateGroups: boolean;
    syncIdpGroups: boolean;
    systemGroups: Record<
        string,
        {
            id: string;
            name: string;
            enabled: boolean;
            assignedRoles: RoleRef[];
            createdAt: string;
            lastUpdatedAt: string;
        }
    >;
}

export const EVERYONE_ID = "000000000000000000000001";
const MAX_GROUPS = 10_000;
const bad = (detail: string) => domainError("invalid", "GROUPS-400", "Bad request", detail);

function patchArray(ops: unknown): unknown[] {
    if (!Array.isArray(ops) || ops.length === 0) throw bad("Body must be a non-empty JSON Patch array");
    return ops;
}

/** A groups JSON Patch operation: only "replace"; `path` is taken with or without its leading slash. */
function replaceOp(raw: unknown): { op: { path?: unknown; value?: unknown }; path: string } {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw bad("Each patch operation must be an object");
    const op = raw as { op?: unknown; path?: unknown; value?: unknown };
    if (op.op !== "replace") throw bad('op must be "replace"');
    return { op, path: typeof op.path === "string" ? op.path.replace(/^\//, "") : "" };
}

export class GroupsModel {
    constructor(private readonly emu: Emulator) {}

    list(tenantId: string): Group[] {
        return this.emu.store.list<Group>("groups", tenantId);
    }
    get(tenantId: string, id: string): Group | undefined {
        const g = this.emu.store.get<Group>("groups", id);
        return g && g.tenantId === tenantId ? g : undefined;
    }
    byName(tenantId: string, name: string): Group | undefined {
        return this.list(tenantId).find((g) => g.name === name);
    }

    create(tenantId: string, body: unknown, createdBy?: string): Group {
        if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Body must be a JSON object");
        const b = body as Record<string, unknown>;
        if (typeof b.name !== "string" || b.name.length === 0 || b.name.length > 256)
            throw bad("name must be a string of 1..256 characters");
        if (b.status !== undefined && b.status !== "active") throw bad('status must be "active"');
        if (b.description !== undefined && (typeof b.description !== "string" || b.description.length > 256))
            throw bad("description must be a string");
        if (b.providerType !== undefined && b.providerType !== "idp" && b.providerType !== "custom")
            throw bad('providerType must be "idp" or "custom"');
        const roles =
            b.assignedRoles === undefined ? [] : rolesModel(this.emu).resolve(tenantId, b.assignedRoles, "groups");
        if (this.byName(tenantId, b.name))
            throw domainError("conflict", "GROUPS-409", "Conflict", `A group named "${b.name}" already exists`);
        if (this.list(tenantId).length >= MAX_GROUPS)
            throw domainError("forbidden", "GROUPS-403", "Forbidden", "Group limit reached");
        const now = this.emu.clock.iso();
        const g: Group = {
            id: ids.hex24(),
            tenantId,
            name: b.name,
            status: "active",
            assignedRoles: roles,
            providerType: (b.providerType as Group["providerType"]) ?? "idp",
            createdAt: now,
            lastUpdatedAt: now,
            createdBy,
        };
        if (typeof b.description === "string") g.description = b.description;
        this.emu.store.put("groups", g.id, g, tenantId);
        return g;
    }

    /** Paths are accepted with or without a leading slash (API spec vs tutorial, docs/reference/qlik-cloud-api.md §4). */
    patch(tenantId: string, id: string, ops: unknown): Group {
        const g = this.get(tenantId, id);
        if (!g) throw domainError("not-found", "GROUPS-7", "Not found");
        const next: Group = { ...g };
        for (const raw of patchArray(ops)) {
            const { op, path } = replaceOp(raw);
            if (path === "assignedRoles")
                next.assignedRoles = rolesModel(this.emu).resolve(tenantId, op.value, "groups");
            else if (path === "name") {
                if (typeof op.value !== "string" || op.value.length === 0 || op.value.length > 256)
                    throw bad("name must be a string of 1..256 characters");
                const other = this.byName(tenantId, op.value);
                if (other && other.id !== id)
                    throw domainError(
                        "conflict",
                        "GROUPS-409",
                        "Conflict",
                        `A group named "${op.value}" already exists`,
                    );
                next.name = op.value;
            } else if (path === "description") {
                if (typeof op.value !== "string" || op.value.length > 256) throw bad("description must be a string");
                next.description = op.value;
            } else throw bad(`path ${JSON.stringify(op.path)} is not patchable`);
        }
        next.lastUpdatedAt = this.emu.clock.iso();
        this.emu.store.put("groups", id, next, tenantId);
        return next;
    }

    delete(tenantId: string, id: string): void {
        if (!this.get(tenantId, id)) throw domainError("not-found", "GROUPS-7", "Not found");
        this.emu.store.delete("groups", id);
    }

    /** Groups by name for a JWT login; creates missing ones only when autoCreateGroups is on. */
    forLogin(tenantId: string, names: string[]): Group[] {
        const auto = this.settings(tenantId).autoCreateGroups;
        const out: Group[] = [];
        for (const name of names) {
            let g = this.byName(tenantId, name);
            if (!g && auto && name.length > 0 && name.length <= 256) g = this.create(tenantId, { name });
            if (g) out.push(g);
        }
        return out;
    }

    settings(tenantId: string): GroupSettings {
        const s = this.emu.store.get<GroupSettings>("groupSettings", tenantId);
        if (s) return s;
        const now = this.emu.clock.iso();
        const fresh: GroupSettings = {
            tenantId,
            autoCreateGroups: false,
            syncIdpGroups: false,
            systemGroups: {
                [EVERYONE_ID]: {
                    id: EVERYONE_ID,
                    name: "com.qlik.Everyone",
                    enabled: true,
                    assignedRoles: [],
                    createdAt: now,
                    lastUpdatedAt: now,
                },
            },
        };
        this.emu.store.put("groupSettings", tenantId, fresh, tenantId);
        return fresh;
    }

    patchSettings(tenantId: string, ops: unknown): GroupSettings {
        const list = patchArray(ops);
        const s: GroupSettings = JSON.parse(JSON.stringify(this.settings(tenantId)));
        for (const raw of list) {
            const { op, path } = replaceOp(raw);
            const sys = /^systemGroups\/([^/]+)\/(assignedRoles|enabled)$/.exec(path);
            if (path === "autoCreateGroups" || path === "syncIdpGroups") {
                if (typeof op.value !== "boolean") throw bad(`${path} must be a boolean`);
                s[path] = op.value;
            } else if (sys && s.systemGroups[sys[1]]) {
                const g = s.systemGroups[sys[1]];
                if (sys[2] === "enabled") {
                    if (typeof op.value !== "boolean") throw bad("enabled must be a boolean");
                    g.enabled = op.value;
                } else g.assignedRoles = rolesModel(this.emu).resolve(tenantId, op.value, "groups");
                g.lastUpdatedAt = this.emu.clock.iso();
            } else throw bad(`path ${JSON.stringify(op.path)} is not patchable`);
        }
        this.emu.store.put("groupSettings", tenantId, s, tenantId);
        return s;
    }
}

export const groupsModel = (emu: Emulator): GroupsModel => emu.model("groups", (e) => new GroupsModel(e));
