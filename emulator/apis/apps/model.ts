// Apps (docs/reference/qlik-cloud-api.md §7): create/copy/update/delete, export/import in the emulator container, publish and
// republish into managed spaces, move between spaces, script versions, reload logs, and the access rules:
// - personal apps: owner (and tenant admins) only;
// - apps in a space: anyone with a role in the space; tenant admins can read everything;
// - export needs edit access in the space ("at least edit access" [DEV:deploy-content]) even for the bot;
// - after a publish in the realistic profile, consumers get 403 until `accessReadyAt` (access propagation).
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { uuid } from "../../core/ids";
import { type Actor, isTenantAdmin, spacesModel, type SpaceRecord } from "../spaces/model";
import { itemsModel } from "../items/model";
import {
    APPS_COLLECTION,
    type AppAttributes,
    type AppDocument,
    type AppObject,
    currentScript,
    DEFAULT_SCRIPT,
    scriptVersion,
} from "./appDocument";
import { appNotFound, bad, clone, EDIT_ROLES, forbidden, PUBLISH_ROLES, USAGES, type Attrs } from "./rules";

export class AppsModel {
    constructor(private readonly emu: Emulator) {}

    private get store() {
        return this.emu.store;
    }
    private now(): string {
        return this.emu.clock.iso();
    }

    find(tenantId: string, appId: string): AppDocument | undefined {
        const d = this.store.get<AppDocument>(APPS_COLLECTION, appId);
        return d && d.tenantId === tenantId ? d : undefined;
    }

    save(doc: AppDocument, actorId: string): void {
        this.store.transaction(() => {
            this.store.put(APPS_COLLECTION, doc.attributes.id, doc, doc.tenantId);
            itemsModel(this.emu).syncApp(doc, actorId);
        });
    }

    space(doc: AppDocument): SpaceRecord | undefined {
        return doc.attributes.spaceId ? spacesModel(this.emu).find(doc.tenantId, doc.attributes.spaceId) : undefined;
    }

    private spaceRoles(actor: Actor, doc: AppDocument): string[] {
        const s = this.space(doc);
        return s ? spacesModel(this.emu).rolesOf(actor, s) : [];
    }

    canRead(actor: Actor, doc: AppDocument): boolean {
        if (isTenantAdmin(actor) || doc.attributes.ownerId === actor.userId) return true;
        if (!doc.attributes.spaceId || this.spaceRoles(actor, doc).length === 0) return false;
        return !doc.accessReadyAt || Date.parse(doc.accessReadyAt) <= this.emu.clock.now();
    }

    canEdit(actor: Actor, doc: AppDocument): boolean {
        if (isTenantAdmin(actor) || doc.attributes.ownerId === actor.userId) return true;
        const s = this.space(doc);
        if (!s) return false;
        return s.ownerId === actor.userId || this.spaceRoles(actor, doc).some((r) => EDIT_ROLES.includes(r));
    }

    /** 404 when absent, 403 when the caller has no access. */
    read(tenantId: string, actor: Actor, appId: string): AppDocument {
        const d = this.find(tenantId, appId);
        if (!d) throw appNotFound(appId);
        if (!this.canRead(actor, d)) throw forbidden("Access to the app is denied.");
        return d;
    }

    /** read() that also needs edit rights (403 otherwise). */
    editable(tenantId: string, actor: Actor, appId: string): AppDocument {
        const d = this.read(tenantId, actor, appId);
        if (!this.canEdit(actor, d)) throw forbidden("Editing the app is not allowed.");
        return d;
    }

    privileges(actor: Actor, doc: AppDocument): string[] {
        const p = ["read"];
        if (this.canEdit(actor, doc))
            p.push("update", "delete", "reload", "export", "duplicate", "change_owner", "publish");
        return p;
    }

    view(actor: Actor, doc: AppDocument): Record<string, unknown> {
        const attributes = { ...doc.attributes };
        if (!attributes.lastReloadTime) delete attributes.lastReloadTime; // apps stored before the field became optional
        return {
            attributes,
            privileges: this.privileges(actor, doc),
            create: [
                { resource: "sheet", canCreate: true },
                { resource: "bookmark", canCreate: true },
                { resource: "story", canCreate: true },
                { resource: "dimension", canCreate: this.canEdit(actor, doc) },
                { resource: "measure", canCreate: this.canEdit(actor, doc) },
                { resource: "masterobject", canCreate: this.canEdit(actor, doc) },
            ],
        };
    }

