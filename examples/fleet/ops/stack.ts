// The fleet stack through Pulumi's Automation API (LocalWorkspace over the existing project, so the same
// Pulumi.yaml, program, backend and passphrase as `npm run pulumi`): the engine and its environment come from
// scripts/lib/engine.js, exactly as scripts/pulumi.js finds them. https://www.pulumi.com/docs/iac/using-pulumi/automation-api/
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack, type EngineEvent } from "@pulumi/pulumi/automation";
import { REPO_ROOT, engine } from "../../../scripts/lib/repo";

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

/** Automation API wants `<root>/bin/pulumi`; a CLI found elsewhere gets a link in that shape. */
function commandRoot(cli: string): string {
    if (path.basename(path.dirname(cli)) === "bin") return path.dirname(path.dirname(cli));
    const root = path.join(REPO_ROOT, ".pulumi-home", "automation-cli");
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    const link = path.join(root, "bin", "pulumi");
    fs.rmSync(link, { force: true });
    fs.symlinkSync(cli, link);
    return root;
}

export class FleetStack {
    private constructor(
        readonly stack: Stack,
        readonly cwd: string,
        readonly name: string,
    ) {}

    static async open(target: StackTarget = {}): Promise<FleetStack> {
        const record = engine.readEngineRecord() ?? (await engine.ensureEngine());
        const env = engine.pulumiEnv(record);
        const cwd = path.resolve(target.cwd ?? REPO_ROOT);
        if (!fs.existsSync(path.join(cwd, "Pulumi.yaml")))
            throw new Error(`${cwd} holds no Pulumi.yaml: pass --cwd <the fleet project folder>`);
        const pulumiCommand = await PulumiCommand.get({ root: commandRoot(record.pulumi), skipVersionCheck: true });
        const envVars = Object.fromEntries(
            Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"),
        );
        const ws = await LocalWorkspace.create({ workDir: cwd, pulumiCommand, envVars });
        const name = target.stack ?? (await ws.stack())?.name;
        if (!name)
            throw new Error(
                `no stack is selected in ${cwd}: pass --stack <name> or select one (\`npm run pulumi -- stack select <name>\`)`,
            );
        return new FleetStack(await selectStack(ws, name, cwd), cwd, name);
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

    /** `up`: progress lines to `log`; an engine failure is returned (with each resource's error), not thrown. */
    up(log: (line: string) => void): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.up({
                onOutput: log,
                onEvent: collectErrors(errors),
                continueOnError: true,
                color: "never",
            }),
        );
    }

    /** `preview` (refresh: also reads every resource first, the drift check; never writes the state). */
    preview(log: (line: string) => void, opts: { refresh?: boolean; diff?: boolean } = {}): Promise<RunResult> {
        const errors: ResourceError[] = [];
        return this.capture(errors, () =>
            this.stack.preview({
                onOutput: log,
                onEvent: collectErrors(errors),
                refresh: opts.refresh,
                diff: opts.diff,
                color: "never",
            }),
        );
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
            const text = (e as Error).message ?? String(e);
            return { ok: false, changes: {}, errors, failure: text.split("\n").slice(-12).join("\n") };
        }
    }
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
    return !r.ok && /stack is currently locked|another update is currently in progress/i.test(r.failure ?? "");
}

function collectErrors(errors: ResourceError[]): (e: EngineEvent) => void {
    return (e) => {
        const d = e.diagnosticEvent;
        if (d && d.severity === "error" && d.urn) errors.push({ urn: d.urn, message: d.message });
    };
}
