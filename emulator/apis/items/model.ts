// Items (docs/reference/qlik-cloud-api.md §7): one item per app, with its own id (item id != app id; resourceId = app id).
// The item only stores the link; name, space, owner and resourceAttributes are read from the app document so
// they can never drift from the app.
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { hex24 } from "../../core/ids";
import { APPS_COLLECTION, type AppDocument } from "../apps/appDocument";

export const ITEMS = "items";

export interface ItemRecord {
    id: string;
    tenantId: string;
    resourceType: "app";
    resourceId: string;
    creatorId: string;
    createdAt: string;
    updatedAt: string;
}

export class ItemsModel {
    constructor(private readonly emu: Emulator) {}

    forResource(tenantId: string, resourceId: string): ItemRecord | undefined {
        return this.emu.store.list<ItemRecord>(ITEMS, tenantId).find((i) => i.resourceId === resourceId);
    }

    /** Called by the apps model after every app write. */
    syncApp(doc: AppDocument, actorId: string): ItemRecord {
        const existing = this.forResource(doc.tenantId, doc.attributes.id);
        const now = this.emu.clock.iso();
        const item: ItemRecord = existing
            ? { ...existing, updatedAt: now }
            : {
                  id: hex24(),
                  tenantId: doc.tenantId,
                  resourceType: "app",
                  resourceId: doc.attributes.id,
                  creatorId: actorId,
                  createdAt: now,
                  updatedAt: now,
              };
        this.emu.store.put(ITEMS, item.id, item, doc.tenantId);
        return item;
    }

    removeForApp(tenantId: string, appId: string): void {
        const i = this.forResource(tenantId, appId);
        if (i) this.emu.store.delete(ITEMS, i.id);
    }

    get(tenantId: string, id: string): { item: ItemRecord; app: AppDocument } {
        const item = this.emu.store.get<ItemRecord>(ITEMS, id);
        const app =
            item && item.tenantId === tenantId
                ? this.emu.store.get<AppDocument>(APPS_COLLECTION, item.resourceId)
                : undefined;
        if (!item || !app) throw domainError("not-found", "ITEMS-4041", "Not found", `Item ${id} not found.`);
        return { item, app };
    }

    /** Every item of the tenant with its app, in insertion order. */
    all(tenantId: string): { item: ItemRecord; app: AppDocument }[] {
        const out: { item: ItemRecord; app: AppDocument }[] = [];
        for (const item of this.emu.store.list<ItemRecord>(ITEMS, tenantId)) {
            const app = this.emu.store.get<AppDocument>(APPS_COLLECTION, item.resourceId);
            if (app) out.push({ item, app });
        }
        return out;
    }

    view(item: ItemRecord, app: AppDocument, baseUrl: string, actions: string[]): Record<string, unknown> {
        const a = app.attributes;
        return {
            id: item.id,
            name: a.name,
            description: a.description,
            resourceType: "app",
            resourceSubType: "",
            resourceId: a.id,
            resourceLink: `${baseUrl}/api/v1/apps/${a.id}`,
            resourceAttributes: { ...a },
            // itemResultResponseBody (qliksense-items-api-openapi.yml): resourceCustomAttributes and the top-level
            // `actions` are required objects/arrays; resourceReloadEndTime is a date-time, so it is left out until a reload.
            resourceCustomAttributes: {},
            resourceCreatedAt: a.createdDate,
            resourceUpdatedAt: a.modifiedDate,
            resourceReloadStatus: app.lastReload ? (app.lastReload.success ? "ok" : "error") : "",
            ...(app.lastReload?.endTime ? { resourceReloadEndTime: app.lastReload.endTime } : {}),
            resourceSize: { appFile: 0, appMemory: 0 },
            actions,
            spaceId: a.spaceId ?? "",
            ownerId: a.ownerId,
            creatorId: item.creatorId,
            updaterId: a.ownerId,
            tenantId: item.tenantId,
            isFavorited: false,
            thumbnailId: "",
            collectionIds: [],
            meta: { actions, tags: [], collections: [], isFavorited: false },
            createdAt: item.createdAt,
            updatedAt: a.modifiedDate,
            links: {
                self: { href: `${baseUrl}/api/v1/items/${item.id}` },
                collections: { href: `${baseUrl}/api/v1/items/${item.id}/collections` },
                open: { href: `${baseUrl}/sense/app/${a.id}` },
            },
        };
    }
}

export const itemsModel = (emu: Emulator): ItemsModel => emu.model("items", (e) => new ItemsModel(e));
