// Ownership (issue 9 item 1, replacement safety of issue 8 item 6): every object this provider
// creates or adopts carries a marker "owner + claim" inside Qlik itself, so that
//   - a second stack (or fleet) on the same Qlik account cannot silently adopt and then rewrite
//     objects another stack manages: create/adopt fails BEFORE any change, naming the owner and the
//     explicit way to take it over (`takeOverFrom`);
//   - a replacement that adopts an object by its natural key re-marks it with its own claim, so the
//     delete of the replaced resource (create-before-delete, Pulumi's default) sees a foreign claim
//     and leaves the object alone (the shared-object hazard of create-before-delete:
//     https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/).
//
// Where the marker lives (docs/ownership.md):
//   - objects with a free-text description (spaces, apps, data connections, identity providers,
//     groups): a suffix ` [qtf:<owner>#<claim>]` appended to the description; read() strips it
//     again, so users' own descriptions round-trip unchanged;
//   - tenant-level things with no such place (the tenant itself, its license settings): a marker
//     object inside the tenant, a shared space named `qlik-tenant-fleet.owner.<key>` whose
//     description is the marker. A space is the one tenant-scoped object with a free-text field
//     that every Qlik Cloud tenant offers (spaces API, docs/reference/qlik-cloud-api.md §5).
import * as crypto from "crypto";
import { isUnknown } from "./handlers";
import { HostClient, isQlikApiError } from "../qlik";
import { findSpaceByName } from "./support";

/** Who manages an object: `owner`, and the random claim of the one resource instance that does. */
export interface Marker {
    owner: string;
    claim: string;
}

/** The ownership inputs every resource takes (the SDK fills `owner` from qlik:owner or org/project/stack). */
export interface OwnershipInputs {
    owner?: string;
    takeOverFrom?: string | null;
}

/** The ownership part of a resource's outputs. */
export interface OwnershipOutputs {
    /** The owner recorded in the ownership marker of this resource's objects (docs/ownership.md). */
    owner: string;
    /** This resource instance's random claim on its objects (replacement safety; docs/ownership.md). */
    claim: string;
    takeOverFrom?: string | null;
}

// The owner part may be empty: resources driven without the SDK (owner unset) still mark their claim.
const MARKER_RE = /\s*\[qtf:([A-Za-z0-9._@/-]{0,100})#([0-9a-f]{8,32})\]\s*$/;
const MARKER_SPACE_PREFIX = "qlik-tenant-fleet.owner.";

/** The marker a resource writes: its inputs' owner and its claim. */
export const markOf = (inputs: { owner?: unknown }, claim: string): Marker => ({
    owner: typeof inputs.owner === "string" ? inputs.owner : "",
    claim,
});

/** A fresh claim for a new resource instance (48 random bits: unique per resource, short enough for a 128-character description). */
export function newClaim(): string {
    return crypto.randomBytes(6).toString("hex");
}

/** The claim of an existing resource, or a new one for state written by versions without claims. */
export function claimOf(props: { claim?: unknown }): string {
    return typeof props.claim === "string" && props.claim ? props.claim : newClaim();
}

export function formatMarker(m: Marker): string {
    return `[qtf:${m.owner}#${m.claim}]`;
}

/** The marker at the end of a free-text field, and the user's text without it. */
export function parseMarker(text: string | undefined | null): { marker?: Marker; text: string } {
    const s = text ?? "";
    const m = MARKER_RE.exec(s);
    if (!m) return { text: s };
    return { marker: { owner: m[1], claim: m[2] }, text: s.slice(0, m.index) };
}

/** The user's text followed by the marker (any previous marker replaced). */
export function withMarker(text: string | undefined | null, m: Marker): string {
    const base = parseMarker(text).text;
    return base ? `${base} ${formatMarker(m)}` : formatMarker(m);
}

/** How many characters the marker takes in a description (for check()'s length limits). */
export function markerLength(owner: string): number {
    return formatMarker({ owner, claim: "0".repeat(12) }).length + 1;
}

/** Create/adopt of an object whose marker names another owner fails before any change. */
export class OwnershipConflict extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OwnershipConflict";
    }
}

/**
 * Throws ONE clear error when `marker` names an owner other than `inputs.owner`, unless
 * `takeOverFrom` names that owner (or is "*"). Call it BEFORE any change to the object.
 * `ownClaim` (on update: this resource's claim from its state) also allows the object this very
 * resource marked, e.g. when the user changed `owner`; a mere change of the owner recorded by a
 * refresh does not, so a take-over by another stack is never silently undone.
 */
