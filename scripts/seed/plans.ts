// The demo's plan catalogue (docs/plans.md): standard = the template app only; premium = + the "Sales Forecast"
// app, an authors space, creator roles, analyzer auto-assignment, 5 professional seats; enterprise = premium
// without the seat cap and with professional auto-assignment. The same rows in SQLite and PostgreSQL.
import { FORECAST_APP_KEY, FORECAST_APP_NAME } from "../template/forecast";
import type { InsertRow } from "./customerRows";

export interface DemoPlan {
    name: string;
    description: string;
    professionalSeats: number | null;
    /** null = not managed by the plan. */
    autoAssignProfessional: boolean | null;
    autoAssignAnalyzer: boolean | null;
    creatorRoles: boolean | null;
    authorsSpaceRole: string | null;
    apps: { key: string; templateAppName: string; templateVersion?: string }[];
}

const forecast = { key: FORECAST_APP_KEY, templateAppName: FORECAST_APP_NAME };

export const DEMO_PLANS: DemoPlan[] = [
    {
        name: "standard",
        description: "the template app only",
        professionalSeats: null,
        autoAssignProfessional: false,
        autoAssignAnalyzer: false,
        creatorRoles: false,
        authorsSpaceRole: null,
        apps: [],
    },
    {
        name: "premium",
        description:
            "+ Sales Forecast, an authors space, creator roles, analyzer auto-assignment, 5 professional seats",
        professionalSeats: 5,
        autoAssignProfessional: false,
        autoAssignAnalyzer: true,
        creatorRoles: true,
        authorsSpaceRole: "producer",
        apps: [forecast],
    },
    {
        name: "enterprise",
        description: "premium without a seat cap, with professional auto-assignment",
        professionalSeats: null,
        autoAssignProfessional: true,
        autoAssignAnalyzer: true,
        creatorRoles: true,
        authorsSpaceRole: "producer",
        apps: [forecast],
    },
];

const bit = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

/** The catalogue as rows of plans and plan_apps (insert them with `keep`: the standard row exists already). */
export function planRows(plans: DemoPlan[] = DEMO_PLANS): InsertRow[] {
    return plans.flatMap((p): InsertRow[] => [
        {
            table: "plans",
            values: {
                name: p.name,
                description: p.description,
                professional_seats: p.professionalSeats,
                auto_assign_professional: bit(p.autoAssignProfessional),
                auto_assign_analyzer: bit(p.autoAssignAnalyzer),
                creator_roles: bit(p.creatorRoles),
                authors_space_role: p.authorsSpaceRole,
            },
        },
        ...p.apps.map((a): InsertRow => ({
            table: "plan_apps",
            values: {
                plan: p.name,
                app_key: a.key,
                template_app_name: a.templateAppName,
                template_version: a.templateVersion ?? "",
            },
        })),
    ]);
}

/**
 * The catalogue's settings written over rows that existed before the catalogue was inserted: the schema creates
 * the 'standard' row with every setting NULL (not managed, what a migrated schema-1 fleet needs), and a fresh demo
 * database wants the catalogue's values (standard says off). Run only on a database the seed creates.
 */
export function planSettingsUpdates(
    plans: DemoPlan[] = DEMO_PLANS,
    postgres = false,
): { sql: string; params: unknown[] }[] {
    const m = (i: number) => (postgres ? `$${i}` : "?");
    return plans.map((p) => ({
        sql: `UPDATE plans SET description = ${m(1)}, professional_seats = ${m(2)}, auto_assign_professional = ${m(3)}, auto_assign_analyzer = ${m(4)}, creator_roles = ${m(5)}, authors_space_role = ${m(6)} WHERE name = ${m(7)}`,
        params: [
            p.description,
            p.professionalSeats,
            bit(p.autoAssignProfessional),
            bit(p.autoAssignAnalyzer),
            bit(p.creatorRoles),
            p.authorsSpaceRole,
            p.name,
        ],
    }));
}
