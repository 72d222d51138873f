// GroupSet with the real Pulumi CLI against an in-process emulator: the lifecycle from the resource
// design; a group added by hand shows in `unmanagedGroups` after refresh and is never deleted.
import { expect } from "chai";
import { step } from "../support/steps";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject } from "./harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { asBot } from "../support/handlerEmulator";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { GroupSet } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const set = new GroupSet("groups", {
    tenantHost: cfg.require("tenantHost"),
    autoCreateGroups: true,
    groups: [
        { name: "analysts", roles: cfg.require("analystRoles").split(",") },
        { name: "viewers", roles: [], description: "read only" },
    ],
});
exports.groupIds = set.groupIds;
`;

interface StateResource {
    type: string;
    outputs?: Record<string, unknown>;
}

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: GroupSet lifecycle", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let emu: RunningEmulator;
    let project: TempProject;
    let host: string;
    const run = (args: string[], opts: { allowFailure?: boolean } = {}) => project.run(args, opts);
    const stackOutputs = async () => JSON.parse((await run(["stack", "output", "--json"])).stdout);
    const liveGroups = async () => {
        const r = await asBot(emu, host, "/api/v1/groups?limit=100");
        return Object.fromEntries(
            (r.body.data as { name: string; assignedRoles?: { name: string }[] }[]).map((g) => [
                g.name,
                (g.assignedRoles ?? []).map((x) => x.name).sort(),
            ]),
        );
    };
    /** The GroupSet's outputs as recorded in state (refresh updates these, not the stack outputs). */
    const stateOutputs = async () => {
        const state = JSON.parse((await run(["stack", "export"])).stdout);
        return (state.deployment.resources as StateResource[]).find((r) => r.type.endsWith(":GroupSet"))?.outputs ?? {};
    };

    before(async () => {
        emu = await startTestEmulator();
        host = await newTenantHost(emu);
        project = new TempProject({ name: "groups-e2e", program: PROGRAM });
        const sc = stackConfigFor(emu);
        await project.initStack(
            "test",
            { ...sc.config, tenantHost: host, analystRoles: "SharedSpaceCreator" },
            sc.secrets,
        );
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up creates the groups; preview and refresh then report no changes", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            expect(await liveGroups()).to.deep.equal({ analysts: ["SharedSpaceCreator"], viewers: [] });
            expect((await asBot(emu, host, "/api/v1/groups/settings")).body.autoCreateGroups).to.equal(true);
            expect(Object.keys((await stackOutputs()).groupIds).sort()).to.deep.equal(["analysts", "viewers"]);
            await project.expectNoChanges();
        });

        await step("new roles for a group are an in-place update of exactly that field", async () => {
            const ids = (await stackOutputs()).groupIds;
            await run(["config", "set", "analystRoles", "SharedSpaceCreator,AuditAdmin"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:GroupSet: \(update\)/);
            expect(p.output).to.match(/~ groups\s*: \[/);
            expect(p.output).to.match(/\+ \[1\]: "AuditAdmin"/);
            expect(p.output).to.not.match(/~ (tenantHost|autoCreateGroups|pruneUnmanaged)\b/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(await liveGroups()).to.deep.equal({ analysts: ["AuditAdmin", "SharedSpaceCreator"], viewers: [] });
            expect((await stackOutputs()).groupIds, "groups keep their ids").to.deep.equal(ids);
        });

        await step(
            "a tenantHost of ANOTHER tenant is a replacement (another name of the same tenant would be an update)",
            async () => {
                await run(["config", "set", "tenantHost", await newTenantHost(emu)]);
                const p = await run(["preview", "--diff"]);
                expect(p.output).to.match(/\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:GroupSet: \(replace\)/);
                await run(["config", "set", "tenantHost", host]);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step(
            "refresh detects changed roles and a group added by hand (in unmanagedGroups); up repairs the roles, keeps the stray",
            async () => {
                const { groupIds } = await stackOutputs();
                const patch = await asBot(emu, host, `/api/v1/groups/${groupIds.analysts}`, {
                    method: "PATCH",
                    body: [{ op: "replace", path: "assignedRoles", value: [{ name: "TenantAdmin" }] }],
                });
                expect(patch.status, patch.text).to.be.within(200, 299);
                const add = await asBot(emu, host, "/api/v1/groups", {
                    method: "POST",
                    body: { name: "by-hand", status: "active" },
                });
                expect(add.status, add.text).to.equal(201);
                expect((await stateOutputs()).unmanagedGroups).to.deep.equal([]);
                const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], {
                    allowFailure: true,
                });
                expect(r.code).to.not.equal(0);
                expect(r.output).to.match(/GroupSet groups updated .*\[diff: [^\]]*~groups/);
                expect(r.output).to.match(/GroupSet groups updated .*\[diff: [^\]]*unmanagedGroups/);
                expect((await stateOutputs()).unmanagedGroups).to.deep.equal(["by-hand"]);
                await run(["up", "--yes", "--skip-preview"]);
                expect(await liveGroups()).to.deep.equal({
                    analysts: ["AuditAdmin", "SharedSpaceCreator"],
                    viewers: [],
                    "by-hand": [],
                });
                await run(["preview", "--expect-no-changes"]);
                // The up acknowledged the stray (pruneUnmanaged is off): refresh is quiet until another appears.
                await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
                const add2 = await asBot(emu, host, "/api/v1/groups", {
                    method: "POST",
                    body: { name: "by-hand-2", status: "active" },
                });
                expect(add2.status, add2.text).to.equal(201);
                const again = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], {
                    allowFailure: true,
                });
                expect(again.code).to.not.equal(0);
                expect(again.output).to.match(/GroupSet groups updated .*\[diff: [^\]]*unmanagedGroups/);
                await run(["up", "--yes", "--skip-preview"]);
                await run(["preview", "--expect-no-changes"]);
                await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            },
        );

        await step("destroy deletes the managed groups only", async () => {
            await run(["destroy", "--yes", "--skip-preview"]);
            expect(await liveGroups()).to.deep.equal({ "by-hand": [], "by-hand-2": [] });
        });
    });
});
