// Licenses per tenant (docs/reference/qlik-cloud-api.md §3): overview of the OEM license with per-tenant allotments,
// user assignments (207 per-item results), and auto-assign settings.
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import type { LicensePayload } from "./licenseKey";

export interface Assignment {
    subject: string;
    type: string;
    excess: boolean;
    created: string;
}
export interface LicenseState {
    tenantId: string;
    settings: { autoAssignProfessional: boolean; autoAssignAnalyzer: boolean };
    assignments: Assignment[];
}
export interface ItemResult {
    subject: string;
    type?: string;
    status: number;
    code?: string;
    title?: string;
}

const ALLOTMENTS = ["professional", "analyzer"] as const;
const bad = (detail: string) => domainError("invalid", "LICENSES-001", "Bad request", detail);

export class LicensesModel {
    constructor(private readonly emu: Emulator) {}

    license(): { payload: LicensePayload; licenseKey: string } {
        const l = this.emu.store.get<{ payload: LicensePayload; licenseKey: string }>("meta", "license");
        if (!l) throw domainError("not-found", "LICENSES-404", "Not found", "No license");
        return l;
    }

    state(tenantId: string): LicenseState {
        return (
            this.emu.store.get<LicenseState>("licenses", tenantId) ?? {
                tenantId,
                settings: { autoAssignProfessional: false, autoAssignAnalyzer: false },
                assignments: [],
            }
        );
    }
    private save(s: LicenseState): void {
        this.emu.store.put("licenses", s.tenantId, s, s.tenantId);
    }

    units(type: string): number | undefined {
        const p = this.license().payload;
        return type === "professional" ? p.professional : type === "analyzer" ? p.analyzer : undefined;
    }

    overview(tenantId: string): Record<string, unknown> {
        const { payload, licenseKey } = this.license();
        const st = this.state(tenantId);
        return {
            licenseNumber: payload.licenseNumber,
            licenseKey,
            valid: this.validInterval(payload.issued),
            status: "Ok",
            origin: "External",
            trial: false,
            product: payload.product,
            secondaryNumber: "0",
            parameters: [],
            updated: payload.issued,
            changeTime: payload.issued,
            latestValidTime: new Date(Date.parse(payload.issued) + 365 * 86_400_000).toISOString(),
            allotments: [
                ...ALLOTMENTS.map((name) => ({
                    name,
                    usageClass: "assigned",
                    units: this.units(name),
                    unitsUsed: st.assignments.filter((a) => a.type === name).length,
                    overage: 0,
                })),
                { name: "analyzer_time", usageClass: "time", units: 0, unitsUsed: 0, overage: 0 },
            ],
        };
    }

    status(): Record<string, unknown> {
        const { payload } = this.license();
        // LicenseStatus requires extensionStatus; `valid` is an ISO 8601 interval (qliksense-licenses-api-openapi.yml).
        return {
            type: "Signed",
            status: "Ok",
            trial: false,
            valid: this.validInterval(payload.issued),
            origin: "External",
            product: payload.product,
            deactivated: false,
            extensionStatus: "Unavailable",
        };
    }

    /** "YYYY-MM-DD/YYYY-MM-DD": one year from the key's issue date, the form of the spec's examples. */
    private validInterval(issued: string): string {
        const start = Date.parse(issued);
        return `${new Date(start).toISOString().slice(0, 10)}/${new Date(start + 365 * 86_400_000).toISOString().slice(0, 10)}`;
    }

    private items(body: unknown, key: string): Record<string, unknown>[] {
        if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Body must be a JSON object");
        const list = (body as Record<string, unknown>)[key];
        if (!Array.isArray(list) || list.length === 0 || list.length > 100)
            throw bad(`${key} must be an array of 1..100 items`);
        // The licenses service decodes the body into typed structs (AssignmentsActionsAddRequest and friends:
        // subject/type/sourceType are strings), so a wrongly typed field fails the whole call with 400 before any
        // item is processed, instead of becoming a per-item result such as subject "[object Object]".
        return list.map((i, n) => {
            if (!i || typeof i !== "object" || Array.isArray(i)) throw bad(`${key}[${n}] must be an object`);
            for (const f of ["subject", "type", "sourceType"]) {
                const v = (i as Record<string, unknown>)[f];
                if (v !== undefined && typeof v !== "string") throw bad(`${key}[${n}].${f} must be a string`);
            }
            return i as Record<string, unknown>;
        });
    }

    /** One assignments action: each item's result from `fn` over the tenant's state, saved once. */
    private batch(
        tenantId: string,
        body: unknown,
        key: string,
        fn: (st: LicenseState, item: Record<string, unknown>) => ItemResult,
    ): ItemResult[] {
        const st = this.state(tenantId);
        const out = this.items(body, key).map((i) => fn(st, i));
        this.save(st);
        return out;
    }

