// `npm run fleet` for real: the command (dist/examples/fleet/ops/cli.js, the real Pulumi CLI through the Automation
// API) on a fleet of three small customers, one per ring. A good release passes every ring; a release whose reload
// fails on the canary customer's data stops after the canary ring, names the customer and the reload log's error
// line, leaves the later rings untouched, and `rollback` puts the canary back with its users' own sheets. Also what an
// operator gets wrong: an unknown --stack, a release whose app is not in the source tenant, drift made by hand (exit 2).
import { expect } from "chai";
import Database = require("better-sqlite3");
import { Fleet } from "./fleet-fixture";
import { placeTemplate } from "../../scripts/template/place";
import { CONNECTION_NAME, CONNECTION_SPACE, LOAD_SCRIPT } from "../../scripts/template/loadScript";
import type { FleetStatus } from "../../examples/fleet/ops/status";
import type { RolloutRow } from "../../examples/fleet/ops/report";
import { step } from "../support/steps";
import { fleetCli, fleetJson, removeManagedSpaceGroup } from "./fixtures/fleetCli";

const RINGS: Record<string, string> = { acme: "canary", globex: "early", initech: "general" };
const ALIASES = Object.keys(RINGS);

interface RolloutJson {
    rollout: { id: number; version: string; state: string; currentRing: string | null; message: string };
    customers: RolloutRow[];
    finalUp: string;
}

/** The release's script: the template's, plus a marker table (and whatever `extra` reads). */
const releaseScript = (n: number, extra = "") =>
    `${LOAD_SCRIPT}\nRelease:\nLOAD * INLINE [\nTemplateRelease\n${n}\n];\n${extra}`;

const READS_REGIONS = `LIB CONNECT TO '${CONNECTION_SPACE}:${CONNECTION_NAME}';\nRegions:\nSQL SELECT name AS Region FROM regions;\nDISCONNECT;\n`;

function addRegions(file: string): void {
    const db = new Database(file);
    try {
        db.exec(
            "CREATE TABLE IF NOT EXISTS regions(name TEXT); DELETE FROM regions; INSERT INTO regions VALUES ('north'), ('south');",
        );
    } finally {
        db.close();
    }
}

