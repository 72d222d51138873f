// Issue 4, secrets: known secret values (the OAuth client secret in config, a data-connection password
// input, the JWT private key the provider generates) never appear in the state export, in the output of
// any CLI command (which carries the provider's stderr), in the provider's debug log, or in errors.
import { expect } from "chai";
import { step } from "../support/steps";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject, type RunResult } from "./harness";
import { startTestEmulator, stackConfigFor } from "./emulatorFixture";
import { EmulatorAdmin, initStack, makeSqliteDb, makeTemplateApp } from "./fixtures/fleet";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const DB_PASSWORD = "sec-db-password-9d2c41ee";

/** One customer; `connName` and `omitDatabase` let a test force a data-connection create that Qlik rejects. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { CustomerTenant } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const props = { username: "reader", password: cfg.requireSecret("dbPassword") };
if (cfg.get("omitDatabase") !== "true") props.database = cfg.require("dbPath");
const c = new CustomerTenant("sec", {
    customerName: "Secret Keeper",
    alias: "sec-keeper",
    users: [{ subject: "sec\\\\ann", licenseType: "professional" }],
    groups: [{ name: "sec-analysts" }],
    template: { appId: cfg.require("templateAppId") },
    dataConnection: { name: cfg.get("connName") || "CustomerDB", datasourceID: "sqlite", connectionProperties: props },
});
exports.hostname = c.hostname;
exports.jwtPrivateKey = c.jwtPrivateKey;
exports.reloadStatus = c.reloadStatus;
`;

/** Fragments of a PEM body that survive any line layout (64-character lines, or a single line with \\n). */
function pemFragments(pem: string): string[] {
    const lines = pem.split(/\r?\n/).filter((l) => l && !l.startsWith("-----"));
    expect(lines.length).to.be.greaterThan(4);
    return [lines[1], lines[Math.floor(lines.length / 2)], lines[lines.length - 2]].map((l) => l.slice(8, 48));
}

