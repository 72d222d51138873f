// The Pulumi CLI as npm start runs it: the engine that `npm run setup` found or built, from the repository root.
import { spawnSync } from "child_process";
import { REPO_ROOT as ROOT, engine, type EngineRecord } from "../lib/repo";

export function pulumi(
    record: EngineRecord,
    args: string[],
    opts: { stream?: boolean; allowFailure?: boolean; input?: string } = {},
): { code: number; stdout: string } {
    const r = spawnSync(record.pulumi, args, {
        cwd: ROOT,
        env: engine.pulumiEnv(record),
        encoding: "utf8",
        input: opts.input,
        stdio: opts.stream ? ["ignore", "inherit", "inherit"] : ["pipe", "pipe", "pipe"],
        maxBuffer: 64 * 1024 * 1024,
    });
    const code = r.status ?? 1;
    if (code !== 0 && !opts.allowFailure) {
        throw new Error(
            `pulumi ${args.join(" ")} failed (exit ${code})${opts.stream ? "" : `:\n${r.stderr}${r.stdout}`}`,
        );
    }
    return { code, stdout: r.stdout ?? "" };
}
