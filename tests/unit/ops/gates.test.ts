// The parts of `npm run fleet` that need no stack: argument parsing, the reload-log reading of gate (a), and the
// rollout report. The whole command runs against the real CLI in tests/e2e/fleet-rollout.test.ts.
import { expect } from "chai";
import { driftOf, parseArgs } from "../../../examples/fleet/ops/cli";
import { checkCustomer, failedReloadOf, reloadLogErrorLine, type GateInput } from "../../../examples/fleet/ops/gates";
import {
    failureLines,
    markdownTable,
    rolloutMarkdown,
    rolloutRows,
    textTable,
} from "../../../examples/fleet/ops/report";
import type { HostClient } from "../../../provider/qlik";

// The emulator's failed-reload log (emulator/engine/script/interpreter.ts), as Qlik Sense writes it.
const FAILED_LOG = [
    "Started loading data",
    "Regions << regions",
    "",
    "The following error occurred:",
    "SQL error: no such table: regions",
    "",
    "The error occurred here:",
    "SQL SELECT * FROM regions",
    "",
    "Data has not been loaded. Please correct the error and try loading again.",
    "Execution Failed",
].join("\n");

// AppCopy's failure message (provider/resources/appCopyDeploy.ts) wrapped by its update (appCopy.ts).
const UP_ERROR =
    'template rollout to v3 failed, app a-old stays in service: reload r-42 of app "Acme Sales" (a-new) on acme.example.test FAILED: ' +
    "no such table: regions\nlast lines of the reload log:\n...";

const URN = (name: string, type = "AppCopy") =>
    `urn:pulumi:test::fleet::qlik-tenant-fleet:index:CustomerTenant$pulumi-nodejs:dynamic/qlik-tenant-fleet:${type}::${name}`;

describe("fleet ops: arguments, gate (a), report", () => {
    it("parses commands and flags, and refuses unknown or valueless ones", () => {
        expect(parseArgs(["rollout", "--version", "v2", "--yes", "--stack=dev"])).to.deep.equal({
            command: ["rollout"],
            flags: { version: "v2", yes: true, stack: "dev" },
        });
        expect(parseArgs(["status", "--json", "--cwd", "/x"]).flags).to.deep.equal({ json: true, cwd: "/x" });
        expect(() => parseArgs(["rollout", "--version"])).to.throw(/--version needs a value/);
        expect(() => parseArgs(["status", "--force"])).to.throw(/unknown option --force/);
    });

    it("drift: exit 2 when the refreshed preview would change anything, 0 when all is the same", () => {
        expect(driftOf({ same: 12 })).to.deep.equal({ code: 0, message: "no drift" });
        expect(driftOf({ same: 11, update: 1, read: 2 })).to.deep.equal({ code: 2, message: "drift: 1 to update" });
        expect(driftOf({ same: 10, create: 1, delete: 0 }).code).to.equal(2);
    });

    it("reads the error line of a failed reload log, and the ids in AppCopy's failure", () => {
        expect(reloadLogErrorLine(FAILED_LOG)).to.equal("SQL error: no such table: regions");
        expect(reloadLogErrorLine("a\nb: broken\n\nExecution Failed\n")).to.equal("b: broken");
        expect(failedReloadOf(UP_ERROR)).to.deep.equal({ reloadId: "r-42", appId: "a-new", host: "acme.example.test" });
        expect(failedReloadOf("something else")).to.equal(undefined);
    });

    it("gate (a) fails with the reload log's error line, fetched from the log endpoint", async () => {
        const asked: string[] = [];
        const api = (host: string) =>
            ({
                send: async (req: { path: string }) => {
                    asked.push(`${host}${req.path}`);
                    return { status: 200, headers: {}, body: FAILED_LOG };
                },
            }) as unknown as HostClient;
        const input: GateInput = {
            alias: "acme",
            version: "v3",
            // The failed update kept the old state: v2, SUCCEEDED.
            resources: [
                {
                    urn: URN("acme-app"),
                    type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy",
                    outputs: { templateVersion: "v2", reloadStatus: "SUCCEEDED" },
                },
            ],
            errors: [{ urn: URN("acme-app"), message: UP_ERROR }],
            groups: [],
            origin: () => "http://unused",
            api,
        };
        const r = await checkCustomer(input);
        expect(r).to.deep.equal({ passed: false, detail: "reload r-42 failed: SQL error: no such table: regions" });
        expect(asked).to.deep.equal(["acme.example.test/api/v1/apps/a-new/reloads/logs/r-42"]);

        // The failed app is gone (AppCopy deletes it): the log's last lines in AppCopy's message give the line.
        const gone = await checkCustomer({
            ...input,
            errors: [
                { urn: URN("acme-app"), message: UP_ERROR.replace("...", FAILED_LOG) + "\nFIX: check dataConnections" },
            ],
            api: () =>
                ({
                    send: async () => {
                        throw new Error("404 Not Found");
                    },
                }) as unknown as HostClient,
        });
        expect(gone.detail).to.equal("reload r-42 failed: SQL error: no such table: regions");

        // Another customer's error does not fail this one's gate (a); a mismatch without error says what the stack holds.
        const quiet = await checkCustomer({
            ...input,
            alias: "acme",
            errors: [{ urn: URN("acme-eu-app"), message: UP_ERROR }],
        });
        expect(quiet.detail).to.equal('the stack holds version "v2" (reload SUCCEEDED), not "v3"');
        // An up that failed before any resource ran (a guard refused the plan): its error line is the reason.
        const refused = await checkCustomer({
            ...input,
            errors: [],
            upFailure: "code: 255\n stderr: error: FleetGuard refused: offboarding acme needs confirmation\n",
        });
        expect(refused.detail).to.equal("up failed: error: FleetGuard refused: offboarding acme needs confirmation");
    });

    it("reports every customer: failed ones with why, later rings not started", () => {
        const touched = [
            {
                customerId: "c1",
                alias: "acme",
                ring: "canary" as const,
                previousVersion: "v2",
                state: "failed" as const,
                detail: "reload r1 failed: x | y",
            },
        ];
        const all = [
            { id: "c1", alias: "acme", ring: "canary" as const, plan: "standard", templateVersion: "v3" },
            { id: "c2", alias: "globex", ring: "early" as const, plan: "premium", templateVersion: "v2" },
        ];
        const rows = rolloutRows(touched, all);
        expect(rows.map((r) => [r.alias, r.state, r.previousVersion])).to.deep.equal([
            ["acme", "failed", "v2"],
            ["globex", "not started", "v2"],
        ]);
        expect(failureLines(rows)).to.deep.equal(["FAILED acme (ring canary): reload r1 failed: x | y"]);
        const md = rolloutMarkdown(
            {
                rollout: {
                    id: 7,
                    version: "v3",
                    state: "stopped",
                    currentRing: "canary",
                    message: "stopped at ring canary",
                },
                gates: {},
                finalUp: "skipped",
            },
            rows,
        );
        expect(md).to.contain("## Rollout 7: template release v3: stopped");
        expect(md).to.contain("| acme | canary | v2 | failed | reload r1 failed: x \\| y |");
        expect(md).to.contain("rollout resume");
        expect(markdownTable(["a"], [["1"]])).to.equal("| a |\n| --- |\n| 1 |");
        expect(textTable(["ab", "c"], [["x", "y"]])).to.equal("ab  c\n--  -\nx   y");
    });
});