    /** The per-item 403 when no unit of `type` is left (or the license has no such type). */
    private noAllotment(st: LicenseState, subject: string, type: string): ItemResult | undefined {
        const units = this.units(type);
        if (units !== undefined && st.assignments.filter((a) => a.type === type).length < units) return undefined;
        return {
            subject,
            type,
            status: 403,
            code: "LICENSES-011",
            title: "No available allotment for the license type.",
        };
    }

    add(tenantId: string, body: unknown): ItemResult[] {
        return this.batch(tenantId, body, "add", (st, i): ItemResult => {
            const subject = i.subject,
                type = i.type;
            if (typeof subject !== "string" || subject === "" || typeof type !== "string") {
                return {
                    subject: String(subject ?? ""),
                    status: 400,
                    code: "LICENSES-001",
                    title: "subject and type are required",
                };
            }
            if (st.assignments.some((a) => a.subject === subject)) {
                return { subject, type, status: 409, code: "LICENSES-012", title: "Assignment already exists." };
            }
            const full = this.noAllotment(st, subject, type);
            if (full) return full;
            st.assignments.push({ subject, type, excess: false, created: this.emu.clock.iso() });
            return { subject, type, status: 201 };
        });
    }

    update(tenantId: string, body: unknown): ItemResult[] {
        return this.batch(tenantId, body, "update", (st, i): ItemResult => {
            const subject = i.subject,
                type = i.type;
            if (typeof subject !== "string" || (type !== undefined && typeof type !== "string")) {
                return {
                    subject: String(subject ?? ""),
                    status: 400,
                    code: "LICENSES-001",
                    title: "subject is required",
                };
            }
            const source = typeof i.sourceType === "string" ? i.sourceType : undefined;
            const a = st.assignments.find((x) => x.subject === subject && (!source || x.type === source));
            if (!a) return { subject, type, status: 404, code: "LICENSES-016", title: "Assignment not found." };
            if (typeof type === "string" && type !== a.type) {
                const full = this.noAllotment(st, subject, type);
                if (full) return full;
                a.type = type;
            }
            return { subject, type: a.type, status: 200 };
        });
    }

    delete(tenantId: string, body: unknown): ItemResult[] {
        return this.batch(tenantId, body, "delete", (st, i): ItemResult => {
            const subject = i.subject,
                type = i.type;
            const idx = st.assignments.findIndex(
                (x) => x.subject === subject && (type === undefined || x.type === type),
            );
            if (typeof subject !== "string" || idx < 0) {
                return {
                    subject: String(subject ?? ""),
                    type: typeof type === "string" ? type : undefined,
                    status: 404,
                    code: "LICENSES-016",
                    title: "Assignment not found.",
                };
            }
            st.assignments.splice(idx, 1);
            return { subject, type: typeof type === "string" ? type : undefined, status: 200 };
        });
    }

    /** The license type assigned to `subject` on this tenant, if any. */
    typeOf(tenantId: string, subject: string): string | undefined {
        return this.state(tenantId).assignments.find((a) => a.subject === subject)?.type;
    }

    /**
     * What the auto-assign settings give a user who signs in with no assignment (PUT /api/v1/licenses/settings,
     * settingsBody in qliksense-licenses-api-openapi.yml: "If professional users are available, they will be
     * automatically assigned. Otherwise, analyzer capacity will be assigned, if available."): a professional unit
     * while one is free and autoAssignProfessional is on, else an analyzer unit while one is free and
     * autoAssignAnalyzer is on, else nothing (the emulator's license has no analyzer capacity minutes). A subject
     * that holds an assignment keeps it. Returns the type assigned now, if any.
     */
    autoAssign(tenantId: string, subject: string): string | undefined {
        const st = this.state(tenantId);
        if (st.assignments.some((a) => a.subject === subject)) return undefined;
        const order: string[] = [];
        if (st.settings.autoAssignProfessional) order.push("professional");
        if (st.settings.autoAssignAnalyzer) order.push("analyzer");
        const type = order.find((t) => !this.noAllotment(st, subject, t));
        if (!type) return undefined;
        st.assignments.push({ subject, type, excess: false, created: this.emu.clock.iso() });
        this.save(st);
        return type;
    }

    putSettings(tenantId: string, body: unknown): LicenseState["settings"] {
        if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Body must be a JSON object");
        const b = body as Record<string, unknown>;
        const st = this.state(tenantId);
        for (const k of ["autoAssignProfessional", "autoAssignAnalyzer"] as const) {
            if (b[k] === undefined) continue;
            if (typeof b[k] !== "boolean") throw bad(`${k} must be a boolean`);
            st.settings[k] = b[k] as boolean;
        }
        this.save(st);
        return st.settings;
    }
}

export const licensesModel = (emu: Emulator): LicensesModel => emu.model("licenses", (e) => new LicensesModel(e));
