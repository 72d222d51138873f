// The fleet's stacks through Pulumi's Automation API (LocalWorkspace over the existing project, so the same
// Pulumi.yaml, program, backend and passphrase as `npm run pulumi`): the engine comes from scripts/lib/engine.js,
// exactly as scripts/pulumi.js finds it, and PULUMI_BACKEND_URL / PULUMI_HOME / PULUMI_CONFIG_PASSPHRASE set by the
// caller win (a CI runner or a throw-away project folder brings its own). Shard k of base stack `<base>` is the stack
// shardStackName(base, k) (examples/fleet/shards.ts). https://www.pulumi.com/docs/iac/using-pulumi/automation-api/
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack, type EngineEvent } from "@pulumi/pulumi/automation";
import { REPO_ROOT, engine } from "../../../scripts/lib/repo";
import { shardStackName } from "../shards";
import { isLockedMessage, redactUrls } from "./locks";

export interface StackTarget {
    /** The Pulumi project folder (holds Pulumi.yaml); default the repository root. */
    cwd?: string;
    /** Default: the stack currently selected in that project. */
    stack?: string;
}

/** An engine error tied to one resource (its URN), e.g. a reload that failed during `up`. */
export interface ResourceError {
    urn: string;
    message: string;
}

export interface RunResult {
    ok: boolean;
    /** Resource operations by kind ("same", "update", ...), as the engine summed them up. */
    changes: Record<string, number>;
    errors: ResourceError[];
    /** The engine's own message when the command failed (last lines). */
    failure?: string;
}

/** One resource of the exported state. */
export interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

export const nameOfUrn = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Automation API wants `<root>/bin/pulumi`; a CLI found elsewhere gets a link in that shape. Several fleet commands
 * may start at once (CI shards, the bench's runners): the link is swapped in atomically, never removed first.
 */
function commandRoot(cli: string): string {
    if (path.basename(path.dirname(cli)) === "bin") return path.dirname(path.dirname(cli));
    const root = path.join(REPO_ROOT, ".pulumi-home", "automation-cli");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    const link = path.join(root, "bin", "pulumi");
    if (readLink(link) === cli) return root;
    const tmp = `${link}.${process.pid}.${Date.now()}`;
    fs.symlinkSync(cli, tmp);
    fs.renameSync(tmp, link);
    return root;
}

function readLink(file: string): string | undefined {
    try {
        return fs.readlinkSync(file);
    } catch {
        return undefined;
    }
}

type EngineRecord = Parameters<typeof engine.pulumiEnv>[0];

/** The engine's environment with the caller's own PULUMI_HOME kept (engine.js would put the repository's there). */
export function fleetEnv(record: EngineRecord, callerEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const home = callerEnv.PULUMI_HOME_OVERRIDE || callerEnv.PULUMI_HOME;
    const env = engine.pulumiEnv(record, home ? { home } : {});
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** One Pulumi project folder: its workspace (shared by all its stacks) and the CLI for what the API lacks. */
export class FleetProject {
    /** The stack selected when the command started (Stack.select changes the selection: restoreSelection undoes it). */
    private initial?: string;

    private constructor(
        readonly cwd: string,
        readonly ws: LocalWorkspace,
        readonly cli: string,
        readonly env: Record<string, string>,
    ) {}

    /**
     * The Automation API selects every stack it opens (`pulumi stack select`, state in PULUMI_HOME), which would leave
     * the operator on the last shard stack opened; this puts the selection back as it was.
     */
    async restoreSelection(): Promise<void> {
        if (this.initial === undefined || (await this.selectedStack()) === this.initial) return;
        await this.pulumi(["stack", "select", this.initial]);
    }

    static async open(cwd?: string): Promise<FleetProject> {
        const record = engine.readEngineRecord() ?? (await engine.ensureEngine());
        const env = fleetEnv(record);
        const dir = path.resolve(cwd ?? REPO_ROOT);
        if (!fs.existsSync(path.join(dir, "Pulumi.yaml")))
            throw new Error(`${dir} holds no Pulumi.yaml: pass --cwd <the fleet project folder>`);
        const pulumiCommand = await PulumiCommand.get({ root: commandRoot(record.pulumi), skipVersionCheck: true });
        const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: env });
        const project = new FleetProject(dir, ws, record.pulumi, env);
        project.initial = await project.selectedStack().catch(() => undefined);
        return project;
    }

    /** A pulumi command in the project folder; its error is Pulumi's own stderr (backend URLs without passwords). */
    pulumi(args: string[]): Promise<string> {
        return new Promise((resolve, reject) =>
            execFile(
                this.cli,
                [...args, "--non-interactive"],
                { cwd: this.cwd, env: this.env, maxBuffer: 64 * 1024 * 1024 },
                (err, stdout, stderr) =>
                    err
                        ? reject(new Error(redactUrls(`pulumi ${args.join(" ")}: ${stderr.trim() || err.message}`)))
                        : resolve(stdout),
            ),
        );
    }

    async stackNames(): Promise<string[]> {
        return (await this.ws.listStacks()).map((s) => s.name);
    }

    private readonly baseConfigs = new Map<string, ReturnType<LocalWorkspace["getAllConfig"]>>();

    /** A base stack's config, read once per command (every shard compares with it; the orchestrator never writes it). */
    baseConfig(base: string): ReturnType<LocalWorkspace["getAllConfig"]> {
        let c = this.baseConfigs.get(base);
        if (!c) {
            c = this.ws.getAllConfig(base);
            c.catch(() => this.baseConfigs.delete(base));
            this.baseConfigs.set(base, c);
        }
        return c;
    }

    async selectedStack(): Promise<string | undefined> {
        return (await this.ws.stack())?.name;
    }

    async projectName(): Promise<string> {
        return (await this.ws.projectSettings()).name;
    }
}

