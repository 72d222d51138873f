// LicenseAssignment: a tenant's license auto-assign settings and the license type of the subjects
// this resource manages (qlik-cloud-api.md §3). Assignment actions answer 207 with one result per
// item; every item is inspected, because a 207 is a 2xx even when every item failed.
import { Failures, Props, ResourceHandlers, isUnknown, stableJson, checkWith } from "./handlers";
import { isQlikApiError } from "../qlik";
import { api, checkHost } from "./support";

export const LICENSE_TYPES = ["professional", "analyzer"] as const;
const SETTINGS = ["autoAssignProfessional", "autoAssignAnalyzer"] as const;
/** The actions endpoints take at most 100 items per call. */
const BATCH = 100;

interface Assignment { subject: string; type: string }
interface ItemResult { subject?: string; type?: string; status?: number; code?: string; title?: string }


function validate(inputs: Props): Failures {
    const f = new Failures();
    checkHost(f, "tenantHost", inputs.tenantHost);
    for (const k of SETTINGS) {
        if (inputs[k] !== undefined && !isUnknown(inputs[k]) && typeof inputs[k] !== "boolean") f.add(k, "must be true or false");
    }
    const a = inputs.assignments;
    if (a !== undefined && !isUnknown(a)) {
        if (!a || typeof a !== "object" || Array.isArray(a)) {
            f.add("assignments", 'must be a map of subject -> license type, e.g. { "auth0|123": "professional" }');
        } else {
            for (const [subject, type] of Object.entries(a as Record<string, unknown>)) {
                if (subject.trim() === "") f.add("assignments", "has an empty subject; keys are the users' IdP subjects (JWT `sub`)");
                if (!isUnknown(type) && !LICENSE_TYPES.includes(type as (typeof LICENSE_TYPES)[number])) {
                    f.add(`assignments.${subject}`, `license type ${JSON.stringify(type)} is not allowed; use one of: ${LICENSE_TYPES.join(", ")}`);
                }
            }
        }
    }
    return f;
}

/** Fails with every failed item named (subject, code, title): partial success is failure. */
function inspect(action: string, sent: Assignment[], data: ItemResult[] | undefined): void {
    const results = data ?? [];
    const failed: string[] = [];
    sent.forEach((item, i) => {
        const r = results.find((x) => x.subject === item.subject) ?? results[i];
        if (!r) failed.push(`subject ${JSON.stringify(item.subject)}: no result returned`);
        else if (typeof r.status !== "number" || r.status < 200 || r.status > 299) {
            failed.push(`subject ${JSON.stringify(item.subject)}: ${r.code ?? "?"} (${r.status ?? "?"}) ${r.title ?? ""}`.trim());
        }
    });
    if (failed.length) throw new Error(`LicenseAssignment: ${action} failed for ${failed.length} of ${sent.length} subject(s):\n  - ${failed.join("\n  - ")}`);
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
        inspect(action, batch as unknown as Assignment[], res.body?.data);
    }
}

async function liveAssignments(host: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const a of api(host).paginate<Assignment>("/api/v1/licenses/assignments", { purpose: `list license assignments on ${host}`, query: { limit: 100 } })) {
        out.set(a.subject, a.type);
    }
    return out;
}

async function liveSettings(host: string): Promise<Record<string, boolean>> {
    return api(host).get<Record<string, boolean>>("/api/v1/licenses/settings", { purpose: `read license settings of ${host}` });
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

async function putSettings(host: string, inputs: Props): Promise<void> {
    const body: Record<string, boolean> = {};
    for (const k of SETTINGS) if (typeof inputs[k] === "boolean") body[k] = inputs[k];
    if (Object.keys(body).length) await api(host).put("/api/v1/licenses/settings", body, { purpose: `set license auto-assign on ${host}` });
}

async function outputsFor(host: string, inputs: Props, managed: string[]): Promise<Props> {
    const [settings, live] = await Promise.all([liveSettings(host), liveAssignments(host)]);
    const assignments: Record<string, string> = {};
    for (const s of managed) {
        const t = live.get(s);
        if (t !== undefined) assignments[s] = t;
    }
    return {
        tenantHost: host,
        autoAssignProfessional: settings.autoAssignProfessional ?? false,
        autoAssignAnalyzer: settings.autoAssignAnalyzer ?? false,
        assignments,
    };
}

export const handlers: ResourceHandlers = {
    check: checkWith(validate),

    async diff(_id, olds, news) {
        const replaces = isUnknown(news.tenantHost) || news.tenantHost !== olds.tenantHost ? ["tenantHost"] : [];
        // Settings left unset are not managed; assignments is managed as a whole map.
        const settings = SETTINGS.filter((k) => news[k] !== undefined && (isUnknown(news[k]) || news[k] !== olds[k]));
        const assignments = isUnknown(news.assignments) || stableJson(news.assignments ?? {}) !== stableJson(olds.assignments ?? {});
        return { changes: replaces.length > 0 || settings.length > 0 || assignments, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const host = inputs.tenantHost as string;
        const want = (inputs.assignments ?? {}) as Record<string, string>;
        const id = `${host}/licenses`;
        await putSettings(host, inputs);
        try {
            await converge(host, want, []);
        } catch (e) {
            // Settings and some assignments may already be in place: keep the resource so the next up converges it.
            const err = e as Error & { id?: string; properties?: Props };
            err.id = id;
            err.properties = JSON.parse(JSON.stringify(await outputsFor(host, inputs, Object.keys(want)).catch(() => ({ tenantHost: host }))));
            throw err;
        }
        return { id, outs: await outputsFor(host, inputs, Object.keys(want)) };
    },

    async read(id, props) {
        const host = props.tenantHost as string;
        let outs: Props;
        try {
            outs = await outputsFor(host, props, Object.keys(props.assignments ?? {}));
        } catch (e) {
            if (isQlikApiError(e) && e.status === 401 && e.code === "TENANT_DISABLED") return { id, props, inputs: inputsFrom(props) };
            throw e;
        }
        return { id, props: outs, inputs: inputsFrom(outs) };
    },

    async update(_id, olds, news) {
        const host = news.tenantHost as string;
        const want = (news.assignments ?? {}) as Record<string, string>;
        await putSettings(host, news);
        await converge(host, want, Object.keys(olds.assignments ?? {}));
        return { outs: await outputsFor(host, news, Object.keys(want)) };
    },

    async delete(_id, props) {
        const host = props.tenantHost as string;
        try {
            await converge(host, {}, Object.keys(props.assignments ?? {}));
        } catch (e) {
            // A deactivated tenant's assignments cannot be changed any more and go with the tenant.
            if (isQlikApiError(e) && (e.status === 404 || (e.status === 401 && e.code === "TENANT_DISABLED"))) return;
            throw e;
        }
    },
};

function inputsFrom(outs: Props): Props {
    return {
        tenantHost: outs.tenantHost,
        autoAssignProfessional: outs.autoAssignProfessional,
        autoAssignAnalyzer: outs.autoAssignAnalyzer,
        assignments: outs.assignments,
    };
}
