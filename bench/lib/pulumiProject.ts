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

export interface RunOpts {
    allowFailure?: boolean;
    /** Exit codes that are an answer, not a failure (2 = changes found, for `fleet drift`). */
    allowCodes?: number[];
    timeoutMs?: number;
    /** Sample into this sampler (several processes as one tree, e.g. runners); it is not stopped here. */
    sampler?: TreeSampler;
    onOutput?: (chunk: string) => void;
}

export interface BenchProjectOptions {
    name: string;
    /** Either the JavaScript of index.js, or `main`: an existing program directory/file to point Pulumi.yaml at. */
    program?: string;
    main?: string;
    env?: NodeJS.ProcessEnv;
    /** `name: ...` of Pulumi.yaml when it differs from the folder's role (runners of one fleet share one). */
    projectName?: string;
}

export class BenchProject {
    readonly root: string;
    readonly dir: string;
    readonly engineVersion: string;
    private readonly pulumiBin: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(opts: BenchProjectOptions) {
        const record = engine.readEngineRecord();
        if (!record) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
        this.pulumiBin = record.pulumi;
        this.engineVersion = record.version;
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-bench-${opts.name}-`));
        this.dir = path.join(this.root, "project");
        fs.mkdirSync(this.dir);
        const main = opts.main ? `main: ${JSON.stringify(opts.main)}\n` : "main: index.js\n";
        fs.writeFileSync(
            path.join(this.dir, "Pulumi.yaml"),
            `name: ${opts.projectName ?? opts.name}\nruntime: nodejs\n${main}`,
        );
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

    /** A `pulumi` command in the project folder (the CLI `npm run setup` resolved). */
    run(args: string[], opts: RunOpts = {}): Promise<TimedRun> {
        const end = args.indexOf("--");
        const argv =
            end < 0 ? [...args, "--non-interactive"] : [...args.slice(0, end), "--non-interactive", ...args.slice(end)];
        return this.spawnTimed(this.pulumiBin, argv, args, opts);
    }

    /**
     * `npm run fleet -- <args>` as a user runs it against this project (the orchestrator, examples/fleet/ops/cli.js):
     * its own process tree (orchestrator, every shard's pulumi CLI, language host, program, provider) is timed and
     * sampled as one.
     */
    fleet(args: string[], stack: string, opts: RunOpts = {}): Promise<TimedRun> {
        const cli = path.join(REPO_ROOT, "dist", "examples", "fleet", "ops", "cli.js");
        // Sampling every 200 ms: a sharded run has a hundred processes and two cores to share with them.
        const o = { ...opts, sampler: opts.sampler ?? new TreeSampler(undefined, 200) };
        const own = !opts.sampler;
        return this.spawnTimed(
            process.execPath,
            [cli, ...args, "--cwd", this.dir, "--stack", stack],
            ["fleet", ...args],
            o,
        ).then((r) => (own ? { ...r, memory: o.sampler.stop() } : r));
    }

    private spawnTimed(bin: string, argv: string[], args: string[], opts: RunOpts): Promise<TimedRun> {
        return new Promise((resolve, reject) => {
            const started = process.hrtime.bigint();
            const child = spawn(bin, argv, {
                cwd: this.dir,
                env: this.env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            const sampler = (opts.sampler ?? new TreeSampler()).add(child.pid ?? -1).start();
            let output = "";
            const stdout: Buffer[] = [];
            const keep = (d: Buffer) => {
                output = (output + String(d)).slice(-2_000_000);
                opts.onOutput?.(String(d));
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
                const memory = opts.sampler ? sampler.report() : sampler.stop();
                const r = {
                    args,
                    code: code ?? -1,
                    ms,
                    stdout: Buffer.concat(stdout).toString("utf8"),
                    output,
                    memory,
                };
                const allowed = opts.allowFailure === true || (opts.allowCodes ?? []).includes(r.code);
                if (r.code !== 0 && !allowed) {
                    reject(new Error(`${args.join(" ")} exited ${r.code}:\n${output.slice(-6000)}`));
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
        for (const [k, v] of Object.entries(config)) await this.run(["config", "set", k, "--", v]);
        // "--": a generated secret may start with "-" (the emulator's client secrets are base64url).
        for (const [k, v] of Object.entries(secrets)) await this.run(["config", "set", "--secret", k, "--", v]);
    }

    /** `pulumi stack export` text (the checkpoint as the CLI serialises it). */
    async exportState(): Promise<string> {
        return (await this.run(["stack", "export"])).stdout;
    }

    cleanup(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
