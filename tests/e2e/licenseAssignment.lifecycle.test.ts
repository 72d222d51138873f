// LicenseAssignment with the real Pulumi CLI against an in-process emulator: the lifecycle from the
// resource design; subjects it does not manage are left alone throughout.
import { expect } from "chai";
import { step } from "../support/steps";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject } from "./harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { asBot } from "../support/handlerEmulator";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LicenseAssignment } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const lic = new LicenseAssignment("licenses", {
    tenantHost: cfg.require("tenantHost"),
    autoAssignAnalyzer: true,
    assignments: cfg.requireObject("assignments"),
});
exports.assignments = lic.assignments;
`;

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: LicenseAssignment lifecycle", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let emu: RunningEmulator;
    let project: TempProject;
    let host: string;
    const run = (args: string[], opts: { allowFailure?: boolean } = {}) => project.run(args, opts);
    const live = async () => {
        const r = await asBot(emu, host, "/api/v1/licenses/assignments?limit=100");
        return Object.fromEntries((r.body.data as { subject: string; type: string }[]).map((a) => [a.subject, a.type]));
    };
    const setAssignments = (a: Record<string, string>) => run(["config", "set", "assignments", JSON.stringify(a)]);

    before(async () => {
        emu = await startTestEmulator();
        host = await newTenantHost(emu);
        // Not managed by the stack: must survive every step, destroy included.
        const add = await asBot(emu, host, "/api/v1/licenses/assignments/actions/add", {
            method: "POST",
            body: { add: [{ subject: "u\\bystander", type: "analyzer" }] },
        });
        expect(add.status, add.text).to.be.within(200, 299);
        project = new TempProject({ name: "lic-e2e", program: PROGRAM });
        const sc = stackConfigFor(emu);
        await project.initStack("test", { ...sc.config, tenantHost: host }, sc.secrets);
        await setAssignments({ "u\\alice": "professional", "u\\bob": "analyzer" });
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up assigns the licenses; preview and refresh then report no changes", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            expect(await live()).to.deep.equal({
                "u\\alice": "professional",
                "u\\bob": "analyzer",
                "u\\bystander": "analyzer",
            });
            expect((await asBot(emu, host, "/api/v1/licenses/settings")).body.autoAssignAnalyzer).to.equal(true);
            await project.expectNoChanges();
        });

        await step("a new license type for one subject is an in-place update of exactly that field", async () => {
            await setAssignments({ "u\\alice": "analyzer", "u\\bob": "analyzer" });
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:LicenseAssignment: \(update\)/);
            expect(p.output).to.match(/~ assignments\s*: \{/);
            expect(p.output).to.match(/~ u\\+alice\s*: "professional" => "analyzer"/);
            expect(p.output).to.not.match(/bob"?\s*:.*=>/);
            expect(p.output).to.not.match(/~ (tenantHost|autoAssign\w+)\b/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(await live()).to.deep.equal({
                "u\\alice": "analyzer",
                "u\\bob": "analyzer",
                "u\\bystander": "analyzer",
            });
        });

        await step(
            "a tenantHost of ANOTHER tenant is a replacement (another name of the same tenant would be an update)",
            async () => {
                await run(["config", "set", "tenantHost", await newTenantHost(emu)]);
                const p = await run(["preview", "--diff"]);
                expect(p.output).to.match(
                    /\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:LicenseAssignment: \(replace\)/,
                );
                await run(["config", "set", "tenantHost", host]);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step("refresh detects a deleted assignment and a changed type; up repairs both", async () => {
            const del = await asBot(emu, host, "/api/v1/licenses/assignments/actions/delete", {
                method: "POST",
                body: { delete: [{ subject: "u\\bob", type: "analyzer" }] },
            });
            expect(del.status, del.text).to.be.within(200, 299);
            const upd = await asBot(emu, host, "/api/v1/licenses/assignments/actions/update", {
                method: "POST",
                body: { update: [{ subject: "u\\alice", type: "professional", sourceType: "analyzer" }] },
            });
            expect(upd.status, upd.text).to.be.within(200, 299);
            expect(await live()).to.deep.equal({ "u\\alice": "professional", "u\\bystander": "analyzer" });
            const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            expect(r.output).to.match(/LicenseAssignment licenses updated .*\[diff: [^\]]*~assignments/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(await live()).to.deep.equal({
                "u\\alice": "analyzer",
                "u\\bob": "analyzer",
                "u\\bystander": "analyzer",
            });
            await run(["preview", "--expect-no-changes"]);
            await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        });

        await step("destroy unassigns the managed subjects only", async () => {
            await run(["destroy", "--yes", "--skip-preview"]);
            expect(await live()).to.deep.equal({ "u\\bystander": "analyzer" });
        });
    });
});
