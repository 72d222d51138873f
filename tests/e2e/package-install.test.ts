// Issue 13, "packages by audience": a Pulumi project OUTSIDE this repository installs the provider package from its
// tarball (`npm pack`, what a git install builds with `prepare` too), gets no database or emulator dependency, and
// runs `pulumi up` / `preview` / `destroy` with the real CLI against the emulator package, installed from its own
// tarball (`npm pack -w emulator`) in another folder and started with its own bin.
import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT, engine, type EngineRecord } from "../../scripts/lib/repo";
import { waitFor } from "../support/wait";
import type { EmulatorInfo } from "../../emulator/index";

/** What a stack must not get with the provider: databases, the emulator and its TLS/WebSocket/QIX stack. */
const NOT_FOR_THE_PROVIDER = ["better-sqlite3", "pg", "selfsigned", "enigma.js", "qlik-cloud-emulator", "ws", "jose"];

interface Run {
    code: number;
    output: string;
}

/**
 * The environment of a child npm: without the npm_* variables of an `npm test` above us, which would point the
 * child at this repository (npm_config_local_prefix, npm_package_json, ...).
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!/^npm_/i.test(k) && k !== "INIT_CWD") env[k] = v;
    }
    return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("exit", (code) => {
            clearTimeout(timer);
            if (code !== 0)
                reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${code}:\n${output.slice(-6000)}`));
            else resolve({ code: code ?? -1, output });
        });
    });
}

/** Every package name in `npm ls --all --json` output, at any depth. */
function packageNames(tree: { dependencies?: Record<string, unknown> }, into = new Set<string>()): Set<string> {
    for (const [name, sub] of Object.entries(tree.dependencies ?? {})) {
        into.add(name);
        packageNames(sub as { dependencies?: Record<string, unknown> }, into);
    }
    return into;
}

