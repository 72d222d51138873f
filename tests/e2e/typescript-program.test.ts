// Issue 8.1: a user's `index.ts` with `runtime: nodejs` runs with plain `pulumi preview/up/refresh/destroy`
// through the project's language host, and the Node.js runtime options (typescript, tsconfig, nodeargs,
// packagemanager) mean what Pulumi documents:
// https://www.pulumi.com/docs/iac/concepts/projects/project-file/#runtime-options
import { expect } from "chai";
import { step } from "../support/steps";
import * as fs from "fs";
import * as path from "path";
import { TempProject } from "./harness";

// Typed code that plain Node cannot parse (interfaces, annotations, `import type`), importing the
// package the way a user's stack does.
const INDEX_TS = `
import * as pulumi from "@pulumi/pulumi";
import { LocalMarker } from "qlik-tenant-fleet";
import type { LocalMarkerArgs } from "qlik-tenant-fleet";

interface MarkerSpec {
    name: string;
    value: string;
}

const cfg = new pulumi.Config();
const directory: string = cfg.require("markerDir");
const specs: MarkerSpec[] = [{ name: "ts-alpha", value: cfg.require("value") }];

function argsFor(spec: MarkerSpec): LocalMarkerArgs {
    return { directory, name: spec.name, value: spec.value };
}

const markers: LocalMarker[] = specs.map((s: MarkerSpec) => new LocalMarker(s.name, argsFor(s)));
export const values: pulumi.Output<string>[] = markers.map((m) => m.value);
`;

// What \`pulumi new typescript\` writes, trimmed.
const TSCONFIG = JSON.stringify(
    {
        compilerOptions: {
            strict: true,
            target: "es2020",
            module: "commonjs",
            moduleResolution: "node",
            skipLibCheck: true,
        },
    },
    null,
    2,
);