describe("npm run fleet: staged template rollouts with health gates", function () {
    this.timeout(900_000);
    let fleet: Fleet | undefined;
    after(async () => fleet?.close());

    it("passes a good release ring by ring, stops a bad one at the canary, rolls the canary back", async () => {
        const f = (fleet = await Fleet.start(ALIASES));
        const master = new Database(f.masterDb);
        const sql = (text: string, ...params: string[]) => master.prepare(text).run(...params);
        const versions = () =>
            Object.fromEntries(
                (
                    master.prepare("SELECT alias, template_version AS v FROM customers").all() as {
                        alias: string;
                        v: string | null;
                    }[]
                ).map((r) => [r.alias, r.v]),
            );
        try {
            await step("one customer per ring, then up", async () => {
                for (const [alias, ring] of Object.entries(RINGS))
                    sql("UPDATE customers SET ring = ? WHERE alias = ?", ring, alias);
                // the status below checks what up did, not its preview: skipped (docs/benchmark.md)
                await f.project.run(["up", "--yes", "--skip-preview"]);
            });
            const before = await f.outputs();

            await step("status right after a plain up: deployed, never checked", async () => {
                const s = await fleetJson<FleetStatus>(f, ["status"], 0);
                expect(
                    s.customers.map((c) => [c.alias, c.ring, c.templateVersion, c.reloadStatus, c.lastGate]),
                ).to.deep.equal(ALIASES.map((a) => [a, RINGS[a], f.template.version, "SUCCEEDED", null]));
                const table = await fleetCli(f, ["status"]);
                expect(table.code).to.equal(0);
                expect(table.stdout)
                    .to.match(/acme\s+standard\s+canary/)
                    .and.to.contain("never checked");
                const wrong = await fleetCli(f, ["status", "--json"], "prod");
                expect(wrong.code).to.equal(1);
                expect(wrong.stdout).to.equal("");
                expect(wrong.stderr.trim()).to.equal(
                    `no stack named "prod" in ${f.project.dir}: its stacks are test; pass one with --stack`,
                );
            });

            await step("John makes his own sheet in the canary's published app", async () => {
                const john = await f.openAs("acme", before);
                try {
                    await john.doc.createObject({
                        qInfo: { qId: "johnsOwnSheet", qType: "sheet" },
                        qMetaDef: { title: "John's sheet" },
                    });
                } finally {
                    await john.close();
                }
            });

            await step("a release that is not in template_releases is refused", async () => {
                const r = await fleetCli(f, ["rollout", "--version", "v2", "--yes"]);
                expect(r.code).to.equal(1);
                expect(r.stderr).to.contain("template_releases").and.to.contain("INSERT INTO template_releases");
                // Registered, but under a name the source tenant does not hold: refused before any ring moves.
                sql(
                    "INSERT INTO template_releases(version, app_name) VALUES ('v2-typo', 'Customer Sales Analytic v2')",
                );
                const typo = await fleetCli(f, ["rollout", "--version", "v2-typo", "--yes"]);
                expect(typo.code).to.equal(1);
                expect(typo.stderr).to.contain(
                    `names the app "Customer Sales Analytic v2" (template_releases.app_name), but the source tenant ` +
                        `${f.emu.info.sourceTenant.hostname} holds no app of that name`,
                );
                expect(master.prepare("SELECT COUNT(*) AS n FROM rollouts").get()).to.deep.equal({ n: 0 });
                expect(versions()).to.deep.equal({ acme: null, globex: null, initech: null });
            });

            await step("release v2 (a harmless extra table) passes every ring", async () => {
                await placeTemplate({
                    info: f.emu.info,
                    sampleDb: f.sampleDb,
                    appName: "Customer Sales Analytics v2",
                    script: releaseScript(2),
                });
                sql("INSERT INTO template_releases(version, app_name) VALUES ('v2', 'Customer Sales Analytics v2')");
                const r = await fleetJson<RolloutJson>(f, ["rollout", "--version", "v2", "--yes"], 0);
                expect(r.rollout).to.include({ version: "v2", state: "done" });
                expect(r.finalUp).to.equal("done");
                expect(r.customers.map((c) => [c.alias, c.ring, c.state])).to.deep.equal(
                    ALIASES.map((a) => [a, RINGS[a], "passed"]),
                );
                expect(
                    r.customers.every((c) => /health-check user sees \d+ orders \(= its database\)/.test(c.detail)),
                ).to.equal(true);
                expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2" });
            });

            await step(
                "every customer runs v2 in the same published app; status and outputs show the passed gates",
                async () => {
                    const out = await f.outputs();
                    for (const alias of ALIASES) {
                        expect(out.tenants[alias].publishedAppId, alias).to.equal(before.tenants[alias].publishedAppId);
                        const doc = await f.openAs(alias, out);
                        try {
                            expect(await doc.doc.evaluate("Only(TemplateRelease)"), alias).to.equal("2");
                        } finally {
                            await doc.close();
                        }
                        const t = out.tenants[alias] as unknown as {
                            templateVersion?: string;
                            lastGate?: { gate: string } | null;
                        };
                        expect(t.templateVersion, `${alias} templateVersion output`).to.equal("v2");
                        expect(t.lastGate?.gate, `${alias} lastGate output`).to.equal("passed");
                    }
                    const s = await fleetJson<FleetStatus>(f, ["status"], 0);
                    expect(
                        s.customers.map((c) => [
                            c.alias,
                            c.templateVersion,
                            c.lastGate?.gate,
                            c.lastGate?.templateVersion,
                        ]),
                    ).to.deep.equal(ALIASES.map((a) => [a, "v2", "passed", "v2"]));
                },
            );

            const dbOf = async (alias: string) =>
                (await f.customers()).find((c) => c.alias === alias)!.connections[0].database!;
            await step(
                "release v3 reads a table that only the canary customer's database lacks: stops at the canary",
                async () => {
                    addRegions(f.sampleDb);
                    for (const alias of ["globex", "initech"]) addRegions(await dbOf(alias));
                    await placeTemplate({
                        info: f.emu.info,
                        sampleDb: f.sampleDb,
                        appName: "Customer Sales Analytics v3",
                        script: releaseScript(3, READS_REGIONS),
                    });
                    sql(
                        "INSERT INTO template_releases(version, app_name) VALUES ('v3', 'Customer Sales Analytics v3')",
                    );
                    const r = await fleetCli(f, ["rollout", "--version", "v3", "--yes"]);
                    expect(r.code, r.stderr.slice(-3000)).to.equal(1);
                    console.log(
                        `        ${r.stdout.split("\n").find((l) => l.startsWith("FAILED")) ?? "(no FAILED line)"}`,
                    );
                    expect(r.stdout).to.match(/FAILED acme \(ring canary\): reload \S+ failed: .*regions/);
                    expect(r.stdout).to.contain("## Rollout 2: template release v3: stopped");
                    expect(r.stdout).to.match(/\| globex \| early \| v2 \| not started \|/);
                    expect(versions()).to.deep.equal({ acme: "v3", globex: "v2", initech: "v2" });
                    // Opened with the ids from before this rollout: after a failed `up` the failing customer's stack
                    // outputs lack what depended on the failed AppCopy (Pulumi leaves them unresolved).
                    for (const alias of ALIASES) {
                        const doc = await f.openAs(alias, before);
                        try {
                            expect(
                                await doc.doc.evaluate("Only(TemplateRelease)"),
                                `${alias} still serves v2`,
                            ).to.equal("2");
                        } finally {
                            await doc.close();
                        }
                    }
                    const s = await fleetJson<FleetStatus>(f, ["status"], 0);
                    const acme = s.customers.find((c) => c.alias === "acme")!;
                    expect(acme.lastGate).to.include({ gate: "failed", templateVersion: "v3" });
                    expect(acme.lastGate!.detail).to.match(/regions/);
                    expect(s.rollout).to.include({ state: "stopped", currentRing: "canary" });
                },
            );

            await step("a second rollout is refused while this one is stopped", async () => {
                const r = await fleetCli(f, ["rollout", "--version", "v2", "--yes"]);
                expect(r.code).to.equal(1);
                expect(r.stderr).to.contain("is stopped at ring canary").and.to.contain("rollout rollback");
            });

            await step("rollback: the canary runs v2 again, same published app, John's sheet still there", async () => {
                const r = await fleetJson<RolloutJson>(f, ["rollout", "rollback", "--yes"], 0);
                expect(r.rollout).to.include({ state: "rolled_back", currentRing: "canary" });
                expect(r.customers.find((c) => c.alias === "acme")).to.include({
                    state: "rolled_back",
                    previousVersion: "v2",
                });
                expect(versions()).to.deep.equal({ acme: "v2", globex: "v2", initech: "v2" });
                const out = await f.outputs();
                expect(out.tenants.acme.publishedAppId).to.equal(before.tenants.acme.publishedAppId);
                expect(out.tenants.acme.reloadStatus).to.equal("SUCCEEDED");
                const doc = await f.openAs("acme", out);
                try {
                    expect(await doc.doc.evaluate("Only(TemplateRelease)")).to.equal("2");
                    const sheets = ((await doc.doc.getAllInfos()) as { qId: string; qType: string }[])
                        .filter((i) => i.qType === "sheet")
                        .map((i) => i.qId);
                    expect(sheets).to.include("johnsOwnSheet");
                } finally {
                    await doc.close();
                }
                await f.expectEachSeesOwnData(ALIASES, out);
            });

            // drift is `preview --refresh` (the state refreshed in memory, then the program's preview): no drift means
            // no program change and no change made in Qlik, so a plain preview before it would prove nothing more.
            await step("the stack is converged: fleet drift finds no change", async () => {
                const d = await fleetCli(f, ["drift"]);
                expect(d.code, d.stdout.slice(-3000)).to.equal(0);
                expect(d.stdout).to.contain("no drift");
            });

            await step("a consumer assignment removed by hand: drift exits 2", async () => {
                const host = (await f.outputs()).tenants.globex.hostname;
                await removeManagedSpaceGroup(f, host);
                const d = await fleetCli(f, ["drift"]);
                expect(d.code, d.stderr.slice(-3000)).to.equal(2);
                expect(d.stdout).to.match(/drift: 1 to update/);
            });
        } finally {
            master.close();
        }
    });
});
