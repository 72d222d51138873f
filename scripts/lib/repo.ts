// Typed access, for TypeScript code (scripts, tests, bench), to the repository root and to the
// plain-JS engine library scripts/lib/engine.js (plain JS because it runs before the build exists).
import * as fs from "fs";
import * as path from "path";

/** The repository root, whether the caller runs from its source folder (tsx) or from dist/ (compiled). */
export function findRepoRoot(start: string = __dirname): string {
    let dir = start;
    while (!fs.existsSync(path.join(dir, "scripts", "lib", "engine.js"))) {
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`cannot find the repository root (scripts/lib/engine.js) above ${start}`);
        dir = parent;
    }
    return dir;
}

export const REPO_ROOT = findRepoRoot();

export interface EngineRecord {
    source: string;
    pulumi: string;
    version: string;
    pathDirs: string[];
    node?: string;
}

export interface EngineLib {
    REPO_ROOT: string;
    PULUMI_VERSION: string;
    DEMO_PASSPHRASE: string;
    ensureEngine(): Promise<EngineRecord>;
    readEngineRecord(): EngineRecord | undefined;
    pulumiEnv(record: EngineRecord, overrides?: { backendDir?: string; home?: string }): NodeJS.ProcessEnv;
}

export const engine: EngineLib = require(path.join(REPO_ROOT, "scripts", "lib", "engine.js"));
