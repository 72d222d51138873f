// LicenseAssignment: a tenant's license auto-assign settings and the license type of the subjects
// this resource manages (docs/reference/qlik-cloud-api.md §3). Assignment actions answer 207 with one result per
// item; every item is inspected, because a 207 is a 2xx even when every item failed.
import { Props, isUnknown, stableJson, checkWith, typedHandlers } from "./handlers";
import { isQlikApiError } from "../qlik";
import { api, assertSameTenant, initFailed, tenantHostDiff, tenantIdOf } from "./support";
import {
    Marker,
    OwnershipOutputs,
    assertMayAdopt,
    claimOf,
    mayDelete,
    newClaim,
    ownerChanged,
    readTenantMarker,
    removeTenantMarker,
    writeTenantMarker,
    markOf,
} from "./ownership";
import { z } from "zod";
import { CheckedInputs, checkedInputs, schemaFailures, stateParser } from "../schema/core";
import { LICENSE_SETTINGS, licenseAssignmentInputs, licenseAssignmentSchema } from "../schema/licenseAssignment";

const SETTINGS = LICENSE_SETTINGS;
type Setting = (typeof LICENSE_SETTINGS)[number];

type LicenseInputs = CheckedInputs<typeof licenseAssignmentInputs>;

/** The outputs; only tenantHost is in every state (a failed create stores tenantHost, tenantId, owner, claim). */
export interface LicenseState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    tenantId?: string;
    /** Live setting. */
    autoAssignProfessional?: boolean;
    /** Live setting. */
    autoAssignAnalyzer?: boolean;
    /** The settings the inputs declared (older states lack it: then the settings that are set). */
    managedSettings?: string[];
    /** Live license type of each managed subject (a subject missing here has no license). */
    assignments?: Record<string, string>;
}

const licenseState: z.ZodType<LicenseState> = z.looseObject({
    tenantHost: z.string(),
    tenantId: z.string().optional(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    autoAssignProfessional: z.boolean().optional(),
    autoAssignAnalyzer: z.boolean().optional(),
    managedSettings: z.array(z.string()).optional(),
    assignments: z.record(z.string(), z.string()).optional(),
});
/** The actions endpoints take at most 100 items per call. */
const BATCH = 100;

interface Assignment {
    subject: string;
    type: string;
}
interface ItemResult {
    subject?: string;
    type?: string;
    status?: number;
    code?: string;
    title?: string;
}

/** Fails with every failed item named (subject, code, title): partial success is failure. */
function inspect(action: string, sent: readonly { subject?: string }[], data: ItemResult[] | undefined): void {
    const results = data ?? [];
    const failed: string[] = [];
    sent.forEach((item, i) => {
        const r = results.find((x) => x.subject === item.subject) ?? results[i];
        if (!r) failed.push(`subject ${JSON.stringify(item.subject)}: no result returned`);
        else if (typeof r.status !== "number" || r.status < 200 || r.status > 299) {
            failed.push(
                `subject ${JSON.stringify(item.subject)}: ${r.code ?? "?"} (${r.status ?? "?"}) ${r.title ?? ""}`.trim(),
            );
        }
    });
    if (failed.length)
        throw new Error(
            `LicenseAssignment: ${action} failed for ${failed.length} of ${sent.length} subject(s):\n  - ${failed.join("\n  - ")}`,
        );
}

async function act(host: string, action: "add" | "update" | "delete", items: Record<string, string>[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH) {
        const batch = items.slice(i, i + BATCH);
        const res = await api(host).send<{ data?: ItemResult[] }>({
            method: "POST",
            path: `/api/v1/licenses/assignments/actions/${action}`,
            body: { [action]: batch },
            expect: [200, 207],
            purpose: `${action} license assignments on ${host}`,
        });
        inspect(action, batch, res.body?.data);
    }
}

async function liveAssignments(host: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const a of api(host).paginate<Assignment>("/api/v1/licenses/assignments", {
        purpose: `list license assignments on ${host}`,
        query: { limit: 100 },
    })) {
        out.set(a.subject, a.type);
    }
    return out;
}

