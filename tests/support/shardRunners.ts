// Shard runners for the sharded-fleet e2e test (issue 11, docs/sharding.md): each runner is what a CI machine is,
// a work folder of its own (a checkout of the fleet project: Pulumi.yaml, the program, the committed
// Pulumi.<base>.yaml) and a PULUMI_HOME of its own, running `npm run fleet` (dist/examples/fleet/ops/cli.js) as
// a separate process group; all of them share one PostgreSQL state backend and one master database.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, type ChildProcess } from "child_process";
import { REPO_ROOT, engine } from "../../scripts/lib/repo";
import { killGroup } from "../e2e/fixtures/processes";

export interface RunnerResult {
    code: number;
    stdout: string;
    stderr: string;
    output: string;
}

export interface RunningCommand {
    pid: number;
    /** stdout and stderr so far, interleaved. */
    output(): string;
    done: Promise<RunnerResult>;
    /** SIGKILL of the command and every process under it (pulumi, language host, providers): a runner that dies. */
    kill(): void;
}

const CLI = path.join(REPO_ROOT, "dist", "examples", "fleet", "ops", "cli.js");
const PROGRAM = path.join(REPO_ROOT, "dist", "examples", "fleet", "index.js");

function collect(child: ChildProcess, timeoutMs: number): RunningCommand {
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout!.on("data", (d) => {
        stdout += d;
        output += d;
    });
    child.stderr!.on("data", (d) => {
        stderr += d;
        output += d;
    });
    const pid = child.pid!;
    const kill = () => killGroup(pid);
    // A hung command must not outlive the test: killed after the deadline, its exit says so.
    const timer = setTimeout(kill, timeoutMs);
    const done = new Promise<RunnerResult>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (code, signal) => {
            clearTimeout(timer);
            resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, output });
        });
    });
    return { pid, output: () => output, done, kill };
}

export class ShardRunner {
    readonly root: string;
    /** The checkout: the fleet project folder. */
    readonly dir: string;
    readonly home: string;
    private readonly running = new Set<RunningCommand>();

    /** `env`: what the runner's CI job would set: PULUMI_BACKEND_URL, PGPASSWORD, PULUMI_CONFIG_PASSPHRASE. */
    constructor(
        readonly name: string,
        private readonly env: NodeJS.ProcessEnv,
    ) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `qtf-runner-${name}-`));
        this.dir = path.join(this.root, "checkout");
        this.home = path.join(this.root, "pulumi-home");
        fs.mkdirSync(this.dir);
        fs.mkdirSync(this.home);
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), "name: fleet\nruntime: nodejs\nmain: index.js\n");
        fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name: "fleet", private: true }));
        fs.writeFileSync(path.join(this.dir, "index.js"), `module.exports = require(${JSON.stringify(PROGRAM)});\n`);
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(this.dir, "node_modules"), "dir");
    }

    /** Brings the committed stack config files from another runner's checkout, as `git pull` would. */
    checkoutFrom(other: ShardRunner, files: string[]): void {
        for (const f of files) fs.copyFileSync(path.join(other.dir, f), path.join(this.dir, f));
    }

    /** `npm run fleet -- <args> --cwd <checkout>` in a process group of its own; not awaited. */
    start(args: string[], opts: { timeoutMs?: number } = {}): RunningCommand {
        const child = spawn(process.execPath, [CLI, ...args, "--cwd", this.dir], {
            cwd: this.dir,
            // scripts/lib/engine.js puts PULUMI_HOME at the repository's .pulumi-home unless told otherwise.
            env: { ...process.env, ...this.env, PULUMI_HOME_OVERRIDE: this.home },
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        const cmd = collect(child, opts.timeoutMs ?? 420_000);
        this.running.add(cmd);
        void cmd.done.finally(() => this.running.delete(cmd));
        return cmd;
    }

    /**
     * A bash script in the checkout, as a CI step runs (`bash -eo pipefail`), with this runner's environment plus
     * `env`; `npm run --silent fleet` inside it is the caller's business (tests/support/workflowSteps.ts).
     */
    bash(
        script: string,
        env: NodeJS.ProcessEnv = {},
        opts: { timeoutMs?: number; cwd?: string } = {},
    ): Promise<RunnerResult> {
        const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
            cwd: opts.cwd ?? this.dir,
            env: { ...process.env, ...this.env, PULUMI_HOME_OVERRIDE: this.home, ...env },
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        const cmd = collect(child, opts.timeoutMs ?? 420_000);
        this.running.add(cmd);
        void cmd.done.finally(() => this.running.delete(cmd));
        return cmd.done;
    }

    /** A file of the checkout (what a step wrote), or undefined. */
    read(file: string): string | undefined {
        const p = path.join(this.dir, file);
        return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : undefined;
    }

    /** `npm run fleet -- <args>`, awaited. */
    fleet(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunnerResult> {
        return this.start(args, opts).done;
    }

    /** The pulumi CLI itself in this checkout (stack init, config, export), with this runner's home and backend. */
    async pulumi(args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunnerResult> {
        const record = engine.readEngineRecord();
        if (!record) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
        const env = { ...engine.pulumiEnv(record, { home: this.home }), ...this.env, PULUMI_HOME: this.home };
        const child = spawn(record.pulumi, [...args, "--non-interactive"], {
            cwd: this.dir,
            env,
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        });
        const r = await collect(child, 300_000).done;
        if (r.code !== 0 && !opts.allowFailure)
            throw new Error(
                `[${this.name}] pulumi ${args[0]} ${args[1] ?? ""} exited ${r.code}:\n${r.output.slice(-4000)}`,
            );
        return r;
    }

    /** Kills whatever still runs and deletes the runner's folders. */
    async close(): Promise<void> {
        for (const cmd of [...this.running]) {
            cmd.kill();
            await cmd.done.catch(() => undefined);
        }
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
