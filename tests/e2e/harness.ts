// Throw-away Pulumi projects driven by the real CLI: each gets its own temp directory, file
// backend and PULUMI_HOME, so tests never touch the developer's stacks or each other.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { REPO_ROOT, engine } from "../../scripts/lib/repo";

export { REPO_ROOT };

/** The command line for error messages, with the value after every --secret hidden. */
function describeArgs(args: string[]): string {
    return args
        .map((a, i) => {
            if (args[i - 1] === "--secret" && a.includes("=")) return `${a.split("=")[0]}=[secret]`; // set-all --secret k=v
            if (args[i - 2] === "--secret" && !args[i - 1].includes("=")) return "[secret]"; // config set --secret k v
            return a;
        })
        .join(" ");
}

/**
 * QTF_PULUMI_TRACE=<file>: one line per pulumi command a test runs ("<kind> <seconds> <exit code>", kind = the
 * first two words, e.g. "up --yes"), appended, so a suite's pulumi runs can be counted and timed before and after
 * a change to it (the measure of tests/durations.json's budget, see scripts/test.js).
 */
function trace(args: string[], started: number, code: number | null): void {
    const file = process.env.QTF_PULUMI_TRACE;
    if (!file) return;
    const kind = args.filter((a) => a.startsWith("--") || !a.includes("=")).slice(0, 2);
    const flags = args.filter((a) => ["--skip-preview", "--refresh", "--expect-no-changes"].includes(a));
    const line = [...new Set([...kind, ...flags])].join(" ");
    try {
        fs.appendFileSync(file, `${line}\t${((Date.now() - started) / 1000).toFixed(1)}\t${code}\n`);
    } catch {
        // a record for the time budget only: an unwritable trace file never fails a test
    }
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    output: string;
}

export interface ProjectOptions {
    name: string;
    /** JavaScript source of index.js; it imports the SDK as `require("qlik-tenant-fleet")`. */
    program?: string;
    /** More files for the project directory (paths relative to it), e.g. `index.ts`, `tsconfig.json`. */
    files?: Record<string, string>;
    /** Pulumi.yaml `main:`; defaults to index.js when `program` is given, else left out (Pulumi's default). */
    main?: string;
    /** Pulumi.yaml `runtime.options` (typescript, tsconfig, nodeargs, packagemanager). */
    runtimeOptions?: Record<string, string | boolean>;
    /**
     * Give the project its own copy of the qlik-tenant-fleet package (package.json + dist/), so a
     * test can edit the implementation without touching the repository.
     */
    isolatePackage?: boolean;
    env?: NodeJS.ProcessEnv;
}

/** Pulumi.yaml; option values are JSON, which is valid YAML. */
function pulumiYaml(opts: ProjectOptions): string {
    const main = opts.main ?? (opts.program !== undefined ? "index.js" : undefined);
    const options = Object.entries(opts.runtimeOptions ?? {});
    const runtime = options.length
        ? `runtime:\n  name: nodejs\n  options:\n${options.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join("")}`
        : "runtime: nodejs\n";
    return `name: ${opts.name}\n${runtime}${main ? `main: ${main}\n` : ""}`;
}

export class TempProject {
    readonly root: string;
    readonly dir: string;
    readonly packageDir: string;
    private readonly env: NodeJS.ProcessEnv;

    constructor(opts: ProjectOptions) {
        const record = engine.readEngineRecord();
        if (!record) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-${opts.name}-`));
        this.dir = path.join(this.root, "project");
        fs.mkdirSync(this.dir);
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), pulumiYaml(opts));
        fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name: opts.name, private: true }));
        if (opts.program !== undefined) fs.writeFileSync(path.join(this.dir, "index.js"), opts.program);
        for (const [file, text] of Object.entries(opts.files ?? {})) {
            fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
            fs.writeFileSync(path.join(this.dir, file), text);
        }
        this.packageDir = this.linkModules(!!opts.isolatePackage);
        this.env = {
            ...engine.pulumiEnv(record, {
                backendDir: path.join(this.root, "state"),
                home: path.join(this.root, "home"),
            }),
            PULUMI_CONFIG_PASSPHRASE: "e2e-test-passphrase",
            ...opts.env,
        };
    }

    /** node_modules: every repo dependency linked; the package itself linked or copied. */
    private linkModules(isolate: boolean): string {
        const repoModules = path.join(REPO_ROOT, "node_modules");
        const modules = path.join(this.dir, "node_modules");
        if (!isolate) {
            fs.symlinkSync(repoModules, modules, "dir");
            return REPO_ROOT;
        }
        fs.mkdirSync(modules);
        for (const entry of fs.readdirSync(repoModules)) {
            if (entry === "qlik-tenant-fleet" || entry.startsWith(".")) continue;
            fs.symlinkSync(path.join(repoModules, entry), path.join(modules, entry));
        }
        const pkg = path.join(modules, "qlik-tenant-fleet");
        fs.mkdirSync(pkg);
        fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(pkg, "package.json"));
        fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(pkg, "dist"), { recursive: true });
        return pkg;
    }

    /** Adds environment for every later command of this project. */
    addEnv(extra: NodeJS.ProcessEnv): void {
        Object.assign(this.env, extra);
    }

    run(
        args: string[],
        opts: { allowFailure?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
    ): Promise<RunResult> {
        const record = engine.readEngineRecord()!;
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn(record.pulumi, [...args, "--non-interactive"], {
                cwd: this.dir,
                env: { ...this.env, ...opts.env },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            let output = "";
            child.stdout.on("data", (d) => {
                stdout += d;
                output += d;
            });
            child.stderr.on("data", (d) => {
                stderr += d;
                output += d;
            });
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
            child.on("error", reject);
            child.on("exit", (code) => {
                clearTimeout(timer);
                trace(args, started, code);
                const result = { code: code ?? -1, stdout, stderr, output };
                if (code !== 0 && !opts.allowFailure) {
                    reject(new Error(`pulumi ${describeArgs(args)} exited ${code}:\n${output.slice(-6000)}`));
                } else {
                    resolve(result);
                }
            });
        });
    }

    async initStack(
        stack = "test",
        config: Record<string, string> = {},
        secrets: Record<string, string> = {},
    ): Promise<void> {
        await this.run(["stack", "init", stack]);
        // set-all with k=v pairs: a value that starts with "-" (generated secrets do) is never read as a flag.
        const pairs = [
            ...Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
            ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]),
        ];
        if (pairs.length) await this.run(["config", "set-all", ...pairs]);
    }

    /**
     * The check Pulumi's own provider tests make after an up (preview, refresh, preview, all without changes), less
     * the first preview: a refresh without changes leaves the state as it was, so a preview before it would compare
     * the program with the same state as the preview after it; the refresh and the final preview fail alone on any
     * difference (cloud vs state, program vs state). The refresh skips its own preview (a second round of reads):
     * with --expect-no-changes it fails on any change either way (docs/benchmark.md, "No-op preview and refresh").
     */
    async expectNoChanges(): Promise<void> {
        await this.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        await this.run(["preview", "--expect-no-changes"]);
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
