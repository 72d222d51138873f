// Users (docs/reference/qlik-cloud-api.md §5), the per-tenant bot user of the OAuth client (§0), and the Caller view
// that auth builds from a user.
import type { Caller, Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import * as ids from "../../core/ids";
import { rolesModel, toRef, type RoleRef } from "../roles/model";
import { EVERYONE_ID, groupsModel } from "../groups/model";
import { lookupRef } from "../refs";
import { professionalRoles } from "./professionalRoles";

export type UserStatus = "active" | "invited" | "disabled" | "deleted" | "provisioned";
export interface User {
    id: string;
    tenantId: string;
    subject: string;
    name: string;
    email?: string;
    status: UserStatus;
    assignedRoles: RoleRef[];
    assignedGroups: string[];
    createdAt: string;
    lastUpdatedAt: string;
    clientId?: string;
    picture?: string;
    preferredLocale?: string;
    preferredZoneinfo?: string;
    lastLogin?: string;
    inviteExpiry?: number;
}

const bad = (detail: string) => domainError("invalid", "USERS-400", "Bad request", detail);
const STATUSES: UserStatus[] = ["active", "invited", "disabled"];

export class UsersModel {
    constructor(private readonly emu: Emulator) {}

    list(tenantId: string): User[] {
        return this.emu.store.list<User>("users", tenantId).filter((u) => u.status !== "deleted");
    }
    get(tenantId: string, id: string): User | undefined {
        const u = this.emu.store.get<User>("users", id);
        return u && u.tenantId === tenantId && u.status !== "deleted" ? u : undefined;
    }
    bySubject(tenantId: string, subject: string): User | undefined {
        return this.list(tenantId).find((u) => u.subject === subject);
    }

    private save(u: User): void {
        this.emu.store.put("users", u.id, u, u.tenantId);
    }

    /** The bot user the OAuth client acts as on a tenant: subject qlikbot\<32hex>, TenantAdmin. */
    bot(tenantId: string, clientId: string): User {
        const existing = this.list(tenantId).find((u) => u.clientId === clientId);
        if (existing) return existing;
        const admin = rolesModel(this.emu).byName(tenantId, "TenantAdmin");
        const now = this.emu.clock.iso();
        const u: User = {
            id: ids.hex24(),
            tenantId,
            subject: `qlikbot\\${ids.hex32()}`,
            name: clientId,
            status: "active",
            assignedRoles: admin ? [toRef(admin)] : [],
            assignedGroups: [],
            createdAt: now,
            lastUpdatedAt: now,
            clientId,
        };
        this.save(u);
        return u;
    }

    create(tenantId: string, body: unknown): User {
        if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Body must be a JSON object");
        const b = body as Record<string, unknown>;
        if (typeof b.subject !== "string" || b.subject.length === 0 || b.subject.length > 512)
            throw bad("subject is required (string)");
        for (const k of ["name", "email", "picture"] as const) {
            if (b[k] !== undefined && (typeof b[k] !== "string" || (b[k] as string).length > 512))
                throw bad(`${k} must be a string`);
        }
        // UserPostSchema.picture is `format: url` (qliksense-users-api-openapi.yml): an absolute http(s) URL.
        if (typeof b.picture === "string" && !isUrl(b.picture)) throw bad("picture must be an absolute http(s) URL");
        if (b.status !== undefined && b.status !== "invited" && b.status !== "active")
            throw bad('status must be "invited"');
        if (b.tenantId !== undefined && b.tenantId !== tenantId) throw bad("tenantId does not match the tenant");
        const roles =
            b.assignedRoles === undefined ? [] : rolesModel(this.emu).resolve(tenantId, b.assignedRoles, "users");
        if (this.bySubject(tenantId, b.subject))
            throw domainError("conflict", "USERS-409", "Conflict", "A user with this subject already exists");
        const now = this.emu.clock.iso();
        const u: User = {
            id: ids.hex24(),
            tenantId,
            subject: b.subject,
            name: (b.name as string | undefined) ?? b.subject,
            status: b.status === "invited" ? "invited" : "active",
            assignedRoles: roles,
            assignedGroups: [],
            createdAt: now,
            lastUpdatedAt: now,
        };
        if (typeof b.email === "string") u.email = b.email;
        if (typeof b.picture === "string") u.picture = b.picture;
        this.save(u);
        return u;
    }

    patch(tenantId: string, id: string, ops: unknown): User {
        const u = this.get(tenantId, id);
        if (!u) throw domainError("not-found", "USERS-7", "Not found");
        if (!Array.isArray(ops) || ops.length === 0) throw bad("Body must be a non-empty JSON Patch array");
        const next: User = { ...u };
        for (const raw of ops) {
            if (!raw || typeof raw !== "object" || Array.isArray(raw))
                throw bad("Each patch operation must be an object");
            const op = raw as { op?: unknown; path?: unknown; value?: unknown };
            if (
                typeof op.op !== "string" ||
                !["replace", "set", "unset", "add", "renew", "remove-value"].includes(op.op)
            )
                throw bad("Invalid op");
            switch (op.path) {
                case "/name":
                    if (typeof op.value !== "string" || op.value.length > 512) throw bad("/name must be a string");
                    next.name = op.value;
                    break;
                case "/status":
                    if (typeof op.value !== "string" || !STATUSES.includes(op.value as UserStatus))
                        throw bad("/status must be active, invited or disabled");
                    next.status = op.value as UserStatus;
                    break;
                case "/preferredLocale":
                case "/preferredZoneinfo":
                    if (op.op === "unset") {
                        delete next[op.path.slice(1) as "preferredLocale"];
                        break;
                    }
                    if (typeof op.value !== "string") throw bad(`${op.path} must be a string`);
                    next[op.path.slice(1) as "preferredLocale"] = op.value;
                    break;
                case "/inviteExpiry":
                    if (typeof op.value !== "number") throw bad("/inviteExpiry must be a number");
                    next.inviteExpiry = op.value;
                    break;
                case "/assignedRoles": {
                    const refs = rolesModel(this.emu).resolve(tenantId, op.value, "users");
                    if (op.op === "add")
                        next.assignedRoles = [
                            ...next.assignedRoles,
                            ...refs.filter((r) => !next.assignedRoles.some((x) => x.id === r.id)),
                        ];
                    else if (op.op === "remove-value")
                        next.assignedRoles = next.assignedRoles.filter((r) => !refs.some((x) => x.id === r.id));
                    else next.assignedRoles = refs;
                    break;
                }
                case "/assignedGroups": {
                    if (!Array.isArray(op.value)) throw bad("/assignedGroups must be an array");
                    const groups = groupsModel(this.emu);
                    const gids = op.value.map((ref: unknown) => {
                        const g = lookupRef(
                            ref,
                            (id) => groups.get(tenantId, id),
                            (name) => groups.byName(tenantId, name),
                        );
                        if (!g) throw bad(`Unknown group ${JSON.stringify(ref)}`);
                        return g.id;
                    });
                    if (op.op === "add") next.assignedGroups = [...new Set([...next.assignedGroups, ...gids])];
                    else if (op.op === "remove-value")
                        next.assignedGroups = next.assignedGroups.filter((g) => !gids.includes(g));
                    else next.assignedGroups = [...new Set(gids)];
                    break;
                }
                default:
                    throw bad(`path ${JSON.stringify(op.path)} is not patchable`);
            }
        }
        next.lastUpdatedAt = this.emu.clock.iso();
        this.save(next);
        return next;
    }

    delete(tenantId: string, id: string): void {
        const u = this.get(tenantId, id);
        if (!u) throw domainError("not-found", "USERS-7", "Not found");
        this.emu.store.delete("users", id);
    }

    /** JWT login upsert: the user is keyed by subject; groups from the claim replace the idp groups. */
    upsertFromLogin(tenantId: string, claims: { sub: string; name?: string; email?: string; groups?: string[] }): User {
        const now = this.emu.clock.iso();
        const groups = claims.groups
            ? groupsModel(this.emu)
                  .forLogin(tenantId, claims.groups)
                  .map((g) => g.id)
            : undefined;
        let u = this.bySubject(tenantId, claims.sub);
        if (!u) {
            u = {
                id: ids.hex24(),
                tenantId,
                subject: claims.sub,
                name: claims.name ?? claims.sub,
                status: "active",
                assignedRoles: [],
                assignedGroups: [],
                createdAt: now,
                lastUpdatedAt: now,
            };
        }
        u = {
            ...u,
            status: u.status === "invited" || u.status === "provisioned" ? "active" : u.status,
            lastLogin: now,
            lastUpdatedAt: now,
        };
        if (claims.name) u.name = claims.name;
        if (claims.email) u.email = claims.email;
        if (groups) u.assignedGroups = groups;
        this.save(u);
        return u;
    }

    /**
     * Role names a user effectively holds: own roles, roles of its groups and of the Everyone group, and the roles
     * the tenant grants professionals (professionalRoles.ts).
     */
    effectiveRoles(u: User): string[] {
        const groups = groupsModel(this.emu);
        const names = new Set([
            ...u.assignedRoles.map((r) => r.name),
            ...professionalRoles(this.emu, u.tenantId, u.subject),
        ]);
        for (const gid of u.assignedGroups)
            for (const r of groups.get(u.tenantId, gid)?.assignedRoles ?? []) names.add(r.name);
        const everyone = groups.settings(u.tenantId).systemGroups[EVERYONE_ID];
        if (everyone?.enabled) for (const r of everyone.assignedRoles) names.add(r.name);
        return [...names];
    }

    caller(u: User, kind: Caller["kind"], auth: Caller["auth"]): Caller {
        return {
            kind,
            userId: u.id,
            subject: u.subject,
            tenantId: u.tenantId,
            roles: this.effectiveRoles(u),
            groupIds: [...u.assignedGroups],
            clientId: u.clientId,
            auth,
        };
    }

    toJson(u: User, baseUrl: string): Record<string, unknown> {
        const groups = groupsModel(this.emu);
        const assignedGroups = u.assignedGroups
            .map((gid) => groups.get(u.tenantId, gid))
            .filter((g) => g !== undefined)
            .map((g) => ({ id: g.id, name: g.name, providerType: g.providerType, assignedRoles: g.assignedRoles }));
        const out: Record<string, unknown> = {
            id: u.id,
            tenantId: u.tenantId,
            subject: u.subject,
            name: u.name,
            status: u.status,
            assignedRoles: u.assignedRoles,
            assignedGroups,
            assignedScopes: [],
            createdAt: u.createdAt,
            lastUpdatedAt: u.lastUpdatedAt,
            links: { self: { href: `${baseUrl}/api/v1/users/${u.id}` } },
        };
        for (const k of [
            "email",
            "clientId",
            "picture",
            "preferredLocale",
            "preferredZoneinfo",
            "lastLogin",
            "inviteExpiry",
        ] as const) {
            if (u[k] !== undefined) out[k] = u[k];
        }
        return out;
    }
}

function isUrl(v: string): boolean {
    if (/\s/.test(v)) return false;
    try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "";
    } catch {
        return false;
    }
}

export const usersModel = (emu: Emulator): UsersModel => emu.model("users", (e) => new UsersModel(e));
