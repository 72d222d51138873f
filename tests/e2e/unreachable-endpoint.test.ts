// Issue 8 item 8, end to end with the real Pulumi CLI: when nothing answers at the Qlik endpoint (the
// emulator stopped in the middle of an `up`, or a port where nothing ever listened), the output names
// that endpoint ONCE, with its FIX; the other resources' errors point back to it in one short line, and
// no JavaScript stack trace is printed per resource.
import { expect } from "chai";
import * as fs from "fs";
import * as net from "net";
import type { RunningEmulator } from "../../emulator/index";
import type { FaultRule } from "../../emulator/core/faults";
import { TempProject, type RunResult } from "./harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { startDetached } from "./fixtures/processes";
import { intBetween, seededRandom } from "../support/random";
import { waitFor } from "../support/wait";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { QlikTenant, GroupSet } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
new QlikTenant("tenant-a", { alias: "unreach-a", displayName: "Unreachable A" });
new QlikTenant("tenant-b", { alias: "unreach-b", displayName: "Unreachable B" });
new GroupSet("groups", {
    tenantHost: cfg.require("tenantHost"),
    autoCreateGroups: true,
    groups: [{ name: "analysts", roles: [] }],
});
`;

/** Listens on `port` (0: the OS picks) and closes again; the port, or undefined when it is taken. */
async function bindAndRelease(port: number): Promise<number | undefined> {
    const srv = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!bound) return undefined;
    const got = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    return got;
}

/**
 * A loopback port that nothing listens on. Taken below the kernel's ephemeral range: a port the OS
 * hands out for `listen(0)` could be bound again by another test (or the test suite running beside
 * this one) while the CLI runs, and the "dead" endpoint would answer.
 */
async function deadPort(): Promise<number> {
    let low = 32768;
    try {
        low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || low;
    } catch {
        // not Linux: keep the usual default
    }
    const rand = seededRandom("dead port");
    for (let i = 0; low > 12_000 && i < 50; i++) {
        const port = await bindAndRelease(intBetween(rand, 10_000, low - 1_000));
        if (port) return port;
    }
    const port = await bindAndRelease(0);
    if (!port) throw new Error("no free loopback port");
    return port;
}

const JS_STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)\s*$/m;

interface ResourceError {
    resource: string;
    message: string;
}

/**
 * The errors of the CLI's Diagnostics summary, one per failed resource (the CLI also prints each one in
 * its progress lines): `  <type> (<name>):` then `    error: <message>`.
 */
function diagnostics(output: string): ResourceError[] {
    const at = output.indexOf("\nDiagnostics:\n");
    if (at < 0) return [];
    const out: ResourceError[] = [];
    let resource = "";
    for (const line of output.slice(at).split("\n")) {
        const head = /^ {2}(\S.*):$/.exec(line);
        if (head) resource = head[1];
        const err = /^ {4}error: (.*)$/.exec(line);
        if (err && !resource.startsWith("pulumi:pulumi:Stack")) out.push({ resource, message: err[1] });
    }
    return out;
}

function describeOutput(r: RunResult): string {
    return `pulumi exited ${r.code}; its output:\n${r.output.slice(-6000)}`;
}

/** The checks both cases share: the endpoint named once, with its FIX, and no stack trace anywhere. */
function expectNamedOnce(r: RunResult, endpoint: string): void {
    const why = describeOutput(r);
    expect(r.code, why).to.not.equal(0);
    const errors = diagnostics(r.output);
    for (const e of errors) console.log(`      ${e.resource}: ${e.message}`);
    // All three resources failed, and for the one reason.
    expect(
        errors.map((e) => e.resource),
        why,
    ).to.have.length(3);
    const primary = errors.filter((e) => e.message.includes(endpoint));
    expect(primary, `exactly one resource names ${endpoint}\n${why}`).to.have.length(1);
    expect(primary[0].message, why).to.match(
        new RegExp(
            `(cannot connect to|the connection to) ${endpoint.replace(/\./g, "\\.")}\\b.*\\(ECONNREFUSED\\): no Qlik endpoint answers there`,
        ),
    );
    expect(primary[0].message, why).to.match(
        /FIX: nothing is listening at the target address; if qlik:endpointOverride .* is set, is the emulator running there\?$/,
    );
    // The others point back to it in one short line, without repeating the FIX.
    const pointers = errors.filter((e) => e !== primary[0]);
    for (const p of pointers) {
        expect(p.message, why).to.match(
            /(ECONNREFUSED|ECONNRESET): the Qlik endpoint is unreachable \(the first error naming it says which and how to fix it\)/,
        );
        expect(p.message, why).to.not.match(/FIX:/);
    }
    expect(
        r.output.split("\n").filter((l) => l.includes("FIX:") && !l.includes(endpoint)),
        why,
    ).to.deep.equal([]);
    expect(r.output, why).to.not.match(JS_STACK_LINE);
    expect(r.output, why).to.not.match(/QlikApiError:|at (async )?\S+ \(/);
}

describe("e2e: an unreachable Qlik endpoint is named once, with its FIX, without stack traces", function () {
    this.timeout(180_000);

    describe("the emulator stopped in the middle of up", () => {
        let emu: RunningEmulator | undefined;
        let project: TempProject;
        let endpoint: string;
        before(async () => {
            // On a port below the ephemeral range (deadPort): once stopped, nothing else may take it over
            // while the provider retries (an ephemeral port can be reused at once by a parallel test).
            for (let i = 0; !emu; i++) {
                try {
                    emu = await startTestEmulator({ port: await deadPort() });
                } catch (e) {
                    if (i >= 5 || (e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
                }
            }
            endpoint = emu.info.httpUrl;
            const tenantHost = await newTenantHost(emu);
            project = new TempProject({ name: "unreachable-mid-up", program: PROGRAM });
            const sc = stackConfigFor(emu);
            await project.initStack("test", { ...sc.config, tenantHost }, sc.secrets);
        });
        after(async () => {
            project?.cleanup();
            await emu?.close();
        });

        it("names the stopped endpoint once with its FIX; the other resources point back to it in one line", async () => {
            const running = emu!;
            // Hold both tenant creates (POSTs: cut in mid-flight, not retried) and the GroupSet's first read (a GET:
            // cut, then retried against the stopped endpoint) in the emulator; note the held calls as they arrive.
            const hold: FaultRule[] = [
                { match: { method: "POST", path: "^/api/v1/tenants$" }, action: "slow", delayMs: 60_000 },
                { match: { method: "GET", path: "^/api/v1/groups$" }, action: "slow", delayMs: 60_000 },
            ];
            running.emu.faults.add(hold);
            const held: string[] = [];
            const pick = running.emu.faults.pick.bind(running.emu.faults);
            running.emu.faults.pick = (method, host, path) => {
                const rule = pick(method, host, path);
                if (rule?.action === "slow") held.push(`${method} ${host}${path}`);
                return rule;
            };
            const bg = startDetached(project, ["up", "--yes", "--parallel", "8"]);
            let r: RunResult;
            try {
                // Every resource is inside its create, in the middle of a call.
                const inside = () =>
                    held.filter((h) => h.startsWith("POST ")).length === 2 && held.some((h) => h.startsWith("GET "));
                await waitFor(inside, { timeoutMs: 120_000, what: "both tenant creates and a group read held" }).catch(
                    (e: Error) => {
                        throw new Error(`${e.message}; held: ${held.join(", ")}\n${bg.output().slice(-3000)}`);
                    },
                );
                const t0 = Date.now();
                await running.close();
                emu = undefined;
                r = await bg.done;
                console.log(`      held ${held.join(", ")}; the up ended ${Date.now() - t0} ms after the stop`);
            } finally {
                try {
                    process.kill(-bg.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
            expectNamedOnce(r, endpoint);
        });
    });

    describe("an endpoint where nothing ever listened", () => {
        let project: TempProject;
        let endpoint: string;
        before(async () => {
            // Real config shape (the emulator's region, OAuth client), then the override moved to a dead port.
            const emu = await startTestEmulator();
            try {
                const sc = stackConfigFor(emu);
                endpoint = `http://127.0.0.1:${await deadPort()}`;
                project = new TempProject({ name: "unreachable-never", program: PROGRAM });
                await project.initStack(
                    "test",
                    {
                        ...sc.config,
                        "qlik:endpointOverride": endpoint,
                        tenantHost: `never.${emu.info.region}.${emu.info.domain}`,
                    },
                    sc.secrets,
                );
            } finally {
                await emu.close();
            }
        });
        after(() => project?.cleanup());

        it("up fails with one clear message naming it", async () => {
            const r = await project.run(["up", "--yes"], { allowFailure: true, timeoutMs: 150_000 });
            expectNamedOnce(r, endpoint);
        });
    });
});
