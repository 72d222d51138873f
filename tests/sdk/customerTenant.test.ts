// CustomerTenant's plan features (issue 12; docs/resources/CustomerTenant.md) at preview level, under Pulumi's mocks:
// a program without them registers exactly the resources and inputs the component registered before they existed
// (so an existing stack previews no change), and each plan piece adds exactly its own resources, leaving the six
// others as they were apart from the settings it passes on.
import { expect } from "chai";
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/repo";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}
interface Declared {
    resources: Registered[];
    outputs: Record<string, unknown>;
}

const PROGRAM = path.join(__dirname, "customerTenantProgram.js");
const MODULE = path.join(__dirname, "..", "..", "sdk", "customerTenant.js");
const T = "pulumi-nodejs:dynamic/qlik-tenant-fleet:";

/** The resources one CustomerTenant with these extra args registers, and its outputs (a child process: mocks are global). */
function declare(extra: object): Declared {
    const r = cp.spawnSync(process.execPath, [PROGRAM, MODULE, JSON.stringify(extra)], {
        env: { ...process.env, QLIK_SKIP_CONFIG_CHECK: "1" },
        encoding: "utf8",
        timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(r.stderr || `exit ${r.status}`);
    return JSON.parse(r.stdout) as Declared;
}

function declareFails(extra: object): string {
    const r = cp.spawnSync(process.execPath, [PROGRAM, MODULE, JSON.stringify(extra)], {
        env: { ...process.env, QLIK_SKIP_CONFIG_CHECK: "1" },
        encoding: "utf8",
        timeout: 120_000,
    });
    expect(r.status, "the program must fail").to.not.equal(0);
    return r.stderr;
}

const byName = (d: Declared) => new Map(d.resources.map((r) => [r.name, r]));

describe("CustomerTenant plan features (Pulumi mocks, preview)", function () {
    this.timeout(300_000); // each case starts a node process; generous for a busy machine
    const beforePlans = JSON.parse(
        fs.readFileSync(path.join(REPO_ROOT, "tests", "sdk", "fixtures", "customerTenant-before-plans.json"), "utf8"),
    ) as { resources: Registered[] };
    let plain: Declared;

    before(() => {
        plain = declare({});
    });

    it("without plan args: the same resources and inputs as before plans existed (no change to preview)", () => {
        expect(plain.resources).to.deep.equal(beforePlans.resources);
        expect(plain.outputs).to.deep.equal({
            templateVersion: "2026.1",
            extraApps: {},
            authorsSpaceId: null,
            publishedAppId: "acme-publish-pubid",
            reloadStatus: "SUCCEEDED",
        });
    });

    it("empty plan args (no extra apps, no settings set) are no change either", () => {
        const d = declare({
            extraApps: [],
            tenantSettings: {},
            licenseSettings: {},
        });
        expect(d.resources).to.deep.equal(beforePlans.resources);
    });

    it("a premium plan adds exactly its pieces: an extra app + its publish, the authors space, the settings", () => {
        const d = declare({
            extraApps: [{ key: "forecast", template: { appName: "Sales Forecast", version: "3" } }],
            authorsSpace: { role: "producer" },
            tenantSettings: {
                autoAssignCreateSharedSpacesRoleToProfessionals: true,
                autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
            },
            licenseSettings: { autoAssignProfessional: false, autoAssignAnalyzer: true },
        });
        const now = byName(d);
        const was = byName(plain);
        expect([...now.keys()].filter((n) => !was.has(n)).sort()).to.deep.equal([
            "acme-app-forecast",
            "acme-authors",
            "acme-publish-forecast",
        ]);
        // The six children: unchanged but for the settings handed to the tenant and the license assignment.
        for (const [name, r] of was) {
            const extra =
                name === "acme-tenant"
                    ? {
                          autoAssignCreateSharedSpacesRoleToProfessionals: true,
                          autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: true,
                      }
                    : name === "acme-licenses"
                      ? { autoAssignProfessional: false, autoAssignAnalyzer: true }
                      : {};
            expect(now.get(name), name).to.deep.equal({ ...r, inputs: { ...r.inputs, ...extra } });
        }
        const app = now.get("acme-app-forecast")!;
        expect(app.type).to.equal(`${T}AppCopy`);
        expect(app.inputs).to.deep.equal({
            tenantHost: "acme-tenant.sys.example",
            source: { appName: "Sales Forecast" },
            name: "Sales Forecast",
            templateVersion: "3",
            spaceName: "Staging",
            owner: "org/ct/test",
        });
        const main = was.get("acme-publish")!;
        const pub = now.get("acme-publish-forecast")!;
        expect(pub.type).to.equal(`${T}ManagedSpacePublish`);
        expect(pub.inputs).to.deep.equal({
            tenantHost: "acme-tenant.sys.example",
            spaceName: "Acme forecast",
            sourceAppId: "acme-app-forecast-appid",
            contentVersion: "cv-acme-app-forecast",
            members: main.inputs.members,
            owner: "org/ct/test",
        });
        const authors = now.get("acme-authors")!;
        expect(authors.type).to.equal(`${T}SharedSpace`);
        expect(authors.inputs).to.deep.equal({
            tenantHost: "acme-tenant.sys.example",
            name: "Acme Authors",
            members: [
                { groupName: "acme-analysts", roles: ["producer"] },
                { groupName: "acme-admins", roles: ["producer"] },
            ],
            owner: "org/ct/test",
        });
        expect(d.outputs).to.deep.include({
            templateVersion: "2026.1",
            extraApps: { forecast: { publishedAppId: "acme-publish-forecast-pubid", reloadStatus: "SUCCEEDED" } },
            authorsSpaceId: "acme-authors-spaceid",
        });
    });

    it("names, spaces and the app id of an extra app can be set; two extra apps get their own resources", () => {
        const d = declare({
            extraApps: [
                {
                    key: "forecast",
                    template: { appId: "tmpl-1" },
                    name: "Acme Forecast",
                    managedSpaceName: "Acme Planning",
                },
                { key: "churn", template: { appName: "Churn" } },
            ],
            authorsSpace: { name: "Acme Builders", role: "codeveloper" },
        });
        const now = byName(d);
        expect(now.get("acme-app-forecast")!.inputs).to.include({ name: "Acme Forecast", templateVersion: "" });
        expect(now.get("acme-app-forecast")!.inputs.source).to.deep.equal({ appId: "tmpl-1" });
        expect(now.get("acme-publish-forecast")!.inputs.spaceName).to.equal("Acme Planning");
        expect(now.get("acme-publish-churn")!.inputs.spaceName).to.equal("Acme churn");
        expect(now.get("acme-authors")!.inputs.name).to.equal("Acme Builders");
        expect(Object.keys(d.outputs.extraApps as object).sort()).to.deep.equal(["churn", "forecast"]);
    });

    it("a bad or repeated extra-app key fails the program, naming the field and the fix", () => {
        expect(declareFails({ extraApps: [{ key: "Fore cast", template: { appName: "x" } }] })).to.match(
            /CustomerTenant "acme": extraApps\[0\]\.key "Fore cast" must be 1-63 lowercase letters, digits or "-"/,
        );
        expect(
            declareFails({
                extraApps: [
                    { key: "forecast", template: { appName: "x" } },
                    { key: "forecast", template: { appName: "y" } },
                ],
            }),
        ).to.match(/extraApps\[1\]\.key "forecast" is listed twice; give each extra app its own key/);
    });

    it("a wrong authors' role fails the program once, naming authorsSpace.role and the roles to use", () => {
        const err = declareFails({ authorsSpace: { role: "publisher" } });
        expect(err).to.match(
            /CustomerTenant "acme": authorsSpace\.role "publisher" is not a role of a shared space; use one of consumer, dataconsumer, facilitator, producer, codeveloper/,
        );
        expect(err.match(/authorsSpace\.role/g)?.length).to.equal(1);
        expect(declare({ authorsSpace: { role: "codeveloper" } }).resources.map((r) => r.name)).to.include(
            "acme-authors",
        );
    });

    it("two pieces given one space name fail the program naming both fields (no piece adopts another's space)", () => {
        expect(declareFails({ authorsSpace: { name: "Staging", role: "producer" } })).to.match(
            /CustomerTenant "acme": authorsSpace\.name "Staging" is the space of stagingSpaceName too; give each its own space name/,
        );
        expect(
            declareFails({
                extraApps: [{ key: "forecast", template: { appName: "x" }, managedSpaceName: "Acme Analytics" }],
            }),
        ).to.match(/extraApps\[0\]\.managedSpaceName "Acme Analytics" is the space of managedSpaceName too/);
    });
});
