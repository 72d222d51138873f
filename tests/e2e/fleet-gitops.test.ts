// Example: the GitOps workflow (.github/workflows/qlik-fleet.yml). Its pulumi commands are taken from the
// file and run against an emulator-backed fleet: preview on a PR, and the scheduled drift alarm, which
// must stay quiet on an unchanged fleet and fire after a tenant was changed by hand.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Fleet } from "./fleet-fixture";
import { REPO_ROOT } from "./harness";
import { renameTenant } from "../../scripts/makeDrift";

interface Workflow {
    jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
}

/** The pulumi arguments of a workflow step (`npm run pulumi -- <args>`), pointed at the test stack. */
function pulumiArgs(wf: Workflow, job: string, step: string): string[] {
    const run = wf.jobs[job].steps.find((s) => s.name === step)?.run;
    const m = run ? /npm run pulumi -- (.+)$/m.exec(run) : null;
    if (!m) throw new Error(`no pulumi command in step ${job}/${step}`);
    // The command up to a shell redirection or pipe (the drift step tees its output for the summary).
    return m[1]
        .replace(/\s+(2>&1|\|).*$/, "")
        .replace(/"\$PULUMI_STACK"/, "test")
        .split(/\s+/);
}

describe("fleet example: GitOps workflow", function () {
    this.timeout(240_000);
    let fleet: Fleet;
    const wf = YAML.parse(
        fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "qlik-fleet.yml"), "utf8"),
    ) as Workflow & { on: Record<string, unknown> };

    before(async () => {
        fleet = await Fleet.start(["acme", "globex"]);
        await fleet.project.run(["up", "--yes"]);
    });
    after(async () => fleet?.close());

    it("runs preview on pull requests and a scheduled drift alarm", () => {
        expect(wf.on).to.have.keys("pull_request", "schedule", "workflow_dispatch");
        expect(pulumiArgs(wf, "preview", "preview")).to.include.members(["preview", "--diff", "--stack", "test"]);
        // Non-mutating: a preview with a refresh never writes the state, so the alarm cannot silence itself.
        const alarm = pulumiArgs(wf, "drift", "drift alarm");
        expect(alarm).to.include.members(["preview", "--refresh", "--expect-no-changes"]);
        expect(alarm).to.not.include("--yes");
        const post = wf.jobs.drift.steps.find((s) => s.name === "post the drift")?.run ?? "";
        expect(post, "the drift is posted where the team sees it").to.include("GITHUB_STEP_SUMMARY");
    });

    it("preview on a PR that adds nothing shows no changes", async () => {
        const r = await fleet.project.run(pulumiArgs(wf, "preview", "preview"));
        expect(r.output).to.match(/unchanged/);
        expect(r.output).to.not.match(/to create|to update|to delete|to replace/);
    });

    it("the drift alarm is quiet on an unchanged fleet and fires after a change by hand", async () => {
        const args = pulumiArgs(wf, "drift", "drift alarm");
        expect((await fleet.project.run(args, { allowFailure: true })).code).to.equal(0);
        await renameTenant(fleet.emu.info, "globex", "Globex (renamed by hand)");
        const alarm = await fleet.project.run(args, { allowFailure: true });
        expect(alarm.code).to.not.equal(0);
        expect(alarm.output).to.match(/Globex \(renamed by hand\)/);
        // The next scheduled run, with the drift still there, fires again (it used to pass: exit 7, then 0).
        const again = await fleet.project.run(args, { allowFailure: true });
        expect(again.code, "second run of the alarm").to.not.equal(0);
        expect(again.output).to.match(/Globex \(renamed by hand\)/);
        // What the alarm shows is the repair: exactly the tenant's name, nothing replaced (the tenant's hostname is
        // known during preview, so its resources do not look like replacements).
        expect(again.output).to.match(/~ 1 to update/);
        expect(again.output).to.not.match(/to replace|to create|to delete/);
        expect(again.output).to.match(/~ displayName\s*: "Globex \(renamed by hand\)" => "Globex/);
        // The alarm wrote nothing: the state still holds the declared name, so only a refreshing up repairs it.
        await fleet.project.run(["up", "--refresh", "--yes"]);
        expect((await fleet.project.run(args, { allowFailure: true })).code).to.equal(0);
    });
});