/** What one run of a stack takes besides its log. */
export interface RunOptions {
    /** Pulumi's own --parallel (resource operations at once). */
    parallel?: number;
    onEvent?: (e: EngineEvent) => void;
}

export class FleetStack {
    private constructor(
        readonly stack: Stack,
        readonly cwd: string,
        readonly name: string,
        readonly project?: FleetProject,
    ) {}

    static async open(target: StackTarget = {}, project?: FleetProject): Promise<FleetStack> {
        const p = project ?? (await FleetProject.open(target.cwd));
        const name = target.stack ?? (await p.selectedStack());
        if (!name)
            throw new Error(
                `no stack is selected in ${p.cwd}: pass --stack <name> or select one (\`npm run pulumi -- stack select <name>\`)`,
            );
        return new FleetStack(await selectStack(p.ws, name, p.cwd), p.cwd, name, p);
    }

    /**
     * Shard k of the fleet whose base stack is `base` (shard 0 is the base itself). With `create`, a shard stack that
     * does not exist yet is made from the base: `pulumi stack init --copy-config-from <base>` (Pulumi re-encrypts the
     * secrets for the new stack), then fleet:shard and the fleet's one owner (docs/ownership.md: a customer moved
     * between shards keeps valid ownership markers). A stack that exists in the backend but has no local
     * Pulumi.<stack>.yaml (a fresh CI runner) gets its config the same way (`pulumi config cp`).
     */
    static async openShard(
        base: string,
        k: number,
        opts: {
            create?: boolean;
            cwd?: string;
            project?: FleetProject;
            /** Told the keys (never values) a sync from the base changed in an existing shard stack. */
            onConfigSync?: (stack: string, keys: string[]) => void;
        } = {},
    ): Promise<FleetStack> {
        const p = opts.project ?? (await FleetProject.open(opts.cwd));
        const name = shardStackName(base, k);
        if (k === 0) return FleetStack.open({ stack: name }, p);
        const exists = (await p.stackNames()).includes(name);
        if (!exists && !opts.create) return FleetStack.open({ stack: name }, p);
        const owner = await fleetOwner(p, base);
        const setOwnKeys = async () => {
            await p.pulumi(["config", "set", "--stack", name, "fleet:shard", String(k)]);
            await p.pulumi(["config", "set", "--stack", name, "qlik:owner", owner]);
        };
        if (!exists || !fs.existsSync(path.join(p.cwd, `Pulumi.${name}.yaml`))) {
            if (!exists) await p.pulumi(["stack", "init", name, "--copy-config-from", base, "--no-select"]);
            else await p.pulumi(["config", "cp", "--stack", base, "--dest", name]);
            await setOwnKeys();
            return FleetStack.open({ stack: name }, p);
        }
        // The base stack's config is the fleet's: a value set, changed or removed there since this shard stack was
        // made (a rotated qlik:clientSecret, the qlik:allowTenantDeactivation opt-in, fleet:templateVersion) must
        // reach every shard, or one command would run the shards with different settings (docs/sharding.md#config).
        const sync = shardConfigSync(await p.baseConfig(base), await p.ws.getAllConfig(name), { k, owner });
        // `config cp` re-encrypts the base's secrets for this stack: no secret value passes through arguments.
        if (sync.changed.length) await p.pulumi(["config", "cp", "--stack", base, "--dest", name]);
        if (sync.removed.length) await p.pulumi(["config", "rm-all", "--stack", name, ...sync.removed]);
        if (sync.changed.length || sync.ownKeys) await setOwnKeys();
        const keys = [...sync.changed, ...sync.removed].sort();
        if (keys.length) opts.onConfigSync?.(name, keys);
        return FleetStack.open({ stack: name }, p);
    }