async function liveSettings(host: string): Promise<Record<string, boolean>> {
    return api(host).get<Record<string, boolean>>("/api/v1/licenses/settings", {
        purpose: `read license settings of ${host}`,
    });
}

/** Brings the managed subjects to `want`; `drop` are previously managed subjects to unassign. */
async function converge(host: string, want: Record<string, string>, drop: string[]): Promise<void> {
    const live = await liveAssignments(host);
    const add: Record<string, string>[] = [];
    const update: Record<string, string>[] = [];
    const del: Record<string, string>[] = [];
    for (const [subject, type] of Object.entries(want)) {
        const cur = live.get(subject);
        if (cur === undefined) add.push({ subject, type });
        else if (cur !== type) update.push({ subject, type, sourceType: cur });
    }
    for (const subject of drop) {
        const cur = live.get(subject);
        if (cur !== undefined && want[subject] === undefined) del.push({ subject, type: cur });
    }
    // Free allotments first, so a swap between types fits in a full license.
    if (del.length) await act(host, "delete", del);
    if (update.length) await act(host, "update", update);
    if (add.length) await act(host, "add", add);
}

async function putSettings(host: string, inputs: LicenseInputs): Promise<void> {
    const body: Record<string, boolean> = {};
    for (const k of SETTINGS) {
        const v = inputs[k];
        if (typeof v === "boolean") body[k] = v;
    }
    if (Object.keys(body).length)
        await api(host).put("/api/v1/licenses/settings", body, { purpose: `set license auto-assign on ${host}` });
}

/**
 * License settings and assignments have no free-text field, so their ownership marker is a
 * tenant-level marker object (docs/ownership.md).
 */
const MARKER_KEY = "licenses";

/** The settings the inputs declare: only those come back from read() as inputs (no `+autoAssignProfessional` noise). */
function declaredSettings(inputs: LicenseInputs | LicenseState): Setting[] {
    const managed = inputs.managedSettings;
    if (Array.isArray(managed)) return SETTINGS.filter((k) => managed.includes(k));
    return SETTINGS.filter((k) => inputs[k] !== undefined);
}

async function outputsFor(
    host: string,
    inputs: LicenseInputs | LicenseState,
    managed: string[],
    own: Marker,
    tenantId?: string,
): Promise<LicenseState> {
    const [settings, live] = await Promise.all([liveSettings(host), liveAssignments(host)]);
    const assignments: Record<string, string> = {};
    for (const s of managed) {
        const t = live.get(s);
        if (t !== undefined) assignments[s] = t;
    }
    const outs: LicenseState = {
        owner: own.owner,
        claim: own.claim,
        tenantHost: host,
        tenantId: tenantId ?? (typeof inputs.tenantId === "string" ? inputs.tenantId : undefined),
        autoAssignProfessional: settings.autoAssignProfessional ?? false,
        autoAssignAnalyzer: settings.autoAssignAnalyzer ?? false,
        managedSettings: declaredSettings(inputs),
        assignments,
    };
    if (inputs.takeOverFrom !== undefined) outs.takeOverFrom = inputs.takeOverFrom;
    return outs;
}

const parse = { inputs: checkedInputs(licenseAssignmentSchema), state: stateParser("LicenseAssignment", licenseState) };

