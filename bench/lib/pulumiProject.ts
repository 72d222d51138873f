// A throw-away Pulumi project for the benchmark: own directory, file backend and PULUMI_HOME (so
// the numbers never depend on, or touch, the developer's stacks), driven by the real CLI that
// `npm run setup` resolved. Each command is timed and its process tree's memory sampled.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { TreeSampler, type MemoryReport } from "./memory";

import { REPO_ROOT, engine, findRepoRoot } from "../../scripts/lib/repo";

export { REPO_ROOT, findRepoRoot };

/** Version of the CLI `npm run setup` resolved. */
export function engineVersion(): string {
    return engine.readEngineRecord()?.version ?? "not set up";
}

export interface TimedRun {
    args: string[];
    code: number;
    ms: number;
    stdout: string;
    output: string;
    memory: MemoryReport;
}

export interface BenchProjectOptions {
    name: string;
    /** Either the JavaScript of index.js, or `main`: an existing program directory/file to point Pulumi.yaml at. */
    program?: string;
    main?: string;
    env?: NodeJS.ProcessEnv;
}

export class BenchProject {
    readonly root: string;
    readonly dir: string;
    readonly engineVersion: string;
    private readonly pulumiBin: string;
    private readonly env: NodeJS.ProcessEnv;

    constructor(opts: BenchProjectOptions) {
        const record = engine.readEngineRecord();
        if (!record) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
        this.pulumiBin = record.pulumi;
        this.engineVersion = record.version;
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-${opts.name}-`));
        this.dir = path.join(this.root, "project");
        fs.mkdirSync(this.dir);
        const main = opts.main ? `main: ${JSON.stringify(opts.main)}\n` : "main: index.js\n";
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${opts.name}\nruntime: nodejs\n${main}`);
        fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name: opts.name, private: true }));
        if (opts.program !== undefined) fs.writeFileSync(path.join(this.dir, "index.js"), opts.program);
        // The program and the provider resolve "qlik-tenant-fleet" and @pulumi/pulumi from the repository.
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(this.dir, "node_modules"), "dir");
        this.env = {
            ...engine.pulumiEnv(record, {
                backendDir: path.join(this.root, "state"),
                home: path.join(this.root, "home"),
            }),
            PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
            ...opts.env,
        };
    }

    run(args: string[], opts: { allowFailure?: boolean; timeoutMs?: number; quiet?: boolean } = {}): Promise<TimedRun> {
        return new Promise((resolve, reject) => {
            const started = process.hrtime.bigint();
            const child = spawn(this.pulumiBin, [...args, "--non-interactive"], {
                cwd: this.dir,
                env: this.env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const sampler = new TreeSampler(child.pid ?? -1).start();
            let output = "";
            const stdout: Buffer[] = [];
            const keep = (d: Buffer) => {
                output = (output + String(d)).slice(-2_000_000);
            };
            child.stdout.on("data", (d: Buffer) => {
                stdout.push(d);
                keep(d);
            });
            child.stderr.on("data", keep);
            const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 3_600_000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                const ms = Number(process.hrtime.bigint() - started) / 1e6;
                const memory = sampler.stop();
                const r = {
                    args,
                    code: code ?? -1,
                    ms,
                    stdout: Buffer.concat(stdout).toString("utf8"),
                    output,
                    memory,
                };
                if (r.code !== 0 && !opts.allowFailure) {
                    reject(new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${output.slice(-6000)}`));
                } else {
                    resolve(r);
                }
            });
        });
    }

    async initStack(
        stack: string,
        config: Record<string, string> = {},
        secrets: Record<string, string> = {},
    ): Promise<void> {
        await this.run(["stack", "init", stack]);
        for (const [k, v] of Object.entries(config)) await this.run(["config", "set", k, v]);
        for (const [k, v] of Object.entries(secrets)) await this.run(["config", "set", "--secret", k, v]);
    }

    /** `pulumi stack export` text (the checkpoint as the CLI serialises it). */
    async exportState(): Promise<string> {
        return (await this.run(["stack", "export"])).stdout;
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
