// What defines an AppCopy's staged content, as digests: secret connection properties are kept in outputs only as a
// digest (diffs still see a password change), and `contentVersion` digests the whole definition so that a preview
// knows whether the staged content changes (provider/resources/appCopy.ts, ManagedSpacePublish.contentVersion).
import * as crypto from "crypto";
import type { z } from "zod";
import { UNKNOWN, stableJson } from "./handlers";
import { registerSecret } from "../qlik";
import type { appCopyDataConnection, appCopySource } from "../schema/appCopy";

export type SourceSpec = z.output<typeof appCopySource>;
export type ConnectionSpec = z.output<typeof appCopyDataConnection>;

export const SECRET_KEY = /pass(word)?|secret|token|apikey|private/i;
export const DIGEST_PREFIX = "<sha256:";

function digestOf(v: string): string {
    return `${DIGEST_PREFIX}${crypto.createHash("sha256").update(v).digest("hex")}>`;
}

/** Secret connection properties are kept in outputs only as a digest: diffs still see a password change. */
export function digestConnections(list: ConnectionSpec[] | undefined): ConnectionSpec[] {
    return (list ?? []).map((c) => ({
        ...c,
        connectionProperties: Object.fromEntries(
            Object.entries(c.connectionProperties ?? {}).map(([k, v]) => [
                k,
                SECRET_KEY.test(k) && typeof v === "string" && !v.startsWith(DIGEST_PREFIX) && v !== CHANGED_OUTSIDE
                    ? digestOf(v)
                    : v,
            ]),
        ),
    }));
}

export function registerConnectionSecrets(list: ConnectionSpec[] | undefined): void {
    for (const c of list ?? []) {
        for (const [k, v] of Object.entries(c.connectionProperties ?? {}))
            if (SECRET_KEY.test(k) && typeof v === "string") registerSecret(v);
    }
}

/** Marks a value the provider wrote itself when the live object changed in a way Qlik does not show (secrets). */
export const CHANGED_OUTSIDE = "<changed outside Pulumi>";

/**
 * Digest of the staged content's definition: source, templateVersion, load script and connections (secrets as
 * digests). Unknown while any part is unknown (preview of a new dependency), so a preview never claims "unchanged"
 * without proof.
 */
export function contentVersionOf(inputs: {
    source?: unknown;
    templateVersion?: unknown;
    loadScript?: unknown;
    dataConnections?: unknown;
}): string {
    const def = {
        source: inputs.source,
        templateVersion: inputs.templateVersion ?? "",
        loadScript: inputs.loadScript ?? null,
        dataConnections: Array.isArray(inputs.dataConnections)
            ? digestConnections(inputs.dataConnections)
            : (inputs.dataConnections ?? []),
    };
    const text = stableJson(def);
    if (text.includes(UNKNOWN)) return UNKNOWN;
    return `sha256:${crypto.createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}