export const handlers = typedHandlers<LicenseInputs, LicenseState>(parse, {
    check: checkWith((inputs) => schemaFailures(licenseAssignmentSchema, inputs)),

    async diff(_id, olds, news) {
        // Another name of the same tenant is an update, never a replacement (support.ts, issue 8 item 4).
        const host = await tenantHostDiff(olds, news);
        const replaces = host === "replace" ? ["tenantHost"] : [];
        // Settings left unset are not managed; assignments is managed as a whole map.
        const settings = SETTINGS.filter((k) => news[k] !== undefined && (isUnknown(news[k]) || news[k] !== olds[k]));
        const assignments =
            isUnknown(news.assignments) || stableJson(news.assignments ?? {}) !== stableJson(olds.assignments ?? {});
        const changes =
            replaces.length > 0 ||
            host === "readdress" ||
            settings.length > 0 ||
            assignments ||
            ownerChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const host = inputs.tenantHost;
        const want = inputs.assignments ?? {};
        const id = `${host}/licenses`;
        // Before any change: another stack's license settings are not adopted (docs/ownership.md).
        const c = api(host);
        const tm = await readTenantMarker(c, MARKER_KEY);
        assertMayAdopt("LicenseAssignment", `the license settings and assignments of ${host}`, tm.marker, inputs);
        const claim = newClaim();
        const tenantId = await tenantIdOf(host);
        try {
            await putSettings(host, inputs);
            await converge(host, want, []);
            await writeTenantMarker(c, MARKER_KEY, markOf(inputs, claim), tm);
        } catch (e) {
            // Settings and some assignments may already be in place: keep the resource so the next up converges it.
            const outs = await outputsFor(host, inputs, Object.keys(want), markOf(inputs, claim), tenantId).catch(
                () => ({
                    tenantHost: host,
                    tenantId,
                    ...markOf(inputs, claim),
                }),
            );
            throw initFailed(`LicenseAssignment: configuring licenses on ${host} failed`, id, outs, e);
        }
        return { id, outs: await outputsFor(host, inputs, Object.keys(want), markOf(inputs, claim), tenantId) };
    },

    async read(id, props) {
        const host = props.tenantHost;
        let outs: LicenseState;
        try {
            // The owner found in Qlik is reported: a take-over or a removed marker shows as a diff of `owner`.
            const tm = await readTenantMarker(api(host), MARKER_KEY);
            outs = await outputsFor(host, props, Object.keys(props.assignments ?? {}), {
                owner: tm.marker?.owner ?? "",
                claim: claimOf(props),
            });
        } catch (e) {
            if (isQlikApiError(e) && e.status === 401 && e.code === "TENANT_DISABLED")
                return { id, props, inputs: inputsFrom(props) };
            throw e;
        }
        return { id, props: outs, inputs: inputsFrom(outs) };
    },

    async update(_id, olds, news) {
        const tenantId = await assertSameTenant("LicenseAssignment", olds, news);
        const host = news.tenantHost;
        const want = news.assignments ?? {};
        const claim = claimOf(olds);
        const c = api(host);
        const tm = await readTenantMarker(c, MARKER_KEY);
        // Settings another stack took over since our last up are not changed back.
        assertMayAdopt("LicenseAssignment", `the license settings and assignments of ${host}`, tm.marker, news, claim);
        await putSettings(host, news);
        await converge(host, want, Object.keys(olds.assignments ?? {}));
        await writeTenantMarker(c, MARKER_KEY, markOf(news, claim), tm);
        return { outs: await outputsFor(host, news, Object.keys(want), markOf(news, claim), tenantId) };
    },

    async delete(_id, props) {
        const host = props.tenantHost;
        try {
            // Replacement safety: a successor (or another stack) that re-marked the licenses manages them now.
            const c = api(host);
            const tm = await readTenantMarker(c, MARKER_KEY);
            if (!mayDelete(tm.marker, props.claim)) return;
            await converge(host, {}, Object.keys(props.assignments ?? {}));
            await removeTenantMarker(c, MARKER_KEY, props.claim);
        } catch (e) {
            // A deactivated tenant's assignments cannot be changed any more and go with the tenant.
            if (isQlikApiError(e) && (e.status === 404 || (e.status === 401 && e.code === "TENANT_DISABLED"))) return;
            throw e;
        }
    },
});

function inputsFrom(outs: LicenseState): Props {
    const inputs: Props = { tenantHost: outs.tenantHost, assignments: outs.assignments, owner: outs.owner ?? "" };
    // Only declared settings: an unset one is Qlik's default, not drift (issue 8 item 5).
    for (const k of declaredSettings(outs)) inputs[k] = outs[k];
    if (outs.takeOverFrom !== undefined) inputs.takeOverFrom = outs.takeOverFrom;
    return inputs;
}
