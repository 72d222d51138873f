// An existing stack upgrades to a new provider shim text with no diff (docs/state-size.md): a stack made
// with the 0.1 shim (nine serialised functions, 2.3 KB per copy, embedded below as it was compiled) keeps
// working after the package's shim changes: no-op preview/up/refresh, an update, and a destroy that runs
// the OLD stored text for one tenant (Pulumi runs outputs.__provider for delete) and the new one for the other.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { TempProject, REPO_ROOT } from "./harness";
import { stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { step } from "../support/steps";
import { asBot } from "../support/handlerEmulator";

const OLD_SHIM_JS = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.providerShim = providerShim;
// One shim object per kind: Pulumi caches the serialised text per provider object, so a fleet of
// hundreds of resources is serialised six times instead of once per resource (the V8-inspector
// based serialiser is the program's main CPU cost at that scale). The text is the same either way.
const shims = new Map();
function providerShim(kind) {
    let shim = shims.get(kind);
    if (!shim) {
        // Runs in the stack program, not in the serialised closure: bad qlik:* config fails the program
        // once, with one message, before any Qlik resource is registered (provider/config.ts).
        if (kind !== "LocalMarker")
            require("./config").checkProgramConfig();
        shim = makeShim(kind);
        shims.set(kind, shim);
    }
    return shim;
}
function makeShim(kind) {
    // Resolved from the stack's node_modules by the dynamic-provider process (its cwd is the project).
    const impl = () => require("qlik-tenant-fleet/provider").handlersFor(kind);
    return {
        configure: async (req) => require("qlik-tenant-fleet/provider").configure(req),
        check: async (olds, news) => impl().check(olds, news),
        diff: async (id, olds, news) => impl().diff(id, olds, news),
        create: async (inputs) => impl().create(inputs),
        read: async (id, props) => impl().read(id, props),
        update: async (id, olds, news) => impl().update(id, olds, news),
        delete: async (id, props) => impl().delete(id, props),
    };
}
`;

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { QlikTenant } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const a = new QlikTenant("a", { alias: "shim-a", displayName: cfg.require("nameA") });
const b = new QlikTenant("b", { alias: "shim-b", displayName: "Shim B" });
exports.ids = [a.tenantId, b.tenantId];
`;

interface StoredResource {
    type: string;
    urn: string;
    inputs: { __provider: string };
    outputs: { __provider: string };
}

describe("e2e: provider shim upgrade (old __provider text in state)", function () {
    this.timeout(600_000);
    let emu: Awaited<ReturnType<typeof startTestEmulator>>;
    let project: TempProject;
    let ids: string[];
    const shimFile = () => path.join(project.packageDir, "dist", "provider", "shim.js");
    const tenants = async (): Promise<Record<string, StoredResource>> => {
        const state = JSON.parse((await project.run(["stack", "export"])).stdout);
        const rs: StoredResource[] = state.deployment.resources.filter((r: StoredResource) =>
            r.type.endsWith(":QlikTenant"),
        );
        return Object.fromEntries(rs.map((r) => [r.urn.split("::").pop()!, r]));
    };
    const isOld = (text: string) => text.includes("impl().check(olds, news)");

    before(async () => {
        emu = await startTestEmulator();
        project = new TempProject({ name: "shim-upgrade", program: PROGRAM, isolatePackage: true });
        fs.writeFileSync(shimFile(), OLD_SHIM_JS);
        const sc = stackConfigFor(emu);
        await project.initStack(
            "test",
            { ...sc.config, nameA: "Shim A", "qlik:allowTenantDeactivation": "true" },
            sc.secrets,
        );
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the upgrade, step by step (each step works on the stack the previous ones left)", async () => {
        await step("a stack is created with the old shim", async () => {
            // --skip-preview where up/refresh/destroy's own preview is not checked: it costs as much as the step (docs/benchmark.md)
            await project.run(["up", "--yes", "--skip-preview"]);
            ids = JSON.parse((await project.run(["stack", "output", "ids", "--json"])).stdout);
            const t = await tenants();
            expect(isOld(t.a.outputs.__provider) && isOld(t.b.inputs.__provider)).to.equal(true);
            expect(Buffer.byteLength(t.a.outputs.__provider)).to.be.above(2000);
        });

        await step(
            "with the current shim: preview, up and refresh show no changes; the stored inputs take the new text",
            async () => {
                fs.copyFileSync(path.join(REPO_ROOT, "dist", "provider", "shim.js"), shimFile());
                // --expect-no-changes: the up fails on any planned step other than "same"
                await project.run(["up", "--yes", "--expect-no-changes"]);
                const t = await tenants();
                expect(isOld(t.a.inputs.__provider)).to.equal(false);
                expect(Buffer.byteLength(t.a.inputs.__provider)).to.be.below(1000);
                expect(isOld(t.a.outputs.__provider), "outputs keep the text read/delete run").to.equal(true);
                // refresh runs the OLD stored text (read) with the new package installed
                await project.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            },
        );

        await step(
            "an update runs through the new text; destroy runs the old text for b and the new one for a",
            async () => {
                await project.run(["config", "set", "nameA", "Shim A2"]);
                await project.run(["up", "--yes", "--skip-preview"]);
                const t = await tenants();
                expect(isOld(t.a.outputs.__provider)).to.equal(false);
                expect(isOld(t.b.outputs.__provider)).to.equal(true);
                await project.run(["preview", "--expect-no-changes"]);
                await project.run(["destroy", "--yes", "--skip-preview"]);
                for (const id of ids) {
                    const live = await asBot(emu, emu.info.registerHost, `/api/v1/tenants/${id}`);
                    expect(live.body.status, `tenant ${id}`).to.equal("disabled");
                }
            },
        );
    });
});
