// Issue 4, reliability: the real Pulumi CLI against a flaky emulator, and a crash in the middle of `up`.
import { expect } from "chai";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject, type RunResult } from "./harness";
import { startTestEmulator, stackConfigFor } from "./emulatorFixture";
import {
    EmulatorAdmin,
    FLEET_PROGRAM,
    flakyRules,
    groupNamesFor,
    initStack,
    makeSqliteDb,
    makeTemplateApp,
} from "./fixtures/fleet";
import { dynamicProviderPids, killGroup, startDetached, waitGroupGone } from "./fixtures/processes";
import { seededRandom } from "../support/random";
import { waitFor } from "../support/wait";

/** An entry of `pending_operations` in `pulumi stack export`. */
interface PendingOperation {
    type: string;
    resource: { urn: string };
}

/**
 * When the last request held by the emulator's "slow" rules is released (0 before any was held). A held request
 * whose client has died goes no further once released: its body went with the socket, so it creates nothing.
 */
function lastHoldEnd(emu: RunningEmulator): () => number {
    let end = 0;
    const pick = emu.emu.faults.pick.bind(emu.emu.faults);
    emu.emu.faults.pick = (...args: Parameters<typeof pick>) => {
        const rule = pick(...args);
        if (rule?.action === "slow") end = Math.max(end, Date.now() + (rule.delayMs ?? 2000));
        return rule;
    };
    return () => end;
}

const DB_PASSWORD = "rel-db-password-5b1f0c77";

