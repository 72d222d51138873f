// QlikTenant with the real Pulumi CLI against an in-process emulator: the lifecycle from the resource
// design, plus adoption (state lost -> up adopts, no second POST /tenants) and the deactivation guard.
import { expect } from "chai";
import { step } from "../support/steps";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject } from "./harness";
import { stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { asBot, lastSeq, requestLog } from "../support/handlerEmulator";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { QlikTenant } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const t = new QlikTenant("customer", {
    alias: cfg.require("alias"),
    displayName: cfg.require("displayName"),
    datacenter: cfg.get("datacenter"),
    purgeAfterDays: 20,
});
exports.tenantId = t.tenantId;
exports.hostname = t.hostname;
exports.status = t.status;
`;

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: QlikTenant lifecycle", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let emu: RunningEmulator;
    let project: TempProject;
    let tenantId: string;
    let hostname: string;
    const run = (args: string[], opts: { allowFailure?: boolean } = {}) => project.run(args, opts);
    const stackOutputs = async () => JSON.parse((await run(["stack", "output", "--json"])).stdout);
    const live = async () => (await asBot(emu, emu.info.registerHost, `/api/v1/tenants/${tenantId}`)).body;
    const creates = async (since: number) =>
        (await requestLog(emu, since)).filter((l) => l.method === "POST" && l.path === "/api/v1/tenants");

    before(async () => {
        emu = await startTestEmulator();
        project = new TempProject({ name: "tenant-e2e", program: PROGRAM });
        const sc = stackConfigFor(emu);
        await project.initStack("test", { ...sc.config, alias: "cust-one", displayName: "Customer One" }, sc.secrets);
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up creates the tenant; preview and refresh then report no changes", async () => {
            const since = await lastSeq(emu);
            await run(["up", "--yes", "--skip-preview"]);
            ({ tenantId, hostname } = await stackOutputs());
            expect(hostname).to.equal(`cust-one.${emu.info.region}.${emu.info.domain}`);
            expect(await creates(since)).to.have.length(1);
            expect(await live()).to.include({ name: "Customer One", status: "active" });
            await project.expectNoChanges();
        });

        await step("a new displayName is an in-place update of exactly that field", async () => {
            await run(["config", "set", "displayName", "Customer 1"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~ displayName\s*: "Customer One" => "Customer 1"/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            expect((await live()).name).to.equal("Customer 1");
        });

        await step("a new datacenter is a replacement", async () => {
            await run(["config", "set", "datacenter", "eu-west-1"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:QlikTenant: \(replace\)/);
            await run(["config", "rm", "datacenter"]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("refresh detects a name changed in Qlik and up repairs it", async () => {
            await asBot(emu, hostname, `/api/v1/tenants/${tenantId}`, {
                method: "PATCH",
                body: [{ op: "replace", path: "/name", value: "Renamed by hand" }],
            });
            const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            expect(r.output).to.match(/displayName/);
            await run(["up", "--yes", "--skip-preview"]);
            expect((await live()).name).to.equal("Customer 1");
            await run(["preview", "--expect-no-changes"]);
        });

        await step(
            "after the state is lost, up adopts the tenant that owns the alias (no second POST /tenants)",
            async () => {
                const state = JSON.parse((await run(["stack", "export"])).stdout);
                const urn = state.deployment.resources.find((r: { type: string }) =>
                    r.type.endsWith(":QlikTenant"),
                ).urn;
                await run(["state", "delete", urn, "--yes"]);
                const since = await lastSeq(emu);
                await run(["up", "--yes", "--skip-preview"]);
                expect((await stackOutputs()).tenantId).to.equal(tenantId);
                expect(await creates(since)).to.have.length(0);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step(
            "destroy without the opt-in fails, says the tenant was NOT deactivated, and it stays active",
            async () => {
                const r = await run(["destroy", "--yes", "--skip-preview"], { allowFailure: true });
                expect(r.code).to.not.equal(0);
                expect(r.output).to.include("was NOT deactivated");
                expect(r.output).to.include("pulumi config set qlik:allowTenantDeactivation true");
                expect(r.output).to.include("allowDeactivation: true");
                expect((await live()).status).to.equal("active");
            },
        );

        await step("with qlik:allowTenantDeactivation, destroy deactivates it with its purgeAfterDays", async () => {
            await run(["config", "set", "qlik:allowTenantDeactivation", "true"]);
            // destroy runs with the provider config recorded by the last up, so the opt-in needs an up first
            const up = await run(["up", "--yes", "--skip-preview"]);
            expect(up.output).to.not.match(/replace/);
            expect((await live()).status).to.equal("active");
            await run(["destroy", "--yes", "--skip-preview"]);
            const t = await live();
            expect(t.status).to.equal("disabled");
            const reg = await asBot(emu, emu.info.registerHost, `/api/v1/tenants/${tenantId}`);
            expect(reg.body.status).to.equal("disabled");
            const state = JSON.parse((await run(["stack", "export"])).stdout);
            expect(state.deployment.resources ?? []).to.satisfy(
                (rs: { type: string }[]) => !rs.some((x) => x.type.endsWith(":QlikTenant")),
            );
        });
    });
});
