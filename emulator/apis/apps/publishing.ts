// Publishing to managed spaces (docs/reference/qlik-cloud-api.md §7): publish makes a new app in the managed
// space, republish refreshes a published copy in place keeping the consumers' own objects; access reaches
// consumers after the profile's propagation delay (core/profiles.ts "publish.propagation").
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { type Actor, isTenantAdmin, spacesModel, type SpaceRecord } from "../spaces/model";
import { type AppDocument, type AppObject, currentScript, DEFAULT_SCRIPT, scriptVersion } from "./appDocument";
import { appsModel } from "./model";
import { appNotFound, type Attrs, bad, clone, forbidden, PUBLISH_ROLES } from "./rules";

export class AppPublishingModel {
    constructor(private readonly emu: Emulator) {}

    private get apps() {
        return appsModel(this.emu);
    }

    private publishTarget(tenantId: string, actor: Actor, spaceId: unknown): SpaceRecord {
        if (typeof spaceId !== "string" || spaceId === "") throw bad("spaceId is required.");
        const sm = spacesModel(this.emu);
        const s = sm.find(tenantId, spaceId);
        if (!s || !sm.canSee(actor, s))
            throw domainError("not-found", "AppsSpaceNotFound", "Not found", `Space ${spaceId} not found.`);
        if (s.type !== "managed") throw bad("Apps can only be published to managed spaces.");
        if (
            !isTenantAdmin(actor) &&
            s.ownerId !== actor.userId &&
            !sm.rolesOf(actor, s).some((r) => PUBLISH_ROLES.includes(r))
        ) {
            throw forbidden(`Not allowed to publish to space ${s.id}.`);
        }
        return s;
    }

    private markPublished(doc: AppDocument): void {
        const now = this.emu.clock.now();
        doc.attributes.publishTime = new Date(now).toISOString();
        doc.attributes.modifiedDate = doc.attributes.publishTime;
        const delay = this.emu.profile.delayMs("publish.propagation");
        if (delay > 0) doc.accessReadyAt = new Date(now + delay).toISOString();
        else delete doc.accessReadyAt;
    }

    publish(
        tenantId: string,
        actor: Actor & { subject?: string },
        appId: string,
        body: { spaceId?: unknown; data?: unknown; attributes?: Attrs; moveApp?: unknown; originAppId?: unknown },
    ): AppDocument {
        const src = this.apps.read(tenantId, actor, appId);
        if (this.apps.space(src)?.type === "managed")
            throw bad("A published app cannot be published again; publish its source app.");
        const space = this.publishTarget(tenantId, actor, body.spaceId);
        if (body.data !== undefined && body.data !== "source" && body.data !== "target")
            throw bad("data must be source or target.");
        const a = this.apps.attrsFrom(body.attributes);
        const doc = this.apps.newDoc(tenantId, actor, {
            name: a.name ?? src.attributes.name,
            description: a.description ?? src.attributes.description,
            spaceId: space.id,
            usage: src.attributes.usage,
            locale: src.attributes.locale,
        });
        this.apps.copyContent(src, doc, actor.userId, body.data !== "target");
        doc.attributes.originAppId =
            typeof body.originAppId === "string" && body.originAppId ? body.originAppId : src.attributes.id;
        this.markPublished(doc);
        this.apps.save(doc, actor.userId);
        if (body.moveApp === true) this.apps.delete(tenantId, actor, src.attributes.id);
        return doc;
    }

    /**
     * Republish: the target keeps its id and the objects consumers created in it (origin "user"); its template
     * objects, script and (data: "source", the default) data are replaced from the source. originAppId then
     * points at the source, so the next deploy finds the copy again through items.resourceAttributes.originAppId.
     */
    republish(
        tenantId: string,
        actor: Actor,
        appId: string,
        body: { targetId?: unknown; data?: unknown; attributes?: Attrs; checkOriginAppId?: unknown },
    ): AppDocument {
        const src = this.apps.read(tenantId, actor, appId);
        if (typeof body.targetId !== "string" || body.targetId === "") throw bad("targetId is required.");
        const target = this.apps.find(tenantId, body.targetId);
        if (!target) throw appNotFound(body.targetId);
        if (!target.attributes.publishTime) throw bad(`App ${target.attributes.id} is not a published app.`);
        this.publishTarget(tenantId, actor, target.attributes.spaceId);
        if (body.checkOriginAppId !== false && target.attributes.originAppId !== src.attributes.id) {
            throw bad(
                `The target app was not published from app ${src.attributes.id} (originAppId ${target.attributes.originAppId}); ` +
                    "set checkOriginAppId to false to republish anyway.",
            );
        }
        if (body.data !== undefined && body.data !== "source" && body.data !== "target")
            throw bad("data must be source or target.");
        const a = this.apps.attrsFrom(body.attributes);
        const cur = currentScript(src);
        const v = scriptVersion(
            this.emu.clock.iso(),
            cur?.script ?? DEFAULT_SCRIPT,
            cur?.versionMessage ?? "",
            actor.userId,
        );
        target.scripts.push(v);
        target.currentScriptId = v.scriptId;
        const kept: Record<string, AppObject> = {};
        for (const [id, o] of Object.entries(target.objects)) if (o.origin === "user") kept[id] = o;
        for (const [id, o] of Object.entries(src.objects)) kept[id] = { ...clone(o), origin: "template" };
        target.objects = kept;
        if (body.data !== "target") {
            target.tables = clone(src.tables);
            target.attributes.lastReloadTime = src.attributes.lastReloadTime;
        }
        if (a.name !== undefined) target.attributes.name = a.name;
        if (a.description !== undefined) target.attributes.description = a.description;
        target.attributes.originAppId = src.attributes.id;
        this.markPublished(target);
        this.apps.save(target, actor.userId);
        return target;
    }
}

export const appPublishingModel = (emu: Emulator): AppPublishingModel =>
    emu.model("appPublishing", (e) => new AppPublishingModel(e));