describe("e2e: TypeScript programs through the project's language host", function () {
    this.timeout(1_200_000); // one test runs every step; generous for a busy machine

    describe("index.ts, `runtime: nodejs`, no main and no build step", () => {
        let project: TempProject;
        let markerDir: string;
        const marker = () => path.join(markerDir, "ts-alpha.json");

        before(async () => {
            project = new TempProject({
                name: "ts-program",
                files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG },
            });
            markerDir = path.join(project.root, "markers");
            await project.initStack("test", { markerDir, value: "v1" });
        });
        after(() => project?.cleanup());

        it("the steps in order (each works on the stack the previous ones left)", async () => {
            await step("up, then preview and refresh with no changes", async () => {
                // --skip-preview where up/refresh/destroy's own preview is not checked: it costs as much as the step (docs/benchmark.md)
                const up = await project.run(["up", "--yes", "--skip-preview"]);
                expect(up.output).to.match(/LocalMarker\s+ts-alpha\s+created/);
                expect(JSON.parse(fs.readFileSync(marker(), "utf8"))).to.include({ value: "v1" });
                const outputs = JSON.parse((await project.run(["stack", "output", "--json"])).stdout);
                expect(outputs.values).to.deep.equal(["v1"]);
                await project.run(["preview", "--expect-no-changes"]);
                await project.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
            });

            await step("an update previews as one in-place change and up applies it", async () => {
                await project.run(["config", "set", "value", "v2"]);
                const preview = await project.run(["preview", "--diff"]);
                expect(preview.output).to.match(/~ value\s*: "v1" => "v2"/);
                await project.run(["up", "--yes", "--skip-preview"]);
                expect(JSON.parse(fs.readFileSync(marker(), "utf8"))).to.include({ value: "v2" });
            });

            await step(
                "pulumi about reports the Node.js runtime and the package manager, `packagemanager` chooses it",
                async () => {
                    const auto = await project.run(["about"], { allowFailure: true });
                    // No lock file anywhere above the project: npm, as Pulumi's "auto" decides.
                    expect(auto.output, auto.output.slice(-3000)).to.match(
                        /written in nodejs: executable='[^']*node' version='v\d+[^']*'.*\bpackagemanager='npm'/,
                    );
                    const yaml = fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
                    rewriteYaml(project, "runtime:\n  name: nodejs\n  options:\n    packagemanager: yarn\n");
                    try {
                        const yarn = await project.run(["about"], { allowFailure: true });
                        expect(yarn.output, yarn.output.slice(-3000)).to.match(/packagemanager='yarn'/);
                    } finally {
                        fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), yaml);
                    }
                },
            );

            await step("destroy runs the program's provider and removes the marker", async () => {
                await project.run(["destroy", "--yes", "--skip-preview"]);
                expect(fs.existsSync(marker())).to.equal(false);
            });

            await step(
                "`typescript: false` really turns ts-node off: the same index.ts is a SyntaxError for plain Node",
                async () => {
                    rewriteYaml(
                        project,
                        "runtime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n",
                    );
                    const r = await project.run(["preview"], { allowFailure: true });
                    expect(r.code).to.not.equal(0);
                    expect(r.output).to.match(/SyntaxError|Unexpected (token|identifier)/);
                },
            );

            await step("`tsconfig` reaches the runner, and a bad option value is named in the error", async () => {
                rewriteYaml(project, "runtime:\n  name: nodejs\n  options:\n    tsconfig: tsconfig.missing.json\n");
                const missing = await project.run(["preview"], { allowFailure: true });
                expect(missing.code).to.not.equal(0);
                expect(missing.output).to.match(
                    /tsconfig path was set to tsconfig\.missing\.json but the file was not found/,
                );

                rewriteYaml(project, "runtime:\n  name: nodejs\n  options:\n    packagemanager: npx\n");
                const bad = await project.run(["preview"], { allowFailure: true });
                expect(bad.code).to.not.equal(0);
                expect(bad.output).to.match(/packagemanager.*must be one of auto, npm, yarn, pnpm, bun/);
            });
        });
    });

    describe("`typescript: false` with JavaScript: nodeargs and package.json main", () => {
        let project: TempProject;
        let markerDir: string;

        before(async () => {
            project = new TempProject({
                name: "js-nodeargs",
                runtimeOptions: { typescript: false, nodeargs: "--require ./preload.js --max-old-space-size=512" },
                files: {
                    // The runner is started with nodeargs before its script: this file runs first.
                    "preload.js": `process.env.QTF_PRELOADED = "preloaded-by-nodeargs";\n`,
                    "lib/entry.js": `
const pulumi = require("@pulumi/pulumi");
const v8 = require("v8");
const { LocalMarker } = require("qlik-tenant-fleet");
if (process.env.QTF_PRELOADED !== "preloaded-by-nodeargs") throw new Error("nodeargs --require did not run");
const cfg = new pulumi.Config();
new LocalMarker("js-beta", { directory: cfg.require("markerDir"), name: "js-beta", value: process.env.QTF_PRELOADED });
exports.heapLimitMb = Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
`,
                },
            });
            // No Pulumi.yaml main: the runner takes package.json "main", as Node and Pulumi do.
            const pkgFile = path.join(project.dir, "package.json");
            fs.writeFileSync(
                pkgFile,
                JSON.stringify({ ...JSON.parse(fs.readFileSync(pkgFile, "utf8")), main: "lib/entry.js" }),
            );
            markerDir = path.join(project.root, "markers");
            await project.initStack("test", { markerDir });
        });
        after(() => project?.cleanup());

        it("up runs lib/entry.js with the nodeargs, and destroy cleans up", async () => {
            await project.run(["up", "--yes", "--skip-preview"]);
            expect(JSON.parse(fs.readFileSync(path.join(markerDir, "js-beta.json"), "utf8"))).to.include({
                value: "preloaded-by-nodeargs",
            });
            const outputs = JSON.parse((await project.run(["stack", "output", "--json"])).stdout);
            // --max-old-space-size=512 reached node: V8's heap limit is about 512 MB (plus its young generation).
            expect(outputs.heapLimitMb).to.be.within(512, 600);
            await project.run(["preview", "--expect-no-changes"]);
            await project.run(["destroy", "--yes", "--skip-preview"]);
            expect(fs.existsSync(path.join(markerDir, "js-beta.json"))).to.equal(false);
        });
    });
});

describe("e2e: `pulumi install` in a project whose dependencies are not installed yet", function () {
    this.timeout(300_000);
    let project: TempProject;
    before(() => {
        project = new TempProject({ name: "install", program: "" });
        // A fresh clone: no node_modules (unlinking the harness's symlink leaves the repository's untouched).
        fs.unlinkSync(path.join(project.dir, "node_modules"));
    });
    after(() => project?.cleanup());

    it("the language host starts anyway and runs the package manager (npm)", async () => {
        const r = await project.run(["install"]);
        expect(r.output).to.match(/Installing dependencies with npm/);
        expect(r.output).to.match(/Finished installing dependencies/);
        expect(fs.existsSync(path.join(project.dir, "package-lock.json")), "npm wrote its lock file").to.equal(true);
    });
});

function rewriteYaml(project: TempProject, rest: string): void {
    const file = path.join(project.dir, "Pulumi.yaml");
    const name = /^name: .*$/m.exec(fs.readFileSync(file, "utf8"))![0];
    fs.writeFileSync(file, `${name}\n${rest}`);
}
