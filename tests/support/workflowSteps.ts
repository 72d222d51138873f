// The `run:` scripts of .github/workflows/qlik-fleet.yml as a test runs them (docs/sharding.md, "CI"): the step's
// text taken from the file, its `${{ ... }}` expressions replaced by the values a job would have, and
// `npm run --silent fleet -- <args>` sent to the built orchestrator in the runner's checkout, so a test exercises
// exactly what CI runs, minus `npm run setup` (the test machine is set up already).
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../scripts/lib/repo";

export interface WorkflowStep {
    name?: string;
    run?: string;
    if?: string;
}
export interface WorkflowJob {
    if?: string;
    needs?: string | string[];
    steps: WorkflowStep[];
    strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown> };
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
}
export interface Workflow {
    on: Record<string, unknown>;
    env: Record<string, string>;
    jobs: Record<string, WorkflowJob>;
}

export const WORKFLOW_FILE = path.join(REPO_ROOT, ".github", "workflows", "qlik-fleet.yml");
const CLI = path.join(REPO_ROOT, "dist", "examples", "fleet", "ops", "cli.js");

export function loadWorkflow(file = WORKFLOW_FILE): Workflow {
    return YAML.parse(fs.readFileSync(file, "utf8")) as Workflow;
}

const substitute = (text: string, values: Record<string, string>): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (all, expr: string) => {
        if (!(expr in values)) throw new Error(`the workflow uses \${{ ${expr} }}, which the test does not provide`);
        return values[expr];
    });

/**
 * The bash script of step `name` (as named after substitution) of `job`, for `bash -eo pipefail` (the shell GitHub
 * runs `run:` with); `values` gives each `${{ ... }}` expression of the step's name and text.
 */
export function stepScript(wf: Workflow, job: string, name: string, values: Record<string, string> = {}): string {
    const step = wf.jobs[job]?.steps.find((s) => s.name !== undefined && substitute(s.name, values) === name);
    if (!step?.run) throw new Error(`no step "${name}" with a run script in job ${job} of the workflow`);
    // Only `npm run --silent fleet -- ...` may reach npm: anything else is a step the test cannot stand in for.
    const shim = [
        "npm() {",
        `  if [ "$1 $2 $3 $4" = "run --silent fleet --" ]; then shift 4; node ${JSON.stringify(CLI)} "$@" --cwd "$PWD";`,
        '  else echo "the test runs no npm $*" >&2; return 127; fi',
        "}",
    ].join("\n");
    return `${shim}\n${substitute(step.run, values)}`;
}
