// The published copy of a staged app in a managed space (docs/reference/qlik-cloud-api.md §7, §12.3): first publish
// with retries while the new space becomes visible, republish into the same target, adoption, and its marker.
import * as crypto from "crypto";
import { HostClient } from "../qlik";
import { isStatus, sleep } from "./support";
import { Marker, OwnershipInputs, assertMayAdopt, parseMarker, withMarker } from "./ownership";

export interface AppAttrs {
    id: string;
    name: string;
    description?: string;
    originAppId?: string;
    publishTime?: string;
    spaceId?: string;
}

/** Publishing right after creating a space can fail for a while (documented eventual consistency, §11). */
const PUBLISH_RETRY_MS = 60_000;
interface Item {
    resourceId: string;
    name: string;
    resourceAttributes: AppAttrs;
}

/** The published copy already in the space: by origin, else by name (crash safety / adoption). */
async function findPublished(
    c: HostClient,
    spaceId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs | undefined> {
    const items = await c.paginateAll<Item>("/api/v1/items", {
        purpose: "find the published app",
        query: { resourceType: "app", spaceId },
    });
    const apps = items.map((i) => ({ ...i.resourceAttributes, id: i.resourceId, name: i.name }));
    return apps.find((a) => a.originAppId === sourceAppId) ?? (name ? apps.find((a) => a.name === name) : undefined);
}

export async function readApp(c: HostClient, appId: string): Promise<AppAttrs | undefined> {
    try {
        return (await c.get<{ attributes: AppAttrs }>(`/api/v1/apps/${appId}`, { purpose: `read app ${appId}` }))
            .attributes;
    } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
    }
}

async function publishFirst(
    c: HostClient,
    spaceId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs> {
    const deadline = Date.now() + PUBLISH_RETRY_MS;
    let wait = 500;
    for (;;) {
        try {
            const app = await c.post<{ attributes: AppAttrs }>(
                `/api/v1/apps/${sourceAppId}/publish`,
                { spaceId, data: "source", ...(name ? { attributes: { name } } : {}) },
                { purpose: `publish app ${sourceAppId} to managed space ${spaceId}` },
            );
            return app.attributes;
        } catch (e) {
            // The space may not be visible to the publish service yet; never repeat a publish that may have happened.
            const made = await findPublished(c, spaceId, sourceAppId, name).catch(() => undefined);
            if (made) return made;
            if (!isStatus(e, 403, 404) || Date.now() + wait > deadline) throw e;
            await sleep(wait);
            wait = Math.min(wait * 2, 8000);
        }
    }
}

async function republish(
    c: HostClient,
    targetId: string,
    sourceAppId: string,
    name: string | undefined,
): Promise<AppAttrs> {
    const app = await c.put<{ attributes: AppAttrs }>(
        `/api/v1/apps/${sourceAppId}/publish`,
        { targetId, data: "source", checkOriginAppId: false, ...(name ? { attributes: { name } } : {}) },
        { purpose: `republish app ${sourceAppId} over published app ${targetId}` },
    );
    return app.attributes;
}

/**
 * First publish, adoption, or republish, so that the space holds exactly one copy of sourceAppId, carrying this
 * resource's marker. `force` republishes even when the copy's origin is already sourceAppId (the staged content
 * changed, or the copy was republished by hand).
 */
export async function ensurePublished(
    c: HostClient,
    spaceId: string,
    inputs: OwnershipInputs & { sourceAppId: string; publishedAppName?: string },
    m: Marker,
    force: boolean,
    knownTarget?: string,
    allowed: string[] = [],
): Promise<AppAttrs> {
    let target = knownTarget ? await readApp(c, knownTarget) : undefined;
    if (target && target.spaceId !== undefined && target.spaceId !== spaceId) target = undefined;
    if (!target) {
        const found = await findPublished(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
        target = found ? ((await readApp(c, found.id)) ?? found) : undefined;
        if (target)
            assertMayAdopt(
                "ManagedSpacePublish",
                `published app "${target.name}" (${target.id}) on ${c.host}`,
                parseMarker(target.description).marker,
                inputs,
                allowed,
            );
    }
    let app: AppAttrs;
    if (!target) app = await publishFirst(c, spaceId, inputs.sourceAppId, inputs.publishedAppName);
    else if (force || target.originAppId !== inputs.sourceAppId)
        app = await republish(c, target.id, inputs.sourceAppId, inputs.publishedAppName);
    else app = target;
    const marker = parseMarker(app.description).marker;
    const rename = inputs.publishedAppName && app.name !== inputs.publishedAppName;
    if (rename || !marker || marker.owner !== m.owner || marker.claim !== m.claim) {
        // Publishing copies the staged app's description, and with it AppCopy's marker: this copy gets its own.
        const updated = await c.put<{ attributes: AppAttrs }>(
            `/api/v1/apps/${app.id}`,
            {
                attributes: {
                    ...(rename ? { name: inputs.publishedAppName } : {}),
                    description: withMarker(app.description, m),
                },
            },
            { purpose: `${rename ? "rename and " : ""}mark published app ${app.id}` },
        );
        app = { ...app, ...updated.attributes };
    }
    return app;
}

export const sha = (text: string): string => crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);

export async function scriptDigestOf(c: HostClient, appId: string): Promise<string> {
    const s = await c.get<{ script: string }>(`/api/v1/apps/${appId}/scripts/current`, {
        purpose: `read the load script of published app ${appId}`,
    });
    return sha(s.script ?? "");
}
