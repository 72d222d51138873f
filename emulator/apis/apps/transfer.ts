// Export and import of an app in the emulator's container format (exportFormat.ts): who may export (a space
// role, not TenantAdmin alone, DEV:deploy-content), and an import always creating a new app.
import type { Emulator } from "../../core/context";
import { type Actor, spacesModel } from "../spaces/model";
import type { AppDocument } from "./appDocument";
import { decodeExport, encodeExport, type ExportedApp } from "./exportFormat";
import { appsModel } from "./model";
import { bad, clone, EDIT_ROLES, forbidden } from "./rules";

export class AppTransferModel {
    constructor(private readonly emu: Emulator) {}

    private get apps() {
        return appsModel(this.emu);
    }

    exportApp(tenantId: string, actor: Actor, appId: string, noData: boolean): Buffer {
        const d = this.apps.read(tenantId, actor, appId);
        const s = this.apps.space(d);
        if (s?.type === "managed") throw forbidden("Apps in managed spaces cannot be exported.");
        // The bot needs a space role too (DEV:deploy-content); being TenantAdmin is not enough.
        const member =
            d.attributes.ownerId === actor.userId ||
            (!!s &&
                (s.ownerId === actor.userId ||
                    spacesModel(this.emu)
                        .rolesOf(actor, s)
                        .some((r) => EDIT_ROLES.includes(r))));
        if (!member) throw forbidden("Export requires edit access to the app's space.");
        const exported: ExportedApp = {
            format: "qlik-emulator-app",
            version: 1,
            exportedAt: this.emu.clock.iso(),
            attributes: {
                name: d.attributes.name,
                description: d.attributes.description,
                usage: d.attributes.usage,
                locale: d.attributes.locale,
                hasSectionAccess: d.attributes.hasSectionAccess,
            },
            scripts: d.scripts,
            currentScriptId: d.currentScriptId,
            objects: d.objects,
            tables: noData ? [] : d.tables,
            hasData: !noData && d.tables.length > 0,
        };
        return encodeExport(exported);
    }

    /** Every import creates a new app (autoreplace is not supported for shared spaces [DEV:deploy-content]). */
    importApp(
        tenantId: string,
        actor: Actor & { subject?: string },
        bytes: Buffer,
        opts: { name?: string; spaceId?: string; noData?: boolean },
    ): AppDocument {
        const parsed = decodeExport(bytes);
        if (typeof parsed === "string") throw bad(`Import failed: ${parsed}.`);
        const space = this.apps.targetSpace(tenantId, actor, opts.spaceId);
        const doc = this.apps.newDoc(tenantId, actor, {
            name: opts.name || parsed.attributes.name,
            description: parsed.attributes.description,
            spaceId: space?.id,
            usage: parsed.attributes.usage,
            locale: parsed.attributes.locale,
        });
        doc.scripts = clone(parsed.scripts);
        doc.currentScriptId = parsed.currentScriptId;
        doc.objects = {};
        for (const [id, o] of Object.entries(parsed.objects)) doc.objects[id] = { ...o, origin: "template" };
        doc.tables = opts.noData ? [] : parsed.tables;
        doc.attributes.hasSectionAccess = parsed.attributes.hasSectionAccess;
        if (doc.tables.length > 0) doc.attributes.lastReloadTime = parsed.exportedAt;
        this.apps.save(doc, actor.userId);
        return doc;
    }
}

export const appTransferModel = (emu: Emulator): AppTransferModel =>
    emu.model("appTransfer", (e) => new AppTransferModel(e));
