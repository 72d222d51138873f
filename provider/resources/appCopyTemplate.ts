// The template app an AppCopy deploys: exported once per provider process per source and version
// (docs/reference/qlik-cloud-api.md §12.3: export -> Location -> download), or read from a .qvf file.
import * as fs from "fs";
import { getProviderConfig } from "../config";
import { HostClient } from "../qlik";
import { stableJson } from "./handlers";
import { api } from "./support";
import type { SourceSpec } from "./appCopyContent";

type TemplateCache = Map<string, Promise<Buffer>>;
const g = globalThis as typeof globalThis & { __qlikFleetTemplates?: TemplateCache };
function templateCache(): TemplateCache {
    return (g.__qlikFleetTemplates ??= new Map());
}

function sourceHost(src: SourceSpec): string {
    return src.tenantHost ?? getProviderConfig({ require: ["sourceTenantHost"] }).sourceTenantHost!;
}

export interface AppAttrs {
    id: string;
    name: string;
    spaceId?: string;
    lastReloadTime?: string;
    originAppId?: string;
    publishTime?: string;
}

interface Item {
    resourceId: string;
    name: string;
    resourceAttributes: AppAttrs;
}

/** Apps named exactly `name` in a space (items `name` is a case-insensitive search). */
export async function appsNamed(c: HostClient, name: string, spaceId: string): Promise<AppAttrs[]> {
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: `find app "${name}"`,
        query: { resourceType: "app", spaceId, name },
    });
    return items.filter((i) => i.name === name).map((i) => ({ ...i.resourceAttributes, id: i.resourceId }));
}

async function resolveSourceAppId(c: HostClient, src: SourceSpec): Promise<string> {
    if (src.appId) return src.appId;
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: `find template app "${src.appName}"`,
        query: { resourceType: "app", name: src.appName },
    });
    const hits = items.filter((i) => i.name === src.appName);
    if (hits.length !== 1) {
        throw new Error(
            hits.length === 0
                ? `source.appName: no app named "${src.appName}" on ${c.host}; place the template there under that name, ` +
                      "or fix source.appName (or pass source.appId)"
                : `source.appName: ${hits.length} apps named "${src.appName}" on ${c.host}; pass source.appId to pick one`,
        );
    }
    return hits[0].resourceId;
}

async function exportTemplate(src: SourceSpec): Promise<Buffer> {
    if (src.exportFile) return fs.promises.readFile(src.exportFile);
    const c = api(sourceHost(src));
    const appId = await resolveSourceAppId(c, src);
    const app = await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${appId}`, { purpose: "read template app" });
    const spaceId = app.attributes.spaceId;
    if (spaceId) {
        // The bot, although TenantAdmin, needs a role in the source space to export (§7); 409 = already assigned.
        const me = await c.get<{ id: string }>("/api/v1/users/me", { purpose: "identify the bot user" });
        await c.send({
            method: "POST",
            path: `/api/v1/spaces/${spaceId}/assignments`,
            body: { type: "user", assigneeId: me.id, roles: ["producer"] },
            expect: [201, 409],
            purpose: "assign the bot to the template's space",
        });
    }
    const res = await c.send({
        method: "POST",
        path: `/api/v1/apps/${appId}/export`,
        expect: [201],
        purpose: `export template app ${appId}`,
    });
    const location = res.headers.location;
    if (!location) throw new Error(`export of template app ${appId} on ${c.host} returned no Location header`);
    return c.download(location, { purpose: `download export of template app ${appId}` });
}

function templateKey(src: SourceSpec, version: string): string {
    return stableJson({
        host: src.exportFile ? undefined : sourceHost(src),
        appId: src.appId,
        appName: src.appName,
        file: src.exportFile,
        version,
    });
}

/** Single-flight: N tenants rolling out the same template version share one export. */
export function templateBytes(src: SourceSpec, version: string): Promise<Buffer> {
    const key = templateKey(src, version);
    const cache = templateCache();
    let p = cache.get(key);
    if (!p) {
        p = exportTemplate(src);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
    }
    return p;
}