    /** A stack config value (secrets decrypted), or undefined. */
    async config(key: string): Promise<string | undefined> {
        return (await this.allConfig())[key];
    }

    async allConfig(): Promise<Record<string, string>> {
        const all = await this.stack.getAllConfig();
        return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.value]));
    }

    /** The stack outputs, secrets included (they stay in this process; never printed). */
    async outputs(): Promise<Record<string, unknown>> {
        const out = await this.stack.outputs();
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
    }

    async resources(): Promise<StateResource[]> {
        const d = await this.stack.exportStack();
        return ((d.deployment as { resources?: StateResource[] }).resources ?? []).map((r) => ({
            urn: r.urn,
            type: r.type,
            outputs: r.outputs,
        }));
    }

    /**
     * `up`: progress lines to `log`; an engine failure is returned (with each resource's error), not thrown. With
     * `refresh`, every resource is read from Qlik first, so drift made by hand is repaired, not just reported.
     */
    up(log: (line: string) => void, opts: RunOptions & { refresh?: boolean } = {}): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.up({
                onOutput: log,
                onEvent: collectErrors(errors, opts.onEvent),
                continueOnError: true,
                parallel: opts.parallel,
                refresh: opts.refresh,
                color: "never",
            }),
        );
    }

    /** `preview` (refresh: also reads every resource first, the drift check; never writes the state). */
    preview(
        log: (line: string) => void,
        opts: { refresh?: boolean; diff?: boolean } & RunOptions = {},
    ): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.preview({
                onOutput: log,
                onEvent: collectErrors(errors, opts.onEvent),
                refresh: opts.refresh,
                diff: opts.diff,
                parallel: opts.parallel,
                color: "never",
            }),
        );
    }

    /** `refresh`: the state takes what Qlik holds now (it writes the state, never Qlik). */
    refresh(log: (line: string) => void, opts: RunOptions = {}): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.refresh({
                onOutput: log,
                onEvent: collectErrors(errors, opts.onEvent),
                parallel: opts.parallel,
                color: "never",
            }),
        );
    }

    /** `destroy` through the program's providers, so FleetGuard and the deactivation opt-in still decide. */
    destroy(log: (line: string) => void, opts: RunOptions = {}): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.destroy({
                onOutput: log,
                onEvent: collectErrors(errors, opts.onEvent),
                parallel: opts.parallel,
                continueOnError: true,
                color: "never",
            }),
        );
    }

    /** `pulumi cancel`: removes the stack's lock (only once the caller proved its holder dead: locks.ts). */
    async cancel(): Promise<void> {
        if (!this.project) throw new Error(`stack ${this.name}: no project to run pulumi cancel in`);
        await this.project.pulumi(["cancel", "--yes", "--stack", this.name]);
    }

    /** `pulumi stack rm` of an empty stack (a shard k >= 1 after destroy; its Pulumi.<stack>.yaml goes too). */
    async remove(): Promise<void> {
        if (!this.project) throw new Error(`stack ${this.name}: no project to run pulumi stack rm in`);
        await this.project.pulumi(["stack", "rm", "--yes", "--stack", this.name]);
    }

    private async capture(
        errors: ResourceError[],
        run: () => Promise<{
            summary?: { resourceChanges?: Record<string, number> };
            changeSummary?: Record<string, number>;
        }>,
    ): Promise<RunResult> {
        try {
            const r = await run();
            const changes = r.changeSummary ?? r.summary?.resourceChanges ?? {};
            return { ok: true, changes: { ...changes }, errors };
        } catch (e) {
            const text = redactUrls((e as Error).message ?? String(e));
            return { ok: false, changes: {}, errors, failure: text.split("\n").slice(-40).join("\n") };
        }
    }
}

