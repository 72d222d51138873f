// Spaces and space assignments (docs/reference/qlik-cloud-api.md §6). Access: tenant admins see every space; other users see
// spaces they own or where they, or one of their groups, hold an assignment. Error codes are PascalCase like the
// observed "AssignmentConflict" [EX]; the other code strings are UNCONFIRMED.
import type { Caller, Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { hex24 } from "../../core/ids";

export type SpaceType = "shared" | "managed" | "data";
export type Actor = Pick<Caller, "userId" | "roles" | "groupIds">;

/** Roles assignable per space type [QAPI RoleType doc]. */
export const ASSIGNABLE_ROLES: Readonly<Record<SpaceType, readonly string[]>> = {
    shared: ["codeveloper", "consumer", "dataconsumer", "facilitator", "producer"],
    managed: ["consumer", "contributor", "dataconsumer", "facilitator", "publisher", "basicconsumer"],
    data: ["consumer", "dataconsumer", "datapreview", "facilitator", "operator", "producer", "publisher"],
};

export interface SpaceRecord {
    id: string;
    tenantId: string;
    name: string;
    type: SpaceType;
    description: string;
    ownerId: string;
    createdAt: string;
    createdBy: string;
    updatedAt: string;
}

export interface AssignmentRecord {
    id: string;
    tenantId: string;
    spaceId: string;
    type: "user" | "group";
    assigneeId: string;
    roles: string[];
    createdAt: string;
    createdBy: string;
    updatedAt: string;
    updatedBy: string;
}

export const SPACES = "spaces";
export const ASSIGNMENTS = "spaceAssignments";
const FORBIDDEN_NAME_CHARS = /["*?<>/|\\:]/;

export const isTenantAdmin = (a: Actor): boolean => a.roles.includes("TenantAdmin");

export class SpacesModel {
    constructor(private readonly emu: Emulator) {}

    private get store() {
        return this.emu.store;
    }

    find(tenantId: string, spaceId: string): SpaceRecord | undefined {
        const s = this.store.get<SpaceRecord>(SPACES, spaceId);
        return s && s.tenantId === tenantId ? s : undefined;
    }

    findByName(tenantId: string, name: string): SpaceRecord | undefined {
        return this.store.list<SpaceRecord>(SPACES, tenantId).find((s) => s.name === name);
    }

    assignmentsOf(spaceId: string, tenantId: string): AssignmentRecord[] {
        return this.store.list<AssignmentRecord>(ASSIGNMENTS, tenantId).filter((a) => a.spaceId === spaceId);
    }

    /** The caller's effective roles in a space: the owner holds every assignable role implicitly. */
    rolesOf(actor: Actor, space: SpaceRecord): string[] {
        if (space.ownerId === actor.userId) return [...ASSIGNABLE_ROLES[space.type]];
        const roles = new Set<string>();
        for (const a of this.assignmentsOf(space.id, space.tenantId)) {
            const mine = a.type === "user" ? a.assigneeId === actor.userId : actor.groupIds.includes(a.assigneeId);
            if (mine) a.roles.forEach((r) => roles.add(r));
        }
        return [...roles];
    }

    canSee(actor: Actor, space: SpaceRecord): boolean {
        return isTenantAdmin(actor) || this.rolesOf(actor, space).length > 0;
    }

    /** Manage = rename, delete, change assignments. */
    canManage(actor: Actor, space: SpaceRecord): boolean {
        return (
            isTenantAdmin(actor) || space.ownerId === actor.userId || this.rolesOf(actor, space).includes("facilitator")
        );
    }

    actionsOf(actor: Actor, space: SpaceRecord): string[] {
        const actions = ["read"];
        if (this.canManage(actor, space)) actions.push("create", "update", "delete");
        const roles = this.rolesOf(actor, space);
        if (space.type === "managed" && (isTenantAdmin(actor) || roles.includes("publisher"))) actions.push("publish");
        return actions;
    }

    get(tenantId: string, actor: Actor, spaceId: string): SpaceRecord {
        const s = this.find(tenantId, spaceId);
        // 404 covers "not found or no access" [docs/reference/qlik-cloud-api.md §6].
        if (!s || !this.canSee(actor, s))
            throw domainError("not-found", "SpaceNotFound", "Space not found", `Space ${spaceId} not found.`);
        return s;
    }

    list(tenantId: string, actor: Actor, f: { name?: string; types?: string[]; ownerId?: string }): SpaceRecord[] {
        const needle = f.name?.toLowerCase();
        return this.store
            .list<SpaceRecord>(SPACES, tenantId)
            .filter(
                (s) =>
                    this.canSee(actor, s) &&
                    (!needle || s.name.toLowerCase().includes(needle)) &&
                    (!f.types || f.types.length === 0 || f.types.includes(s.type)) &&
                    (!f.ownerId || s.ownerId === f.ownerId),
            );
    }

    private validateName(name: unknown, tenantId: string, exceptId?: string): string {
        if (typeof name !== "string" || name.trim() === "") {
            throw domainError("invalid", "BadRequest", "Bad request", "Space name is required.");
        }
        if (name.length > 256 || FORBIDDEN_NAME_CHARS.test(name)) {
            throw domainError(
                "invalid",
                "BadRequest",
                "Bad request",
                'Space name must be at most 256 characters and must not contain any of "*?<>/|\\:',
            );
        }
        const dup = this.findByName(tenantId, name);
        if (dup && dup.id !== exceptId) {
            throw domainError("conflict", "SpaceNameConflict", "Conflict", `A space named '${name}' already exists.`);
        }
        return name;
    }

    create(
        tenantId: string,
        actor: Actor,
        body: { name?: unknown; type?: unknown; description?: unknown },
    ): SpaceRecord {
        const type = body.type;
        if (type !== "shared" && type !== "managed" && type !== "data") {
            throw domainError("invalid", "BadRequest", "Bad request", "type must be one of shared, managed, data.");
        }
        // Every space type needs its creator role ("You need the Shared Space Creator user role in the tenant to create
        // new shared spaces", help.qlik.com .../Spaces/permissions-shared-space-prof-full.htm); professionals may hold
        // it through the tenant flag (users/professionalRoles.ts).
        if (!isTenantAdmin(actor) && !actor.roles.some((r) => r.toLowerCase() === `${type}spacecreator`)) {
            throw domainError("forbidden", "Forbidden", "Forbidden", `Not allowed to create ${type} spaces.`);
        }
        if (body.description !== undefined && typeof body.description !== "string") {
            throw domainError("invalid", "BadRequest", "Bad request", "description must be a string.");
        }
        const now = this.emu.clock.iso();
        const space: SpaceRecord = {
            id: hex24(),
            tenantId,
            name: this.validateName(body.name, tenantId),
            type,
            description: (body.description as string | undefined) ?? "",
            ownerId: actor.userId,
            createdAt: now,
            createdBy: actor.userId,
            updatedAt: now,
        };
        this.store.put(SPACES, space.id, space, tenantId);
        return space;
    }

    update(
        tenantId: string,
        actor: Actor,
        spaceId: string,
        patch: { name?: unknown; description?: unknown; ownerId?: unknown },
    ): SpaceRecord {
        const s = this.get(tenantId, actor, spaceId);
        if (!this.canManage(actor, s))
            throw domainError("forbidden", "Forbidden", "Forbidden", "Not allowed to update this space.");
        const next = { ...s };
        if (patch.name !== undefined) next.name = this.validateName(patch.name, tenantId, s.id);
        if (patch.description !== undefined) {
            if (typeof patch.description !== "string")
                throw domainError("invalid", "BadRequest", "Bad request", "description must be a string.");
            next.description = patch.description;
        }
        if (patch.ownerId !== undefined) {
            if (typeof patch.ownerId !== "string" || patch.ownerId === "") {
                throw domainError("invalid", "BadRequest", "Bad request", "ownerId must be a non-empty string.");
            }
            next.ownerId = patch.ownerId;
        }
        next.updatedAt = this.emu.clock.iso();
        this.store.put(SPACES, s.id, next, tenantId);
        return next;
    }

    /** 412 while the space still holds content (apps or data connections). */
    delete(tenantId: string, actor: Actor, spaceId: string): void {
        const s = this.get(tenantId, actor, spaceId);
        if (!this.canManage(actor, s))
            throw domainError("forbidden", "Forbidden", "Forbidden", "Not allowed to delete this space.");
        const apps = this.store
            .list<{ attributes: { spaceId?: string } }>("apps", tenantId)
            .filter((a) => a.attributes.spaceId === s.id);
        const conns = this.store.list<{ space?: string }>("dataConnections", tenantId).filter((c) => c.space === s.id);
        if (apps.length + conns.length > 0) {
            throw domainError("precondition-failed", "SpaceNotEmpty", "Precondition failed", "The space is not empty.");
        }
        this.store.transaction(() => {
            for (const a of this.assignmentsOf(s.id, tenantId)) this.store.delete(ASSIGNMENTS, a.id);
            this.store.delete(SPACES, s.id);
        });
    }

    // ---- assignments ----

    private validRoles(space: SpaceRecord, roles: unknown): string[] {
        if (!Array.isArray(roles) || roles.some((r) => typeof r !== "string")) {
            throw domainError("invalid", "BadRequest", "Bad request", "roles must be an array of strings.");
        }
        const allowed = ASSIGNABLE_ROLES[space.type];
        const bad = (roles as string[]).filter((r) => !allowed.includes(r));
        if (bad.length > 0) {
            throw domainError(
                "invalid",
                "BadRequest",
                "Bad request",
                `Role(s) ${bad.join(", ")} not assignable in a ${space.type} space; assignable: ${allowed.join(", ")}.`,
            );
        }
        return [...new Set(roles as string[])];
    }

    listAssignments(
        tenantId: string,
        actor: Actor,
        spaceId: string,
        f: { assigneeId?: string; type?: string },
    ): AssignmentRecord[] {
        const s = this.get(tenantId, actor, spaceId);
        return this.assignmentsOf(s.id, tenantId).filter(
            (a) => (!f.assigneeId || a.assigneeId === f.assigneeId) && (!f.type || a.type === f.type),
        );
    }

    getAssignment(tenantId: string, actor: Actor, spaceId: string, assignmentId: string): AssignmentRecord {
        const s = this.get(tenantId, actor, spaceId);
        const a = this.store.get<AssignmentRecord>(ASSIGNMENTS, assignmentId);
        if (!a || a.spaceId !== s.id) {
            throw domainError(
                "not-found",
                "AssignmentNotFound",
                "Assignment not found",
                `Assignment ${assignmentId} not found.`,
            );
        }
        return a;
    }

    createAssignment(
        tenantId: string,
        actor: Actor,
        spaceId: string,
        body: { type?: unknown; assigneeId?: unknown; roles?: unknown },
    ): AssignmentRecord {
        const s = this.get(tenantId, actor, spaceId);
        if (!this.canManage(actor, s))
            throw domainError("forbidden", "Forbidden", "Forbidden", "Not allowed to manage members of this space.");
        // "bot" appears in some samples; the bot is a user for access purposes.
        const type = body.type === "bot" ? "user" : body.type;
        if (type !== "user" && type !== "group")
            throw domainError("invalid", "BadRequest", "Bad request", "type must be user or group.");
        if (typeof body.assigneeId !== "string" || body.assigneeId === "") {
            throw domainError("invalid", "BadRequest", "Bad request", "assigneeId is required.");
        }
        const roles = this.validRoles(s, body.roles);
        if (this.assignmentsOf(s.id, tenantId).some((a) => a.assigneeId === body.assigneeId)) {
            throw domainError(
                "conflict",
                "AssignmentConflict",
                "Assignment already exists",
                `An assignment for ${body.assigneeId} already exists in space ${s.id}.`,
            );
        }
        const now = this.emu.clock.iso();
        const a: AssignmentRecord = {
            id: hex24(),
            tenantId,
            spaceId: s.id,
            type,
            assigneeId: body.assigneeId,
            roles,
            createdAt: now,
            createdBy: actor.userId,
            updatedAt: now,
            updatedBy: actor.userId,
        };
        this.store.put(ASSIGNMENTS, a.id, a, tenantId);
        return a;
    }

    replaceAssignmentRoles(
        tenantId: string,
        actor: Actor,
        spaceId: string,
        assignmentId: string,
        roles: unknown,
    ): AssignmentRecord {
        const a = this.getAssignment(tenantId, actor, spaceId, assignmentId);
        const s = this.get(tenantId, actor, spaceId);
        if (!this.canManage(actor, s))
            throw domainError("forbidden", "Forbidden", "Forbidden", "Not allowed to manage members of this space.");
        const next = {
            ...a,
            roles: this.validRoles(s, roles),
            updatedAt: this.emu.clock.iso(),
            updatedBy: actor.userId,
        };
        this.store.put(ASSIGNMENTS, a.id, next, tenantId);
        return next;
    }

    deleteAssignment(tenantId: string, actor: Actor, spaceId: string, assignmentId: string): void {
        const a = this.getAssignment(tenantId, actor, spaceId, assignmentId);
        const s = this.get(tenantId, actor, spaceId);
        if (!this.canManage(actor, s))
            throw domainError("forbidden", "Forbidden", "Forbidden", "Not allowed to manage members of this space.");
        this.store.delete(ASSIGNMENTS, a.id);
    }
}

export const spacesModel = (emu: Emulator): SpacesModel => emu.model("spaces", (e) => new SpacesModel(e));