describe("e2e secrets: nothing secret in state, CLI output, debug logs or errors", function () {
    this.timeout(1_200_000); // one test runs every step; generous for a busy machine
    let emu: RunningEmulator;
    let admin: EmulatorAdmin;
    let project: TempProject;
    let clientSecret: string;
    const outputs: { cmd: string; text: string }[] = [];

    const run = async (
        args: string[],
        opts: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {},
    ): Promise<RunResult> => {
        const r = await project.run(args, { timeoutMs: 240_000, ...opts });
        outputs.push({ cmd: args.join(" "), text: r.output });
        return r;
    };

    /** Every known secret, with a name for the failure message. */
    const secrets = async (): Promise<[string, string][]> => {
        const pem = (await project.run(["stack", "output", "jwtPrivateKey", "--show-secrets"])).stdout.trim();
        expect(pem).to.include("PRIVATE KEY");
        return [
            ["qlik:clientSecret", clientSecret],
            ["dbPassword", DB_PASSWORD],
            ...pemFragments(pem).map((f, i): [string, string] => [`jwt private key fragment ${i}`, f]),
        ];
    };

    const expectClean = async (where: string, text: string) => {
        for (const [name, value] of await secrets())
            expect(text.includes(value), `${name} appears in ${where}`).to.equal(false);
    };

    before(async () => {
        emu = await startTestEmulator();
        admin = new EmulatorAdmin(emu);
        const cfg = stackConfigFor(emu);
        clientSecret = cfg.secrets["qlik:clientSecret"];
        expect(clientSecret).to.have.length.greaterThan(8);
        project = new TempProject({ name: "secrets", program: PROGRAM });
        const template = await makeTemplateApp(emu);
        await initStack(
            project,
            { ...cfg.config, templateAppId: template.appId, dbPath: makeSqliteDb(project.root) },
            { ...cfg.secrets, dbPassword: DB_PASSWORD },
        );
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step("up with the provider's debug log on (QLIK_DEBUG=1) prints no secret", async () => {
            const up = await run(["up", "--yes"], { env: { QLIK_DEBUG: "1" } });
            expect(up.output).to.match(/reloadStatus\s*:\s*"SUCCEEDED"/);
            // The debug log must really be in this output, or this check proves nothing about it.
            expect(up.output, "QLIK_DEBUG lines reach the CLI output").to.match(/\[qlik\]/);
            await expectClean("`pulumi up` output with QLIK_DEBUG=1", up.output);
            const preview = await run(["preview", "--diff"], { env: { QLIK_DEBUG: "1" } });
            await expectClean("`pulumi preview --diff` output", preview.output);
            const refresh = await run(["refresh", "--yes", "--expect-no-changes"], { env: { QLIK_DEBUG: "1" } });
            await expectClean("`pulumi refresh` output", refresh.output);
        });

        await step(
            "the state export holds no plaintext secret, and the secret values are signed secret objects",
            async () => {
                const exported = (await run(["stack", "export"])).stdout;
                await expectClean("`pulumi stack export`", exported);
                // Control: the values really are in the state (encrypted), so the needles above are the right ones.
                const revealed = (await project.run(["stack", "export", "--show-secrets"])).stdout;
                for (const [name, value] of await secrets()) {
                    if (name !== "qlik:clientSecret")
                        expect(revealed.includes(value), `${name} is in the decrypted state`).to.equal(true);
                }
                const deployment = JSON.parse(exported).deployment;
                const isSecret = (v: unknown) =>
                    !!v &&
                    typeof v === "object" &&
                    (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
                const byType = (t: string) =>
                    deployment.resources.find((r: { type: string }) => r.type.endsWith(`:${t}`));

                const idp = byType("JwtIdentityProvider");
                expect(
                    isSecret(idp.outputs.privateKeyPem),
                    "JwtIdentityProvider output privateKeyPem is a secret",
                ).to.equal(true);
                const app = byType("AppCopy");
                const dcIn = app.inputs.dataConnections;
                const dcOut = app.outputs.dataConnections;
                // Either the whole list or each password is a secret; never a plain password.
                const secretIn =
                    isSecret(dcIn) ||
                    (Array.isArray(dcIn) &&
                        dcIn.every(
                            (c: { connectionProperties?: { password?: unknown } }) =>
                                isSecret(c) ||
                                isSecret(c.connectionProperties) ||
                                isSecret(c.connectionProperties?.password),
                        ));
                expect(secretIn, `AppCopy input dataConnections: ${JSON.stringify(dcIn).slice(0, 300)}`).to.equal(true);
                expect(
                    dcOut === undefined || isSecret(dcOut) || !JSON.stringify(dcOut).includes('password":"'),
                    "AppCopy output dataConnections",
                ).to.equal(true);
                const stack = deployment.resources.find((r: { type: string }) => r.type === "pulumi:pulumi:Stack");
                expect(isSecret(stack.outputs.jwtPrivateKey), "stack output jwtPrivateKey is a secret").to.equal(true);
                const component = deployment.resources.find(
                    (r: { type: string }) => r.type === "qlik-tenant-fleet:index:CustomerTenant",
                );
                if (component?.outputs?.jwtPrivateKey !== undefined)
                    expect(isSecret(component.outputs.jwtPrivateKey)).to.equal(true);
            },
        );

        await step("errors about the secret-bearing data connection do not echo the secret", async () => {
            // 1) Qlik answers 503 to the connection create: the provider's error names the request, not the body.
            await run(["config", "set", "connName", "SecondDB"]);
            await admin.addFaults([{ match: { method: "POST", path: "^/api/v1/data-connections$" }, action: "503" }]);
            const failed503 = await run(["up", "--yes"], { allowFailure: true, env: { QLIK_DEBUG: "1" } });
            await admin.clearFaults();
            expect(failed503.code).to.not.equal(0);
            expect(failed503.output).to.match(/data-connections|data connection/i);
            await expectClean("the 503 error output", failed503.output);
            console.log(`      503: ${(/error: .*/.exec(failed503.output)?.[0] ?? "").slice(0, 300)}`);

            // 2) Qlik rejects the connection itself (400: a sqlite connection without its database).
            await run(["config", "set", "omitDatabase", "true"]);
            const failed400 = await run(["up", "--yes"], { allowFailure: true, env: { QLIK_DEBUG: "1" } });
            expect(failed400.code).to.not.equal(0);
            expect(failed400.output).to.match(/database/);
            await expectClean("the 400 error output", failed400.output);
            console.log(`      400: ${(/error: .*/.exec(failed400.output)?.[0] ?? "").slice(0, 300)}`);

            await run(["config", "rm", "omitDatabase"]);
            await run(["config", "rm", "connName"]);
            // --skip-preview where up/refresh/destroy's own preview is not checked: it costs as much as the step (docs/benchmark.md)
            await run(["up", "--yes", "--skip-preview"]);
        });

        await step("no CLI command printed a secret", async () => {
            expect(outputs.length).to.be.greaterThan(6);
            for (const o of outputs) await expectClean(`the output of \`pulumi ${o.cmd}\``, o.text);
        });
    });
});