    /** A space the actor may put an app into (shared/data: edit roles; managed spaces only via publish). */
    targetSpace(tenantId: string, actor: Actor, spaceId: unknown, allowManaged = false): SpaceRecord | undefined {
        if (spaceId === undefined || spaceId === "" || spaceId === null) return undefined;
        if (typeof spaceId !== "string") throw bad("spaceId must be a string.");
        const sm = spacesModel(this.emu);
        const s = sm.find(tenantId, spaceId);
        if (!s || !sm.canSee(actor, s))
            throw domainError("not-found", "AppsSpaceNotFound", "Not found", `Space ${spaceId} not found.`);
        if (s.type === "managed" && !allowManaged)
            throw bad("Apps cannot be placed directly in a managed space; publish them instead.");
        const roles = sm.rolesOf(actor, s);
        if (!isTenantAdmin(actor) && s.ownerId !== actor.userId && !roles.some((r) => EDIT_ROLES.includes(r))) {
            throw forbidden(`Not allowed to add apps to space ${s.id}.`);
        }
        return s;
    }

    attrsFrom(a: Attrs | undefined): { name?: string; description?: string; usage?: string; locale?: string } {
        const out: { name?: string; description?: string; usage?: string; locale?: string } = {};
        if (!a) return out;
        if (a.name !== undefined) {
            // Items carry the app name with minLength 1 (qliksense-items-api-openapi.yml, ItemsResultResponseBody.name),
            // so an empty or blank name is refused at the source, as Qlik's hub refuses to save an app without a title.
            if (typeof a.name !== "string" || a.name.trim() === "")
                throw bad("attributes.name must be a non-empty string.");
            out.name = a.name;
        }
        if (a.description !== undefined) {
            if (typeof a.description !== "string") throw bad("attributes.description must be a string.");
            out.description = a.description;
        }
        if (a.usage !== undefined) {
            if (typeof a.usage !== "string" || !USAGES.includes(a.usage))
                throw bad(`attributes.usage must be one of ${USAGES.join(", ")}.`);
            out.usage = a.usage;
        }
        if (a.locale !== undefined && typeof a.locale === "string") out.locale = a.locale;
        return out;
    }

    newDoc(
        tenantId: string,
        actor: Actor & { subject?: string },
        init: {
            name: string;
            description?: string;
            spaceId?: string;
            usage?: string;
            locale?: string;
        },
    ): AppDocument {
        const now = this.now();
        const attributes: AppAttributes = {
            id: uuid(),
            name: init.name,
            description: init.description ?? "",
            thumbnail: "",
            createdDate: now,
            modifiedDate: now,
            owner: actor.subject ?? actor.userId,
            ownerId: actor.userId,
            dynamicColor: "",
            published: false,
            publishTime: "",
            custom: {},
            hasSectionAccess: false,
            encrypted: true,
            originAppId: "",
            isDirectQueryMode: false,
            usage: (init.usage ?? "ANALYTICS") as AppAttributes["usage"],
            _resourcetype: "app",
        };
        if (init.spaceId) attributes.spaceId = init.spaceId;
        if (init.locale) attributes.locale = init.locale;
        const first = scriptVersion(this.now(), DEFAULT_SCRIPT, "", actor.userId);
        return {
            tenantId,
            attributes,
            scripts: [first],
            currentScriptId: first.scriptId,
            objects: {},
            tables: [],
            reloadLogs: [],
        };
    }

    create(
        tenantId: string,
        actor: Actor & { subject?: string },
        body: { attributes?: Attrs } | undefined,
    ): AppDocument {
        const a = this.attrsFrom(body?.attributes);
        const space = this.targetSpace(tenantId, actor, body?.attributes?.spaceId);
        const doc = this.newDoc(tenantId, actor, { ...a, name: a.name ?? "Untitled", spaceId: space?.id });
        this.save(doc, actor.userId);
        return doc;
    }

    update(tenantId: string, actor: Actor, appId: string, body: { attributes?: Attrs } | undefined): AppDocument {
        const d = this.editable(tenantId, actor, appId);
        const a = this.attrsFrom(body?.attributes);
        if (a.name !== undefined) d.attributes.name = a.name;
        if (a.description !== undefined) d.attributes.description = a.description;
        d.attributes.modifiedDate = this.now();
        this.save(d, actor.userId);
        return d;
    }