export function assertMayAdopt(
    kind: string,
    what: string,
    marker: Marker | undefined,
    inputs: OwnershipInputs,
    ownClaim?: string | string[],
): void {
    // Made by hand, by a version without markers, or by a resource without an owner: adopted and marked.
    if (!marker || marker.owner === "") return;
    const me = inputs.owner ?? "";
    if (marker.owner === me) return;
    // A list is the first version's "also allowed owners" (kept for callers written against it).
    if (Array.isArray(ownClaim) ? ownClaim.includes(marker.owner) : ownClaim !== undefined && marker.claim === ownClaim)
        return;
    if (inputs.takeOverFrom === "*" || inputs.takeOverFrom === marker.owner) return;
    throw new OwnershipConflict(
        `${kind}: ${what} is managed by "${marker.owner}", not by this stack ("${me || "(no owner)"}"); nothing was changed. ` +
            `If that owner no longer manages it, take it over explicitly: set takeOverFrom: "${marker.owner}" on this resource ` +
            `(or \`pulumi config set qlik:takeOverFrom ${marker.owner}\` for the whole stack), run \`pulumi up\`, then remove the setting. ` +
            "Otherwise remove this resource from the program: two stacks must not manage the same object (docs/ownership.md).",
    );
}

/**
 * Replacement safety: the delete of a resource removes an object only when the object's marker is
 * absent (nobody else claims it) or still carries this resource's claim. A successor that adopted
 * the object re-marked it with its own claim, so its objects survive the delete of the old one.
 */
export function mayDelete(marker: Marker | undefined, claim: string | undefined): boolean {
    return !marker || !claim || marker.claim === claim;
}

// ---- tenant-level markers (for things with no free-text place) ----

function markerSpaceName(key: string): string {
    return `${MARKER_SPACE_PREFIX}${key}`;
}

export interface TenantMarker {
    marker?: Marker;
    spaceId?: string;
}

/** The tenant-level marker `key` (e.g. "tenant", "licenses") of the tenant behind `c`. */
export async function readTenantMarker(c: HostClient, key: string): Promise<TenantMarker> {
    const space = await findSpaceByName(c, markerSpaceName(key));
    if (!space) return {};
    return { marker: parseMarker(space.description).marker, spaceId: space.id };
}

/** Writes the tenant-level marker `key` (creating its marker space when missing). */
export async function writeTenantMarker(c: HostClient, key: string, m: Marker, known?: TenantMarker): Promise<void> {
    const current = known ?? (await readTenantMarker(c, key));
    const description = formatMarker(m);
    if (current.spaceId) {
        if (current.marker && current.marker.owner === m.owner && current.marker.claim === m.claim) return;
        await c.patch(
            `/api/v1/spaces/${encodeURIComponent(current.spaceId)}`,
            [{ op: "replace", path: "/description", value: description }],
            {
                purpose: `mark ${key} of ${c.host} as managed by ${m.owner}`,
            },
        );
        return;
    }
    try {
        await c.post(
            "/api/v1/spaces",
            { name: markerSpaceName(key), type: "shared", description },
            { purpose: `mark ${key} of ${c.host} as managed by ${m.owner}` },
        );
    } catch (e) {
        // A concurrent writer created it in between: write into that one.
        if (isQlikApiError(e) && e.status === 409) return writeTenantMarker(c, key, m, await readTenantMarker(c, key));
        throw e;
    }
}

/** Removes the tenant-level marker `key` if it still carries `claim` (replacement safety); true when removed or absent. */
export async function removeTenantMarker(c: HostClient, key: string, claim: string | undefined): Promise<boolean> {
    const current = await readTenantMarker(c, key);
    if (!current.spaceId) return true;
    if (!mayDelete(current.marker, claim)) return false;
    try {
        await c.delete(`/api/v1/spaces/${encodeURIComponent(current.spaceId)}`, {
            purpose: `remove the ${key} ownership marker of ${c.host}`,
        });
    } catch (e) {
        if (!(isQlikApiError(e) && e.status === 404)) throw e;
    }
    return true;
}

/** A diff of `owner` (unset = ""; `takeOverFrom` alone is never a change: it only permits one). */
export function ownerChanged(olds: { owner?: unknown }, news: { owner?: unknown }): boolean {
    return isUnknown(news.owner) || (news.owner ?? "") !== (olds.owner ?? "");
}

/** The ownership part of a resource's outputs. */
export function ownershipOutputs(inputs: OwnershipInputs, claim: string): OwnershipOutputs {
    const out: OwnershipOutputs = { owner: inputs.owner ?? "", claim };
    if (inputs.takeOverFrom !== undefined) out.takeOverFrom = inputs.takeOverFrom;
    return out;
}