function tarEntries(tgz: string): string[] {
    const r = spawnSync("tar", ["tzf", tgz], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tar tzf ${tgz}: ${r.stderr}`);
    return r.stdout.split("\n").filter(Boolean);
}

const STACK_PROGRAM = `import { GroupSet, QlikTenant } from "qlik-tenant-fleet";

const tenant = new QlikTenant("outside-tenant", {
    alias: "outside",
    displayName: "Outside Project",
    allowDeactivation: true,
});
const groups = new GroupSet("outside-groups", {
    tenantHost: tenant.hostname,
    groups: [{ name: "Analysts", roles: ["AnalyticsAdmin"] }],
});

export const hostname = tenant.hostname;
export const groupIds = groups.groupIds;
`;

/** What the root package's `prepare` and `files` need, copied from the repository (node_modules linked). */
function packageSources(root: string): string {
    const dir = path.join(root, "source");
    fs.mkdirSync(dir);
    for (const f of ["package.json", "tsconfig.json", "tsconfig.package.json", "README.md", "LICENSE", "CHANGELOG.md"])
        fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    for (const d of ["sdk", "provider"]) fs.cpSync(path.join(REPO_ROOT, d), path.join(dir, d), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

describe("package install: the provider and the emulator as an outside project installs them", function () {
    this.timeout(900_000);
    const repoPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    let root: string;
    let packs: string;
    let providerTgz: string;
    let emulatorTgz: string;
    let emulator: ChildProcess | undefined;
    let info: EmulatorInfo;
    let record: EngineRecord;

    before(async function () {
        const found = engine.readEngineRecord();
        if (!found) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
        record = found;
        root = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-package-install-"));
        packs = path.join(root, "packs");
        fs.mkdirSync(packs);
        // The root pack runs `prepare` (tsc -p tsconfig.package.json), the emulator's its `prepack`: both build.
        // The root one runs in a copy of the package's sources: `prepare` rewrites dist/sdk and dist/provider, and
        // in the repository that raced the e2e files running beside this one (a provider that loaded a half-written
        // dist/provider/config.js failed with "setProviderConfig is not a function").
        await run("npm", ["pack", "--pack-destination", packs, "--loglevel=error"], packageSources(root), cleanEnv());
        await run(
            "npm",
            ["pack", "-w", "emulator", "--pack-destination", packs, "--loglevel=error"],
            REPO_ROOT,
            cleanEnv(),
        );
        const tgz = fs.readdirSync(packs);
        providerTgz = path.join(
            packs,
            tgz.find((f) => f.startsWith("qlik-tenant-fleet-"))!,
        );
        emulatorTgz = path.join(
            packs,
            tgz.find((f) => f.startsWith("qlik-cloud-emulator-"))!,
        );
    });

    after(async function () {
        if (emulator && emulator.exitCode === null) {
            const exited = new Promise((resolve) => emulator!.once("exit", resolve));
            emulator.kill("SIGTERM");
            await exited;
        }
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("the provider tarball holds only the built sdk/ and provider/ with README, LICENSE and CHANGELOG", function () {
        const entries = tarEntries(providerTgz);
        const stray = entries.filter(
            (e) =>
                !/^package\/dist\/(sdk|provider)\//.test(e) &&
                !["package/package.json", "package/README.md", "package/LICENSE", "package/CHANGELOG.md"].includes(e),
        );
        expect(stray, "files outside the provider's build").to.deep.equal([]);
        for (const needed of [
            "package/dist/sdk/index.js",
            "package/dist/sdk/index.d.ts",
            "package/dist/provider/index.js",
        ]) {
            expect(entries).to.include(needed);
        }
        expect(tarEntries(emulatorTgz)).to.include.members([
            "package/bin/qlik-cloud-emulator.js",
            "package/dist/cli.js",
            "package/README.md",
        ]);
    });

    it("the emulator package, installed alone, starts with its own bin on an ephemeral port", async function () {
        const dir = path.join(root, "emulator-user");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "emulator-user", private: true }));
        // --ignore-scripts, then the repository's build of the same better-sqlite3 version: compiling it with
        // node-gyp takes minutes on two busy cores, and what this test checks is the package, not the compiler.
        await run(
            "npm",
            ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", emulatorTgz],
            dir,
            cleanEnv(),
        );
        const sqliteHere = path.join(dir, "node_modules", "better-sqlite3");
        const sqliteRepo = path.join(REPO_ROOT, "node_modules", "better-sqlite3");
        const version = (d: string) => JSON.parse(fs.readFileSync(path.join(d, "package.json"), "utf8")).version;
        expect(version(sqliteHere)).to.equal(version(sqliteRepo));
        fs.cpSync(
            path.join(sqliteRepo, "build", "Release", "better_sqlite3.node"),
            path.join(sqliteHere, "build", "Release", "better_sqlite3.node"),
        );

        const dataDir = path.join(dir, "data");
        const bin = path.join(dir, "node_modules", ".bin", "qlik-cloud-emulator");
        emulator = spawn(bin, ["--port", "0", "--data-dir", dataDir, "--profile", "instant", "--quiet"], {
            cwd: dir,
            env: cleanEnv(),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        emulator.stdout!.on("data", (d) => (output += d));
        emulator.stderr!.on("data", (d) => (output += d));
        const url = await waitFor(
            () => {
                if (emulator!.exitCode !== null)
                    throw new Error(`the emulator exited ${emulator!.exitCode}: ${output}`);
                return /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
            },
            { timeoutMs: 120_000, pollMs: 100, what: "the emulator's 'listening on' line" },
        );
        info = JSON.parse(fs.readFileSync(path.join(dataDir, "emulator.json"), "utf8"));
        expect(info.httpUrl).to.equal(url);
        expect(Number(new URL(url).port)).to.be.greaterThan(0);
    });

    it("an outside project gets no database or emulator dependency, and runs up, a clean preview and destroy", async function () {
        if (!info) this.skip();
        const dir = path.join(root, "stack");
        fs.mkdirSync(dir);
        const pkg = {
            name: "outside-stack",
            private: true,
            dependencies: {
                "@pulumi/pulumi": repoPkg.dependencies["@pulumi/pulumi"],
                "qlik-tenant-fleet": `file:${providerTgz}`,
            },
            devDependencies: {
                "@types/node": repoPkg.devDependencies["@types/node"],
                typescript: repoPkg.devDependencies.typescript,
            },
        };
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: outside-stack\nruntime: nodejs\n");
        fs.writeFileSync(
            path.join(dir, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    target: "ES2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    esModuleInterop: true,
                    skipLibCheck: true,
                },
                files: ["index.ts"],
            }),
        );
        fs.writeFileSync(path.join(dir, "index.ts"), STACK_PROGRAM);
        await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir, cleanEnv());

        const ls = await run("npm", ["ls", "--all", "--json", "--omit=dev"], dir, cleanEnv());
        const names = packageNames(JSON.parse(ls.output));
        expect(names.has("qlik-tenant-fleet")).to.equal(true);
        expect([...names].filter((n) => NOT_FOR_THE_PROVIDER.includes(n))).to.deep.equal([]);
        // For the closing note: installed packages that come with the provider (the stack's lock, dev tools left out).
        const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
        const installed = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(
            ([where, p]) => where !== "" && where !== "node_modules/qlik-tenant-fleet" && !p.dev,
        );
        console.log(`      the provider brings ${installed.length} packages (${names.size} distinct names in npm ls)`);

        const env = cleanEnv({
            ...engine.pulumiEnv(record, { backendDir: path.join(root, "state"), home: path.join(root, "pulumi-home") }),
            PULUMI_CONFIG_PASSPHRASE: "package-install-test",
        });
        const pulumi = (...args: string[]) => run(record.pulumi, [...args, "--non-interactive"], dir, env);
        await pulumi("stack", "init", "outside");
        await pulumi(
            "config",
            "set-all",
            "--plaintext",
            `qlik:region=${info.region}`,
            "--plaintext",
            `qlik:domain=${info.domain}`,
            "--plaintext",
            `qlik:clientId=${info.oauthClient.clientId}`,
            "--plaintext",
            `qlik:sourceTenantHost=${info.sourceTenant.hostname}`,
            "--plaintext",
            `qlik:endpointOverride=${info.httpUrl}`,
            "--secret",
            `qlik:clientSecret=${info.oauthClient.clientSecret}`,
        );
        // --skip-preview: the preview is not checked, and it would run (and type-check) the program a second time
        await pulumi("up", "--yes", "--skip-preview");
        const outputs = JSON.parse((await pulumi("stack", "output", "--json")).output);
        expect(outputs.hostname).to.equal(`outside.${info.region}.${info.domain}`);
        expect(Object.keys(outputs.groupIds)).to.deep.equal(["Analysts"]);
        // The program type-checked during up; later commands only transpile it (as tests/e2e/harness.ts users do).
        env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
        await pulumi("preview", "--expect-no-changes");
        const destroyed = await pulumi("destroy", "--yes", "--skip-preview");
        expect(destroyed.output).to.match(/3 deleted/);
    });
});