    delete(tenantId: string, actor: Actor, appId: string): void {
        const d = this.read(tenantId, actor, appId);
        const s = this.space(d);
        const canDelete =
            this.canEdit(actor, d) ||
            (!!s &&
                s.type === "managed" &&
                spacesModel(this.emu)
                    .rolesOf(actor, s)
                    .some((r) => PUBLISH_ROLES.includes(r)));
        if (!canDelete) throw forbidden("Deleting the app is not allowed.");
        this.store.transaction(() => {
            this.store.delete(APPS_COLLECTION, appId);
            itemsModel(this.emu).removeForApp(tenantId, appId);
        });
    }

    copy(
        tenantId: string,
        actor: Actor & { subject?: string },
        appId: string,
        body: { attributes?: Attrs } | undefined,
    ): AppDocument {
        const src = this.read(tenantId, actor, appId);
        const a = this.attrsFrom(body?.attributes);
        const spaceArg = body?.attributes?.spaceId;
        const space =
            spaceArg === undefined
                ? this.space(src)?.type === "managed"
                    ? undefined
                    : this.targetSpace(tenantId, actor, src.attributes.spaceId)
                : this.targetSpace(tenantId, actor, spaceArg);
        const doc = this.newDoc(tenantId, actor, {
            name: a.name ?? src.attributes.name,
            description: a.description ?? src.attributes.description,
            spaceId: space?.id,
            usage: a.usage ?? src.attributes.usage,
            locale: a.locale ?? src.attributes.locale,
        });
        this.copyContent(src, doc, actor.userId, true);
        this.save(doc, actor.userId);
        return doc;
    }

    /** Script (as one new current version), template objects and, optionally, data from src into dst. */
    copyContent(src: AppDocument, dst: AppDocument, actorId: string, withData: boolean): void {
        const cur = currentScript(src);
        const v = scriptVersion(this.now(), cur?.script ?? DEFAULT_SCRIPT, cur?.versionMessage ?? "", actorId);
        dst.scripts = [v];
        dst.currentScriptId = v.scriptId;
        dst.objects = {};
        for (const [id, o] of Object.entries(src.objects)) dst.objects[id] = { ...clone(o), origin: "template" };
        if (withData) {
            dst.tables = clone(src.tables);
            dst.attributes.lastReloadTime = src.attributes.lastReloadTime;
        }
        dst.attributes.hasSectionAccess = src.attributes.hasSectionAccess;
    }

    moveToSpace(tenantId: string, actor: Actor, appId: string, spaceId: unknown): AppDocument {
        const d = this.editable(tenantId, actor, appId);
        if (this.space(d)?.type === "managed") throw bad("Published apps cannot be moved.");
        if (typeof spaceId !== "string" || spaceId === "") throw bad("spaceId is required.");
        const s = this.targetSpace(tenantId, actor, spaceId);
        d.attributes.spaceId = s?.id;
        d.attributes.modifiedDate = this.now();
        this.save(d, actor.userId);
        return d;
    }

    removeFromSpace(tenantId: string, actor: Actor, appId: string): AppDocument {
        const d = this.editable(tenantId, actor, appId);
        delete d.attributes.spaceId;
        d.attributes.modifiedDate = this.now();
        this.save(d, actor.userId);
        return d;
    }

    changeOwner(tenantId: string, actor: Actor, appId: string, ownerId: unknown): AppDocument {
        const d = this.editable(tenantId, actor, appId);
        if (typeof ownerId !== "string" || ownerId === "") throw bad("ownerId is required.");
        d.attributes.ownerId = ownerId;
        d.attributes.owner = ownerId;
        d.attributes.modifiedDate = this.now();
        this.save(d, actor.userId);
        return d;
    }

    /**
     * Adds or replaces a generic object. Objects created in a published app are the consumers' own ("user") and
     * survive republish; everywhere else they are part of the app ("template"). The engine uses the same rule.
     */
    putObject(
        tenantId: string,
        actorId: string,
        appId: string,
        obj: Omit<AppObject, "origin" | "createdAt" | "ownerId">,
    ): AppObject {
        const d = this.find(tenantId, appId);
        if (!d) throw appNotFound(appId);
        const prev = d.objects[obj.qInfo.qId];
        const o: AppObject = {
            ...obj,
            ownerId: prev?.ownerId ?? actorId,
            createdAt: prev?.createdAt ?? this.now(),
            origin: prev?.origin ?? (d.attributes.publishTime ? "user" : "template"),
        };
        d.objects[o.qInfo.qId] = o;
        this.save(d, actorId);
        return o;
    }
}

export const appsModel = (emu: Emulator): AppsModel => emu.model("apps", (e) => new AppsModel(e));
