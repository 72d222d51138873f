// Example: plans (docs/plans.md). One customer's plan goes standard -> premium and back with a one-field change
// in the master database: the upgrade previews and adds exactly that customer's premium pieces, the downgrade is
// refused while it would delete the forecast app its users made sheets in, then done with the confirmation;
// the other customer is untouched throughout.
import { expect } from "chai";
import Database = require("better-sqlite3");
import { step } from "../support/steps";
import { call, tokenFor } from "../support/http";
import { Fleet } from "./fleet-fixture";
import { stableJson } from "../../provider/resources/handlers";

interface PreviewStep {
    op: string;
    urn: string;
    diffReasons?: string[];
    oldState?: { inputs?: Record<string, unknown> };
    newState?: { inputs?: Record<string, unknown> };
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** The steps a `preview --json` plans, other than "same", as "op name" (plus the changed input keys of updates). */
async function plannedSteps(fleet: Fleet): Promise<{ ops: string[]; changed: Record<string, string[]> }> {
    const r = await fleet.project.run(["preview", "--json"]);
    const steps = (JSON.parse(r.stdout) as { steps?: PreviewStep[] }).steps ?? [];
    const changed: Record<string, string[]> = {};
    const ops: string[] = [];
    for (const s of steps) {
        if (s.op === "same" || s.urn.includes("pulumi:pulumi:Stack")) continue;
        ops.push(`${s.op} ${nameOf(s.urn)}`);
        if (s.op === "update") {
            // An update of the tenant leaves its system hostname unknown at preview, so a resource of the same
            // customer that changes anyway lists tenantHost among its reasons; the up proves it does not move.
            const olds = s.oldState?.inputs ?? {};
            const news = s.newState?.inputs ?? {};
            changed[nameOf(s.urn)] = (
                s.diffReasons ??
                [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
                    (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
                )
            ).filter((k) => k !== "tenantHost");
        }
    }
    return { ops: ops.sort(), changed };
}

type Snapshot = Record<string, { id?: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;

/** Every resource of a customer as the state records it, by name: an untouched customer's snapshot never changes. */
async function stateOf(fleet: Fleet, alias: string): Promise<Snapshot> {
    const r = await fleet.project.run(["stack", "export", "--show-secrets"]);
    const resources = (
        JSON.parse(r.stdout) as {
            deployment: {
                resources: {
                    urn: string;
                    id?: string;
                    inputs?: Record<string, unknown>;
                    outputs?: Record<string, unknown>;
                }[];
            };
        }
    ).deployment.resources;
    const mine = resources.filter((x) => nameOf(x.urn) === alias || nameOf(x.urn).startsWith(`${alias}-`));
    expect(mine.length, `${alias}'s resources in the state`).to.be.greaterThan(5);
    return Object.fromEntries(
        mine.map((x) => [nameOf(x.urn), { id: x.id, inputs: x.inputs ?? {}, outputs: x.outputs ?? {} }]),
    );
}

/** "name.inputs.key" of every value that differs between two snapshots. */
function differences(a: Snapshot, b: Snapshot): string[] {
    const out: string[] = [];
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
        if (!a[name] || !b[name]) {
            out.push(`${name} ${a[name] ? "gone" : "added"}`);
            continue;
        }
        if (a[name].id !== b[name].id) out.push(`${name}.id`);
        // Key order is not state: an export may list an object's keys in another order.
        for (const part of ["inputs", "outputs"] as const) {
            const x = a[name][part];
            const y = b[name][part];
            for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])])
                if (stableJson(x[k]) !== stableJson(y[k])) out.push(`${name}.${part}.${k}`);
        }
    }
    return out;
}

function setPlan(fleet: Fleet, alias: string, plan: string): void {
    const db = new Database(fleet.masterDb);
    try {
        db.pragma("foreign_keys = ON");
        expect(db.prepare("UPDATE customers SET plan = ? WHERE alias = ?").run(plan, alias).changes).to.equal(1);
    } finally {
        db.close();
    }
}

