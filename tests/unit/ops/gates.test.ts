// The parts of `npm run fleet` that need no stack: argument parsing, the reload-log reading of gate (a), and the
// rollout report. The whole command runs against the real CLI in tests/e2e/fleet-rollout.test.ts.
import { expect } from "chai";
import { driftOf, parseArgs } from "../../../examples/fleet/ops/cli";
import {
    accessDiagnosis,
    checkCustomer,
    failedReloadOf,
    reloadLogErrorLine,
    type GateInput,
} from "../../../examples/fleet/ops/gates";
import { failureText, pulumiErrorText } from "../../../examples/fleet/ops/stack";
import { sqliteSql } from "../../../examples/fleet/ops/store";
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
            lists: {},
        });
        expect(parseArgs(["up", "--shard", "1", "--shard=3", "--parallel", "2"])).to.deep.include({
            flags: { parallel: "2" },
            lists: { shard: ["1", "3"] },
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

    it("a health-check user refused at the app: the gate names the customer's groups missing from its space", async () => {
        // The tenant as the REST API shows it: the published app in space s-1, whose only group assignment is
        // another group (the customer's consumer assignment was removed by hand).
        let assignments = [
            { type: "user", assigneeId: "u-1", roles: ["consumer"] },
            { type: "group", assigneeId: "g-other", roles: ["consumer"] },
        ];
        const bodies = (path: string): unknown => {
            if (path === "/api/v1/apps/pub-1") return { attributes: { id: "pub-1", spaceId: "s-1" } };
            if (path.startsWith("/api/v1/spaces/s-1/assignments")) return { data: assignments };
            if (path === "/api/v1/groups/g-other") return { name: "someone-else" };
            if (path === "/api/v1/groups/g-1") return { name: "globex-analysts" };
            throw new Error(`404 ${path}`);
        };
        const input: GateInput = {
            alias: "globex",
            version: "v2",
            resources: [
                {
                    urn: URN("globex-app"),
                    type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:AppCopy",
                    outputs: { templateVersion: "v2", reloadStatus: "SUCCEEDED" },
                },
            ],
            errors: [],
            tenant: { hostname: "globex.example.test", publishedAppId: "pub-1" },
            signer: {
                keyId: "k",
                issuer: "i",
                privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
            },
            groups: ["globex-analysts", "globex-admins"],
            // Nothing answers there: the login itself fails, as a refused user's would.
            origin: () => "http://127.0.0.1:9",
            api: () =>
                ({
                    send: async (req: { path: string }) => ({ status: 200, headers: {}, body: bodies(req.path) }),
                }) as unknown as HostClient,
        };
        const r = await checkCustomer(input);
        expect(r.passed).to.equal(false);
        expect(r.detail).to.match(
            /^health-check user cannot open the published app: .+; none of the customer's groups \(globex-analysts, globex-admins\) has a role in the published app's space s-1/,
        );
        expect(r.detail).to.not.contain("not a key");
        // With the customer's group in the space the refusal has another cause: nothing is claimed about groups.
        assignments = [...assignments, { type: "group", assigneeId: "g-1", roles: ["consumer"] }];
        expect(await accessDiagnosis(input, "globex.example.test", "pub-1")).to.equal(undefined);
        // An API that cannot tell claims nothing either.
        expect(
            await accessDiagnosis(
                {
                    ...input,
                    api: () =>
                        ({
                            send: async () => {
                                throw new Error("403");
                            },
                        }) as unknown as HostClient,
                },
                "h",
                "pub-1",
            ),
        ).to.equal(undefined);
    });

    it("turns the Automation API's command dump into Pulumi's error line", () => {
        const dump =
            "code: -2\n stdout: \n stderr: Command failed with exit code 1: /x/bin/pulumi config --show-secrets --json --stack test\n" +
            "error: incorrect passphrase\n err?: Error: Command failed with exit code 1: /x/bin/pulumi config\nerror: incorrect passphrase\n";
        expect(pulumiErrorText(dump)).to.equal("pulumi error: incorrect passphrase");
        expect(pulumiErrorText("no stack named x")).to.equal("no stack named x");
        // A failed preview/up/drift says why: the resource's error once, else the engine's error lines.
        const guard = "property maxDeletions value {banana} has a problem: must be a number";
        expect(
            failureText({
                ok: false,
                changes: {},
                errors: [{ urn: URN("fleet-guard", "FleetGuard"), message: `${guard}\nmore` }],
                failure: `Resources:\n    error: ${guard}\n`,
            }),
        ).to.equal(`fleet-guard: ${guard}`);
        expect(
            failureText({ ok: false, changes: {}, errors: [], failure: "x\nerror: the stack is currently locked\ny" }),
        ).to.equal("error: the stack is currently locked");
        // A master database path that does not open names itself and the setting.
        expect(() => sqliteSql("/nonexistent/master.sqlite")).to.throw(
            /master database \/nonexistent\/master\.sqlite cannot be opened .*check fleet:masterDb/,
        );
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