/** Config keys whose value is the shard stack's own; every other key is the base stack's. */
export const SHARD_OWN_KEYS: readonly string[] = ["fleet:shard", "qlik:owner"];

type ConfigValues = Record<string, { value: string; secret?: boolean }>;

/**
 * What makes shard stack k's config the base's: `changed` keys the base has with another value or secrecy (or the
 * shard lacks), `removed` keys only the shard has, `ownKeys` whether fleet:shard or qlik:owner is not k / the owner.
 */
export function shardConfigSync(
    base: ConfigValues,
    shard: ConfigValues,
    own: { k: number; owner: string },
): { changed: string[]; removed: string[]; ownKeys: boolean } {
    const shared = (c: ConfigValues) => Object.keys(c).filter((key) => !SHARD_OWN_KEYS.includes(key));
    const changed = shared(base).filter(
        (key) => shard[key]?.value !== base[key].value || !!shard[key]?.secret !== !!base[key].secret,
    );
    const removed = shared(shard).filter((key) => !(key in base));
    const ownKeys = shard["fleet:shard"]?.value !== String(own.k) || shard["qlik:owner"]?.value !== own.owner;
    return { changed: changed.sort(), removed: removed.sort(), ownKeys };
}

/** The fleet's one owner (docs/ownership.md): the base stack's qlik:owner, else its default organization/project/stack. */
async function fleetOwner(p: FleetProject, base: string): Promise<string> {
    const config = await p.baseConfig(base);
    return config["qlik:owner"]?.value ?? `organization/${await p.projectName()}/${base}`;
}

/**
 * The Automation API throws a CommandError whose message is the whole command dump ("code: ... stdout: ... stderr:
 * ... err?: ..."); the operator needs Pulumi's own "error: ..." line(s) from it. Other messages pass unchanged.
 */
export function pulumiErrorText(message: string): string {
    if (!/^code: -?\d+\n\s*stdout:/.test(message)) return message;
    const stderr = message.split(/\n\s*stderr: /)[1]?.split(/\n\s*err\?: /)[0] ?? "";
    const errors = [...new Set(stderr.split("\n").filter((l) => /^error: /.test(l.trim())))].map((l) => l.trim());
    return errors.length ? `pulumi ${errors.join("\n")}` : message;
}

/** Why a run failed: each resource's first error line, else Pulumi's "error:" lines, else the failure's tail. */
export function failureText(r: RunResult): string {
    const resources = r.errors.map((e) => `${nameOfUrn(e.urn)}: ${e.message.split("\n").find((l) => l.trim()) ?? ""}`);
    const engine = (r.failure ?? "")
        .split("\n")
        .filter((l) => /^\s*error: /.test(l))
        .map((l) => l.trim());
    // Pulumi repeats each resource's error as an "error:" line of its own: one of the two is enough.
    const lines = [...new Set(resources.length ? resources : engine)];
    return lines.length ? lines.join("\n") : (r.failure ?? "pulumi failed");
}

/** Stack.select, with one line naming the stacks there are instead of the Automation API's command dump. */
async function selectStack(ws: LocalWorkspace, name: string, cwd: string): Promise<Stack> {
    try {
        return await Stack.select(name, ws);
    } catch (e) {
        if (!/no stack named/i.test((e as Error).message ?? "")) throw e;
        const names = (await ws.listStacks().catch(() => [])).map((s) => s.name);
        throw new Error(
            // The backend URL stays out: a PostgreSQL or cloud backend URL may carry a password.
            `no stack named "${name}" in ${cwd}: ` +
                (names.length ? `its stacks are ${names.join(", ")}; pass one with --stack` : "it has no stack yet"),
        );
    }
}

/**
 * A run that found the stack locked: a killed `pulumi up` (or a killed `npm run fleet` in the middle of one) leaves
 * its lock behind, and every later run refuses until `pulumi cancel` removes it (https://www.pulumi.com/docs/iac/cli/commands/pulumi_cancel/).
 */
export function isStackLocked(r: RunResult): boolean {
    return !r.ok && isLockedMessage(r.failure ?? "");
}

function collectErrors(errors: ResourceError[], next?: (e: EngineEvent) => void): (e: EngineEvent) => void {
    return (e) => {
        const d = e.diagnosticEvent;
        if (d && d.severity === "error" && d.urn) errors.push({ urn: d.urn, message: d.message });
        next?.(e);
    };
}
