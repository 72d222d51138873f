// `npm start` never fights the user (issue 9.6), run for real: two `npm start` at once on a fresh checkout
// (own emulator folder, master database, state backend and stack, the user's OWN passphrase) leave ONE
// emulator and both succeed; a later start keeps every key the user set. The demo runs on the instant
// profile and on a port the test chose (QLIK_EMULATOR_PORT), next to other tests.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync } from "child_process";
import { REPO_ROOT, engine } from "../../scripts/lib/repo";
import { stopEmulator } from "../../scripts/demo/emulatorProcess";
import { freePort } from "../../scripts/lib/freePort";

interface Run {
    code: number;
    output: string;
}

/** Emulator processes serving this data folder (from /proc: what really runs, not what a pid file says). */
function emulatorsOn(dataDir: string): number[] {
    const out: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
            if (args.some((a) => a.endsWith(path.join("emulator", "cli.js"))) && args.includes(dataDir))
                out.push(Number(entry));
        } catch {
            // exited meanwhile
        }
    }
    return out;
}

describe("npm start: the demo never fights the user", function () {
    this.timeout(600_000);
    const stack = `e2e-start-${process.pid}`;
    let tmp: string;
    let env: NodeJS.ProcessEnv;

    const start = (): Promise<Run> =>
        new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "scripts", "start.js")], {
                cwd: REPO_ROOT,
                env,
                stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            const timer = setTimeout(() => child.kill("SIGKILL"), 420_000);
            child.on("error", reject);
            child.on("exit", (code) => {
                clearTimeout(timer);
                resolve({ code: code ?? -1, output });
            });
        });

    const pulumi = (args: string[], input?: string) => {
        const record = engine.readEngineRecord()!;
        const penv = {
            ...engine.pulumiEnv(record),
            PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL,
            PULUMI_HOME: env.PULUMI_HOME_OVERRIDE,
            PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE,
        };
        const r = spawnSync(record.pulumi, [...args, "--stack", stack, "--non-interactive"], {
            cwd: REPO_ROOT,
            env: penv,
            encoding: "utf8",
            input,
        });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stderr}${r.stdout}`);
        return r.stdout;
    };

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-demo-"));
        env = {
            ...process.env,
            QLIK_FLEET_STACK: stack,
            QLIK_EMULATOR_DATA_DIR: path.join(tmp, "emulator"),
            QLIK_EMULATOR_PORT: String(await freePort()),
            QLIK_EMULATOR_PROFILE: "instant",
            QLIK_FLEET_MASTER_DB: path.join(tmp, "data", "master.sqlite"),
            PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
            PULUMI_HOME_OVERRIDE: path.join(tmp, "home"),
            // The user's own passphrase, as the README advises: no committed stack file may impose another salt.
            PULUMI_CONFIG_PASSPHRASE: "my-own-passphrase-not-the-demo-one",
        };
        fs.mkdirSync(path.join(tmp, "state"));
    });

    after(async () => {
        await stopEmulator(path.join(tmp, "emulator"));
        fs.rmSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), { force: true });
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the demo stack file is generated, never committed", () => {
        const tracked = spawnSync("git", ["ls-files", "Pulumi.dev.yaml"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        }).stdout.trim();
        expect(tracked).to.equal("");
        expect(
            spawnSync("git", ["check-ignore", "-q", "Pulumi.dev.yaml"], { cwd: REPO_ROOT }).status,
            "Pulumi.dev.yaml is ignored",
        ).to.equal(0);
    });

    it("two parallel npm start on a fresh checkout leave ONE emulator, and both succeed", async () => {
        const [a, b] = await Promise.all([start(), start()]);
        expect(a.code, a.output.slice(-3000)).to.equal(0);
        expect(b.code, b.output.slice(-3000)).to.equal(0);
        const both = a.output + b.output;
        expect(both).to.match(/waiting for it to finish/);
        expect(count(both, /started emulator pid/)).to.equal(1);
        expect(count(both, /reusing emulator pid/)).to.equal(1);
        expect(emulatorsOn(env.QLIK_EMULATOR_DATA_DIR!), "emulator processes on the data folder").to.have.length(1);
        const info = JSON.parse(fs.readFileSync(path.join(env.QLIK_EMULATOR_DATA_DIR!, "emulator.json"), "utf8")) as {
            httpUrl: string;
            pid: number;
        };
        expect(new URL(info.httpUrl).port, "the chosen port").to.equal(env.QLIK_EMULATOR_PORT);
        expect(
            fs.readFileSync(path.join(env.QLIK_EMULATOR_DATA_DIR!, "emulator.port"), "utf8").trim(),
            "remembered",
        ).to.equal(env.QLIK_EMULATOR_PORT);
        // The stack config and emulator.json point at the same, only emulator.
        expect(pulumi(["config", "get", "qlik:endpointOverride"]).trim()).to.equal(info.httpUrl);
        expect(both).to.match(/OK.*each user sees exactly their own company's data/);
        // Two plans and two rings side by side; the premium user also reads the forecast app (docs/plans.md).
        expect(both).to.match(/plan \(ring\)\s+premium \(canary\)\s+standard \(general\)/);
        expect(both).to.match(/forecast app: orders\s+\d+\s+- \(not in plan\)/);
    });

    it("a later npm start keeps every key the user set (offboarding opt-in, a changed secret)", async () => {
        pulumi(["config", "set", "qlik:allowTenantDeactivation", "true"]);
        pulumi(["config", "set-all", "--secret", "qlik:clientSecret=the-users-rotated-secret"]);
        const r = await start();
        expect(r.code, r.output.slice(-3000)).to.equal(0);
        expect(r.output).to.match(/kept your own value of qlik:clientSecret/);
        expect(r.output).to.not.match(/stack config set:/);
        expect(pulumi(["config", "get", "qlik:allowTenantDeactivation"]).trim()).to.equal("true");
        expect(pulumi(["config", "get", "qlik:clientSecret"]).trim()).to.equal("the-users-rotated-secret");
        expect(emulatorsOn(env.QLIK_EMULATOR_DATA_DIR!)).to.have.length(1);
    });

    it("emulator:stop tells the truth", async () => {
        const dir = env.QLIK_EMULATOR_DATA_DIR!;
        const run = (): Promise<string> =>
            new Promise((resolve) => {
                const c = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "scripts", "start.js"), "--stop"], {
                    env,
                    stdio: ["ignore", "pipe", "pipe"],
                });
                let out = "";
                c.stdout.on("data", (d) => (out += d));
                c.on("exit", () => resolve(out));
            });
        expect(await run()).to.match(/emulator of .* stopped/);
        expect(emulatorsOn(dir)).to.have.length(0);
        expect(await run()).to.match(/no emulator running/);
    });
});

function count(text: string, re: RegExp): number {
    return (text.match(new RegExp(re.source, "g")) ?? []).length;
}