describe("fleet example: a customer upgraded to premium and downgraded again", function () {
    this.timeout(600_000); // one test runs every step; generous for a busy machine
    let fleet: Fleet;
    before(async () => {
        fleet = await Fleet.start(["acme", "globex"], { forecast: true });
        // --skip-preview: what up previews is not checked here, and it costs as much as the update (docs/benchmark.md)
        await fleet.project.run(["up", "--yes", "--skip-preview"]);
    });
    after(async () => fleet?.close());

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        const start = await fleet.outputs();
        const globexState = await stateOf(fleet, "globex");
        expect(start.tenants.acme).to.deep.include({ plan: "standard", ring: "canary", extraApps: {}, lastGate: null });
        expect(start.tenants.acme.templateVersion).to.equal(fleet.template.version);

        await step("upgrade: the preview holds exactly acme's premium pieces, nothing of globex", async () => {
            setPlan(fleet, "acme", "premium");
            const { ops, changed } = await plannedSteps(fleet);
            expect(ops).to.deep.equal([
                "create acme-app-forecast",
                "create acme-authors",
                "create acme-publish-forecast",
                "update acme-licenses",
                "update acme-tenant",
            ]);
            expect(changed["acme-tenant"]).to.have.members([
                "autoAssignCreateSharedSpacesRoleToProfessionals",
                "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
            ]);
            expect(changed["acme-licenses"]).to.have.members(["autoAssignAnalyzer"]);
        });

        let forecastAppId = "";
        await step("up: acme's user opens the forecast app and sees acme's own data", async () => {
            await fleet.project.run(["up", "--yes", "--skip-preview"]);
            const out = await fleet.outputs();
            expect(out.tenants.acme.plan).to.equal("premium");
            expect(out.tenants.acme.publishedAppId).to.equal(start.tenants.acme.publishedAppId);
            expect(out.tenants.acme.extraApps.forecast.reloadStatus).to.equal("SUCCEEDED");
            forecastAppId = out.tenants.acme.extraApps.forecast.publishedAppId;
            const d = await fleet.dashboardOf("acme", out, "forecast");
            expect(d.sees.orders).to.equal(d.truth.orders);
            expect(d.sees.revenue).to.be.closeTo(d.truth.amount, 0.01);
            expect(d.sees.sheets).to.include("fcForecast");
            expect(out.tenants.globex).to.deep.equal(start.tenants.globex);
        });

        await step("a user of acme makes a personal sheet in the published forecast app", async () => {
            const john = await fleet.openAs("acme", undefined, "forecast");
            try {
                await john.doc.createObject({
                    qInfo: { qId: "johnsForecastSheet", qType: "sheet" },
                    qMetaDef: { title: "John's forecast" },
                });
            } finally {
                await john.close();
            }
        });

        await step("downgrade: preview is refused, naming acme and the forecast app; nothing planned", async () => {
            setPlan(fleet, "acme", "standard");
            const r = await fleet.project.run(["preview"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            expect(r.output).to.match(/customer acme moves from plan premium to standard/);
            expect(r.output).to.contain('app forecast: "Sales Forecast" published in "Acme Corporation Forecast"');
            expect(r.output).to.contain("fleet:confirmDowngrades acme");
            expect(r.output).to.not.match(/customer globex/);
        });

        await step("confirmed: up removes exactly the premium pieces and turns the plan's settings off", async () => {
            await fleet.project.run(["config", "set", "fleet:confirmDowngrades", "acme"]);
            const { ops, changed } = await plannedSteps(fleet);
            expect(ops).to.deep.equal([
                "delete acme-app-forecast",
                "delete acme-authors",
                "delete acme-publish-forecast",
                "update acme-licenses",
                "update acme-tenant",
            ]);
            expect(changed["acme-licenses"]).to.include("autoAssignAnalyzer");
            await fleet.project.run(["up", "--yes", "--skip-preview"]);
            const out = await fleet.outputs();
            expect(out.tenants.acme).to.deep.include({ plan: "standard", extraApps: {} });
            expect(out.tenants.acme.publishedAppId).to.equal(start.tenants.acme.publishedAppId);
            // The forecast app is gone from acme's tenant (with John's sheet in it); the main app still serves.
            const host = out.tenants.acme.hostname;
            const token = await tokenFor(fleet.emu.url, host, fleet.emu.info.oauthClient);
            expect((await call(fleet.emu.url, `/api/v1/apps/${forecastAppId}`, { host, token })).status).to.equal(404);
            await fleet.expectEachSeesOwnData(["acme", "globex"], out);
        });

        await step(
            "the confirmation removed again: the fleet previews no change; globex's state never moved",
            async () => {
                await fleet.project.run(["config", "rm", "fleet:confirmDowngrades"]);
                await fleet.project.run(["preview", "--expect-no-changes"]);
                expect(differences(globexState, await stateOf(fleet, "globex"))).to.deep.equal([]);
                expect((await fleet.outputs()).tenants.globex).to.deep.equal(start.tenants.globex);
            },
        );
    });
});
