// The FleetGuard SDK class: what it hands the provider for plans (plan, planPieces only when given, so a program
// without plans records what it recorded before) and where the run's downgrade confirmation comes from (argument,
// else QLIK_FLEET_CONFIRM_DOWNGRADES, else fleet:confirmDowngrades). Each case runs the class under Pulumi's mocks in
// a child process: the mocks and the config are process-wide, and this suite shares its mocha process with others.
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const SDK = path.join(__dirname, "../../sdk/fleetGuard");

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
// Registration order is not construction order: each guard's inputs go to its index.
const seen = [];
Promise.resolve(pulumi.runtime.setMocks({
    newResource(a) { seen[Number(a.name.slice("guard".length))] = a.inputs; return { id: a.name + "-id", state: a.inputs }; },
    call() { return {}; },
}, "proj", "stack", true)).then(() => {
    const { FleetGuard } = require(${JSON.stringify(SDK)});
    const guards = JSON.parse(process.env.GUARD_ARGS).map((args, i) => new FleetGuard("guard" + i, args));
    pulumi.all(guards.map((g) => g.id)).apply(() => {
        process.stdout.write(JSON.stringify(seen.map(({ __provider, ...inputs }) => inputs)));
    });
});
`;

interface Recorded {
    customers: Record<string, Record<string, unknown>>;
    confirmDowngrades: string[];
    confirmDeletions: string[];
}

/** The inputs each FleetGuard (one per element of `args`, in order) registers, in one child process. */
function run(
    args: unknown[],
    env: Record<string, string> = {},
    config: Record<string, string> = {},
): Promise<Recorded[]> {
    return new Promise((resolve, reject) => {
        const { QLIK_FLEET_CONFIRM_DOWNGRADES: _d, QLIK_FLEET_CONFIRM_DELETIONS: _c, ...base } = process.env;
        execFile(
            process.execPath,
            ["-e", PROGRAM],
            {
                cwd: ROOT,
                timeout: 120_000,
                env: {
                    ...base,
                    ...env,
                    QLIK_SKIP_CONFIG_CHECK: "1",
                    GUARD_ARGS: JSON.stringify(args),
                    PULUMI_CONFIG: JSON.stringify({ "qlik:region": "us", ...config }),
                },
            },
            (err, stdout, stderr) => {
                if (err) return reject(new Error(`${err.message}\n${stderr}`));
                try {
                    resolve(JSON.parse(stdout) as Recorded[]);
                } catch {
                    reject(new Error(`no inputs printed: ${stdout}\n${stderr}`));
                }
            },
        );
    });
}

const pieces = [`shared space "Globex Authors"`];

describe("FleetGuard SDK: plan fields and the downgrade confirmation", function () {
    this.timeout(300_000);

    it("passes plan and planPieces when given (nothing new without them); confirmation from fleet:confirmDowngrades", async () => {
        const config = { "fleet:confirmDowngrades": "acme, globex" };
        const [r] = await run(
            [{ customers: { globex: { plan: "premium", planPieces: pieces }, acme: {}, initech: { planPieces: [] } } }],
            {},
            config,
        );
        expect(r.customers.globex).to.deep.equal({
            region: "us",
            allowDeactivation: false,
            plan: "premium",
            planPieces: pieces,
        });
        expect(r.customers.acme).to.deep.equal({ region: "us", allowDeactivation: false });
        expect(r.customers.initech).to.deep.equal({ region: "us", allowDeactivation: false, planPieces: [] });
        expect(r.confirmDowngrades).to.deep.equal(["acme", "globex"]);
        expect(r.confirmDeletions, "a downgrade confirmation is not a deletion confirmation").to.deep.equal([]);
    });

    it("the argument wins over the environment, which wins over fleet:confirmDowngrades", async () => {
        const config = { "fleet:confirmDowngrades": "acme" };
        const [fromEnv, fromArg] = await run(
            [{ customers: ["acme"] }, { customers: ["acme"], confirmDowngrades: ["umbrella"] }],
            { QLIK_FLEET_CONFIRM_DOWNGRADES: "initech,globex" },
            config,
        );
        expect(fromEnv.confirmDowngrades).to.deep.equal(["initech", "globex"]);
        expect(fromArg.confirmDowngrades).to.deep.equal(["umbrella"]);
    });
});