interface Fleet {
    emu: RunningEmulator;
    admin: EmulatorAdmin;
    project: TempProject;
    run(args: string[], opts?: { allowFailure?: boolean; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
    close(): Promise<void>;
}

async function startFleet(name: string, aliases: string[], mode: "customer" | "tenant"): Promise<Fleet> {
    const emu = await startTestEmulator();
    const admin = new EmulatorAdmin(emu);
    const project = new TempProject({ name, program: FLEET_PROGRAM });
    try {
        const template = await makeTemplateApp(emu);
        const cfg = stackConfigFor(emu);
        await initStack(
            project,
            {
                ...cfg.config,
                aliases: JSON.stringify(aliases),
                mode,
                templateAppId: template.appId,
                dbPath: makeSqliteDb(project.root),
            },
            { ...cfg.secrets, dbPassword: DB_PASSWORD },
        );
    } catch (e) {
        project.cleanup();
        await emu.close();
        throw e;
    }
    return {
        emu,
        admin,
        project,
        run: (args, opts) => project.run(args, { timeoutMs: 240_000, ...opts }),
        async close() {
            project.cleanup();
            await emu.close();
        },
    };
}

/** Live (not deleted) customer tenants in the emulator, i.e. every tenant but the ISV's source tenant. */
async function customerTenants(fleet: Fleet): Promise<{ id: string; hostnames: string[]; status: string }[]> {
    const state = await fleet.admin.state();
    const source = fleet.emu.info.sourceTenant.id;
    return (state.tenants ?? []).filter((t) => t.id !== source && t.status !== "deleted");
}

const aliasOf = (fleet: Fleet, t: { hostnames: string[] }) => {
    const suffix = `.${fleet.emu.info.region}.${fleet.emu.info.domain}`;
    const alias = t.hostnames[1];
    return alias && alias.endsWith(suffix) ? alias.slice(0, -suffix.length) : undefined;
};

/** Exactly one live tenant per declared alias, and no other customer tenant (no orphan, no duplicate). */
async function expectExactlyTenants(fleet: Fleet, aliases: string[]): Promise<Map<string, string>> {
    const tenants = await customerTenants(fleet);
    const described = tenants.map((t) => `${t.id} ${t.hostnames.join(",")} ${t.status}`).join("\n");
    expect(
        tenants.map((t) => aliasOf(fleet, t)).sort(),
        `customer tenants in the emulator:\n${described}`,
    ).to.deep.equal([...aliases].sort());
    for (const t of tenants) expect(t.status, `${t.hostnames.join(",")}`).to.equal("active");
    return new Map(tenants.map((t) => [aliasOf(fleet, t)!, t.id]));
}

/** One JWT IdP, each declared group once, one staged app and one published app per customer tenant. */
async function expectNoDuplicateContent(fleet: Fleet, tenantIds: Map<string, string>): Promise<void> {
    const state = await fleet.admin.state();
    const problems: string[] = [];
    const count = (what: string, list: unknown[], want: number, show: () => string) => {
        if (list.length !== want) problems.push(`${what}: ${list.length} (want ${want}): ${show()}`);
    };
    for (const [alias, tenantId] of tenantIds) {
        const idps = (state.identityProviders ?? []).filter(
            (i) => i.tenantId === tenantId || i.tenantIds?.includes(tenantId),
        );
        count(`JWT IdPs of ${alias}`, idps, 1, () =>
            idps.map((i) => `${i.id} iss=${i.options?.issuer} kid=${i.options?.staticKeys?.[0]?.kid}`).join("; "),
        );
        const groups = (state.groups ?? [])
            .filter((g) => g.tenantId === tenantId)
            .map((g) => g.name)
            .sort();
        if (JSON.stringify(groups) !== JSON.stringify(groupNamesFor(alias).sort()))
            problems.push(`groups of ${alias}: ${groups.join(", ")}`);
        const apps = (state.apps ?? []).filter((a) => a.tenantId === tenantId);
        const show = (l: { attributes: Record<string, string | undefined> }[]) => () =>
            l
                .map(
                    ({ attributes: a }) =>
                        `${a.id} "${a.name}" space=${a.spaceId ?? "personal"} origin=${a.originAppId}`,
                )
                .join("; ");
        const published = apps.filter((a) => a.attributes.publishTime);
        const staged = apps.filter((a) => !a.attributes.publishTime);
        count(`staged apps of ${alias}`, staged, 1, show(staged));
        count(`published apps of ${alias}`, published, 1, show(published));
        const connections = (state.dataConnections ?? []).filter((c) => c.tenantId === tenantId);
        count(`data connections of ${alias}`, connections, 1, () =>
            connections.map((c) => `${c.qID ?? c.id} ${c.qName}`).join("; "),
        );
    }
    expect(problems, "duplicate or missing objects in the emulator").to.deep.equal([]);
}

// Every up and refresh here runs with --skip-preview: no test checks their preview (each checks the outcome, then
// previews with --expect-no-changes itself), the creates' preview makes no API call (check() never calls Qlik), and
// an up's own preview costs as much as the update (docs/benchmark.md).
describe("e2e reliability: a flaky Qlik Cloud and a crash in the middle of up", function () {
    this.timeout(600_000);

    describe("(a) 10% 429 and 2% 5xx on every API route (seeded, exact)", () => {
        // Each test makes its own fleet: no test depends on what another one left in the emulator.
        let fleet: Fleet | undefined;
        afterEach(async () => {
            await fleet?.close();
            fleet = undefined;
        });

        it("a 5-customer up converges without error and without duplicates, then preview shows no changes", async () => {
            const aliases = ["rel-a1", "rel-a2", "rel-a3", "rel-a4", "rel-a5"];
            fleet = await startFleet("rel-flaky", aliases, "customer");
            // A 5-customer up makes far more than 120 API requests and 120 GETs (about 300 and 190 measured): every drawn fault fires.
            const plan = flakyRules({
                rand: seededRandom("flaky faults"),
                over: 150,
                rate429: 0.1,
                rate5xx: 0.02,
                retryAfter: 1,
            });
            await fleet.admin.addFaults(plan.rules);
            const up = await fleet.run(["up", "--yes", "--skip-preview", "--parallel", "8"]);
            const log = await fleet.admin.requests();
            const answered429 = log.filter((r) => r.fault === "429").length;
            const answered5xx = log.filter((r) => /^5\d\d$/.test(r.fault ?? "")).length;
            const gets = log.filter((r) => r.method === "GET" && /^\/(api\/v1|oauth|login)\//.test(r.path)).length;
            console.log(
                `      ${log.length} requests (${gets} GETs), ${answered429} answered 429, ${answered5xx} answered 5xx`,
            );
            expect(answered429, `429s (${log.length} requests in all)`).to.equal(plan.expected429);
            expect(answered5xx, `5xx answers to GETs (${gets} GETs in all)`).to.equal(plan.expected5xx);
            expect(up.output).to.not.match(/error:/i);

            const ids = await expectExactlyTenants(fleet, aliases);
            await expectNoDuplicateContent(fleet, ids);
            await fleet.run(["preview", "--expect-no-changes"]);
        });

        it("a 5xx on a create (POST) fails that up with a clear error; the next up completes it without duplicates", async () => {
            const aliases = ["rel-a6", "rel-a7"];
            fleet = await startFleet("rel-post-5xx", aliases, "customer");
            // The first group create and the first data-connection create answer 5xx, in a flaky cloud.
            const plan = flakyRules({
                rand: seededRandom("post-5xx faults"),
                over: 60,
                rate429: 0.1,
                rate5xx: 0.02,
                retryAfter: 1,
            });
            await fleet.admin.addFaults([
                { match: { method: "POST", path: "^/api/v1/groups$", nth: 1 }, action: "500" },
                { match: { method: "POST", path: "^/api/v1/data-connections$", nth: 1 }, action: "503" },
                ...plan.rules,
            ]);
            const failed = await fleet.run(["up", "--yes", "--skip-preview", "--parallel", "8"], {
                allowFailure: true,
            });
            expect(failed.code).to.not.equal(0);
            expect(failed.output).to.match(/GroupSet|groups/);
            expect(failed.output).to.match(/server error|HTTP-50\d|\b50[03]\b/i);
            console.log(
                `      first up failed as expected: ${(/error: .*/.exec(failed.output)?.[0] ?? "").slice(0, 400)}`,
            );
            const second = await fleet.run(["up", "--yes", "--skip-preview", "--parallel", "8"]);
            expect(second.output).to.not.match(/error:/i);
            await fleet.admin.clearFaults();
            await fleet.run(["preview", "--expect-no-changes"]);
            await expectNoDuplicateContent(fleet, await expectExactlyTenants(fleet, aliases));
        });
    });

    describe("(b) the whole pulumi process group SIGKILLed in the middle of up", () => {
        const aliases = ["rel-b1", "rel-b2", "rel-b3", "rel-b4"];
        let fleet: Fleet;
        before(async () => {
            fleet = await startFleet("rel-crash", aliases, "customer");
        });
        after(async () => fleet?.close());

        it("cancel + refresh + up recovers to exactly the declared tenants, and preview shows no changes", async () => {
            // Hold every IdP create 4 s in the emulator, then kill everything the moment the first one has
            // been answered: Qlik holds an IdP that Pulumi has not recorded (the provider had no time to report
            // it), the other IdP creates are still held and die with their client. (The kill cannot land before
            // the answer: the provider exits with its CLI, issue 14, and an aborted request creates nothing.)
            await fleet.admin.addFaults([
                { match: { method: "POST", path: "^/api/v1/identity-providers$" }, action: "slow", delayMs: 4000 },
            ]);
            const holdEnd = lastHoldEnd(fleet.emu);
            const bg = startDetached(fleet.project, ["up", "--yes", "--skip-preview", "--parallel", "8"]);
            try {
                await fleet.admin.waitForRequest(
                    (r) =>
                        r.method === "POST" &&
                        r.path === "/api/v1/identity-providers" &&
                        r.status >= 200 &&
                        r.status < 300,
                    180_000,
                );
                expect(dynamicProviderPids(bg.pid).length, "a dynamic provider was running").to.be.greaterThan(0);
            } finally {
                killGroup(bg.pid);
            }
            const killed = await bg.done;
            expect(killed.code).to.not.equal(0);
            await waitGroupGone(bg.pid);
            await fleet.admin.clearFaults();
            // The IdP creates still held when the clients died are released (and go nowhere) before the test counts.
            await waitFor(() => Date.now() > holdEnd(), { timeoutMs: 60_000, what: "the emulator's holds to end" });
            const before = await customerTenants(fleet);
            const idpsBefore = ((await fleet.admin.state()).identityProviders ?? []).length;
            console.log(
                `      killed with ${before.length} tenant(s) and ${idpsBefore} IdP(s) in the emulator: ${before.map((t) => t.hostnames.join(",")).join(" | ")}`,
            );
            // The crash hit the window this test is about: an object exists that Pulumi never recorded.
            expect(idpsBefore, "IdPs completed after the kill").to.be.greaterThan(0);
            const pending =
                JSON.parse((await fleet.run(["stack", "export"])).stdout).deployment.pending_operations ?? [];
            console.log(
                `      pending operations in the state: ${pending.map((o: PendingOperation) => `${o.type} ${o.resource.urn.split("::").pop()}`).join(", ")}`,
            );

            const recovery: string[] = [];
            const step = async (args: string[], allowFailure = false) => {
                const r = await fleet.run(args, { allowFailure });
                recovery.push(`pulumi ${args.join(" ")} -> ${r.code}`);
                return r;
            };
            // A SIGKILLed CLI leaves the stack locked (diy backend lock file) and pending operations in the state.
            const first = await step(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"], true);
            if (first.code !== 0) {
                expect(first.output).to.match(/currently locked/);
                await step(["cancel", "--yes"]);
                await step(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
            }
            await step(["up", "--yes", "--skip-preview", "--parallel", "8"]);
            console.log(`      recovery: ${recovery.join("; ")}`);
            await step(["preview", "--expect-no-changes"]);
            const ids = await expectExactlyTenants(fleet, aliases);
            await expectNoDuplicateContent(fleet, ids);
        });
    });
    describe("(d) PULUMI_SKIP_CHECKPOINTS (fast mode for big fleets): a crash loses every record of the run", () => {
        const aliases = ["rel-d1", "rel-d2", "rel-d3"];
        let fleet: Fleet;
        before(async () => {
            fleet = await startFleet("rel-skip-checkpoints", aliases, "customer");
        });
        after(async () => fleet?.close());

        it("the next up adopts what the lost run made: exactly the declared tenants, nothing twice, then no changes", async () => {
            const fast = { PULUMI_SKIP_CHECKPOINTS: "true" };
            const bg = startDetached(fleet.project, ["up", "--yes", "--skip-preview", "--parallel", "8"], fast);
            try {
                // The first publish: at least one tenant is complete and the others are on their way.
                await fleet.admin.waitForRequest(
                    (r) => r.method === "POST" && /^\/api\/v1\/apps\/[^/]+\/publish$/.test(r.path),
                    180_000,
                );
            } finally {
                killGroup(bg.pid);
            }
            expect((await bg.done).code).to.not.equal(0);
            await waitGroupGone(bg.pid);
            // The window this test is about: objects exist in Qlik that the state knows nothing of.
            const made = await customerTenants(fleet);
            const state = JSON.parse((await fleet.run(["stack", "export"])).stdout).deployment;
            const recorded = (state.resources ?? []).filter((r: { type: string }) =>
                r.type.startsWith("pulumi-nodejs:dynamic/"),
            );
            console.log(
                `      killed with ${made.length} tenant(s) in the emulator and ${recorded.length} dynamic resource(s) in the state`,
            );
            expect(made.length, "tenants made before the kill").to.be.greaterThan(0);
            expect(recorded, "no checkpoint was written during the run").to.deep.equal([]);

            const again = await fleet.run(["up", "--yes", "--skip-preview", "--parallel", "8"], {
                allowFailure: true,
                env: fast,
            });
            if (again.code !== 0) {
                expect(again.output).to.match(/currently locked/);
                await fleet.run(["cancel", "--yes"]);
                await fleet.run(["up", "--yes", "--skip-preview", "--parallel", "8"], { env: fast });
            }
            await fleet.run(["preview", "--expect-no-changes"]);
            await expectNoDuplicateContent(fleet, await expectExactlyTenants(fleet, aliases));
        });
    });

    describe("(c) only the dynamic-provider process killed in the middle of up", () => {
        let fleet: Fleet;
        before(async () => {
            fleet = await startFleet("rel-provider-kill", ["rel-c1"], "customer");
        });
        after(async () => fleet?.close());

        it("the CLI reports the lost provider and records what completed; refresh + up finish without duplicates", async () => {
            // AppCopy creates the staging space, then copies, connects and reloads; holding its reload 5 s
            // makes sure the kill, right after the space exists, lands inside the app copy.
            await fleet.admin.addFaults([
                { match: { method: "POST", path: "^/api/v1/reloads$" }, action: "slow", delayMs: 5000 },
            ]);
            const bg = startDetached(fleet.project, ["up", "--yes", "--skip-preview"]);
            let pids: number[] = [];
            try {
                await fleet.admin.waitForRequest(
                    (r) =>
                        r.method === "POST" &&
                        r.path === "/api/v1/spaces" &&
                        r.host !== fleet.emu.info.sourceTenant.hostname,
                    120_000,
                );
                pids = dynamicProviderPids(bg.pid);
                expect(pids.length, "a dynamic provider was running").to.be.greaterThan(0);
                for (const pid of pids) process.kill(pid, "SIGKILL");
            } catch (e) {
                killGroup(bg.pid);
                throw new Error(`${(e as Error).message}\nthe CLI's output so far:\n${bg.output().slice(-3000)}`);
            }
            const up = await bg.done;
            expect(up.code).to.not.equal(0);
            // gRPC words the lost plugin differently depending on which call was in flight when it died:
            // a stream cut mid-call (EOF, transport closing, reset) or a new call to a dead port (refused,
            // server preface EOF); all surface as code Unavailable or a closing client connection.
            const errorLines = (up.output.match(/^.*\berror\b.*$/gim) ?? []).slice(0, 8).join("\n");
            expect(
                up.output,
                `the CLI should report the lost provider; its error lines were:\n${errorLines || up.output.slice(-2000)}`,
            ).to.match(
                /error reading from server: EOF|error reading server preface|transport is closing|connection refused|connection reset|client connection is closing|code = Unavailable|unexpected EOF|plugin .*exited/,
            );
            await fleet.admin.clearFaults();
            const pending =
                JSON.parse((await fleet.run(["stack", "export"])).stdout).deployment.pending_operations ?? [];
            expect(pending, "the surviving CLI leaves no pending operation").to.deep.equal([]);
            await fleet.run(["refresh", "--yes", "--skip-preview"]);
            await fleet.run(["up", "--yes", "--skip-preview"]);
            await fleet.run(["preview", "--expect-no-changes"]);
            await expectNoDuplicateContent(fleet, await expectExactlyTenants(fleet, ["rel-c1"]));
        });
    });
});
