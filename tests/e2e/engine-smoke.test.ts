// The real Pulumi CLI driving the dynamic-provider pattern end to end (issue: the engine offline).
import { expect } from "chai";
import { step } from "../support/steps";
import * as fs from "fs";
import * as path from "path";
import { TempProject } from "./harness";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LocalMarker } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const marker = new LocalMarker("alpha", {
    directory: cfg.require("markerDir"),
    name: cfg.get("markerName") || "alpha",
    value: cfg.require("value"),
    secretValue: cfg.requireSecret("markerSecret"),
    requireCredential: true,
});
exports.writtenBy = marker.writtenBy;
exports.value = marker.value;
`;

const MARKER_SECRET = "marker-secret-7c1e0f9a";
const CLIENT_SECRET = "client-secret-42b0d8e3";

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: the real Pulumi engine with the dynamic-provider shim", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let project: TempProject;
    let markerDir: string;
    const outputs: string[] = [];

    const markerFile = () => JSON.parse(fs.readFileSync(path.join(markerDir, "alpha.json"), "utf8"));
    const run = async (args: string[], opts: { allowFailure?: boolean } = {}) => {
        const r = await project.run(args, opts);
        outputs.push(r.output);
        return r;
    };

    before(async () => {
        project = new TempProject({ name: "engine-smoke", program: PROGRAM, isolatePackage: true });
        markerDir = path.join(project.root, "markers");
        await project.initStack(
            "test",
            { markerDir, value: "v1" },
            { markerSecret: MARKER_SECRET, "qlik:clientSecret": CLIENT_SECRET },
        );
    });
    after(() => project?.cleanup());

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up creates the resource through the shim", async () => {
            const r = await run(["up", "--yes", "--skip-preview"]);
            expect(r.output).to.match(/pulumi-nodejs:dynamic\/qlik-tenant-fleet:LocalMarker\s+alpha\s+created/);
            expect(markerFile()).to.include({ value: "v1", writtenBy: "local-marker/1" });
        });

        await step("preview and refresh report no changes right after up", async () => {
            await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("keeps secrets out of the state export, and the stored shim is small", async () => {
            const exported = (await run(["stack", "export"])).stdout;
            expect(exported).to.not.include(MARKER_SECRET);
            expect(exported).to.not.include(CLIENT_SECRET);
            const state = JSON.parse(exported);
            const res = state.deployment.resources.find((r: { type: string }) => r.type.endsWith(":LocalMarker"));
            const shim: string = res.outputs.__provider;
            expect(shim).to.be.a("string");
            // The implementation is not serialised into state: only the dispatching shim is.
            expect(shim).to.include("qlik-tenant-fleet/provider");
            expect(shim).to.not.include("writeFileSync");
            expect(Buffer.byteLength(shim)).to.be.below(4096);
            console.log(
                `      serialised provider shim: ${Buffer.byteLength(shim)} bytes per copy (stored in inputs and outputs)`,
            );
        });

        await step("a changed input is an in-place update of exactly that field", async () => {
            await run(["config", "set", "value", "v2"]);
            const preview = await run(["preview", "--diff"]);
            expect(preview.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:LocalMarker: \(update\)/);
            expect(preview.output).to.match(/~ value\s*: "v1" => "v2"/);
            expect(preview.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(markerFile().value).to.equal("v2");
        });

        await step("a changed name is a replacement", async () => {
            await run(["config", "set", "markerName", "beta"]);
            const preview = await run(["preview", "--diff"]);
            expect(preview.output).to.match(/\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:LocalMarker: \(replace\)/);
            await run(["config", "rm", "markerName"]);
            await run(["preview", "--expect-no-changes"]);
        });

        await step("refresh detects drift made outside Pulumi, and up repairs it", async () => {
            fs.writeFileSync(path.join(markerDir, "alpha.json"), JSON.stringify({ ...markerFile(), value: "drifted" }));
            const refresh = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], {
                allowFailure: true,
            });
            expect(refresh.code).to.not.equal(0);
            expect(refresh.output).to.match(/LocalMarker alpha updated .*\[diff: ~value\]/);
            const preview = await run(["preview", "--diff"]);
            expect(preview.output).to.match(/~ value\s*: "drifted" => "v2"/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(markerFile().value).to.equal("v2");
            await run(["preview", "--expect-no-changes"]);
        });

        await step("a new implementation changes nothing in preview, and destroy runs the new code", async () => {
            const impl = path.join(project.packageDir, "dist", "provider", "resources", "localMarker.js");
            const source = fs.readFileSync(impl, "utf8");
            expect(source).to.include('"local-marker/1"');
            fs.writeFileSync(impl, source.replace('"local-marker/1"', '"local-marker/2"'));

            await run(["preview", "--expect-no-changes"]);
            await run(["destroy", "--yes", "--skip-preview"]);
            expect(fs.existsSync(path.join(markerDir, "alpha.json"))).to.equal(false);
            expect(fs.readFileSync(path.join(markerDir, "deletions.log"), "utf8")).to.include(
                "alpha deleted by local-marker/2",
            );
        });

        await step("no command printed a secret", async () => {
            const all = outputs.join("\n");
            expect(all).to.not.include(MARKER_SECRET);
            expect(all).to.not.include(CLIENT_SECRET);
        });
    });
});
