// Issue 9 "Why" 1: a second stack (another stack name, the same Qlik account and the same customers) must not
// take over the first stack's tenants. Its `up` fails at the first tenant, before anything changes, naming the
// owner and `takeOverFrom`; the first stack's users still log in with the first stack's keys, and the first
// stack still previews and refreshes clean. The same TypeScript program (tenancy-program) drives both stacks.
import { expect } from "chai";
import { step } from "../../support/steps";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RunningEmulator } from "../../../emulator/index";
import { TempProject } from "../harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "../emulatorFixture";
import { makeSqliteDb, makeTemplateApp } from "../fixtures/fleet";
import { requestLog } from "../../support/handlerEmulator";
import { INDEX_TS, TSCONFIG, TenancyConfig } from "./tenancy-program/program";
import { Rest, jwtLogin } from "./tenancy-program/support";

describe("e2e: two stacks on one Qlik account (ownership)", function () {
    this.timeout(1_200_000); // one test runs every step; generous for a busy machine
    let emu: RunningEmulator;
    let rest: Rest;
    let dbDir: string;
    let first: TempProject;
    let second: TempProject;
    let cfg: TenancyConfig;

    const outputs = async (p: TempProject) =>
        JSON.parse((await p.run(["stack", "output", "--json", "--show-secrets"])).stdout);

    before(async () => {
        emu = await startTestEmulator();
        rest = new Rest(emu);
        const template = await makeTemplateApp(emu, "Two Stacks Template");
        dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-two-stacks-db-"));
        const existingHost = await newTenantHost(emu);
        cfg = {
            direct: {
                alias: "acme-two",
                displayName: "Acme",
                enableAppOpeningFeedback: false,
                addressBy: "system",
                issuer: "https://login.acme.example/",
                idpDescription: "Acme SSO",
                clockToleranceSec: 5,
                assignments: { "acme\\ann": "professional" },
                autoAssignAnalyzer: false,
                groups: [{ name: "acme-analysts", roles: [] }],
                autoCreateGroups: false,
            },
            existing: {
                host: existingHost,
                issuer: "https://login.globex.example/",
                assignments: { "globex\\gil": "analyzer" },
                groups: [{ name: "globex-users", roles: [] }],
            },
            customers: [
                {
                    key: "initech",
                    alias: "initech-two",
                    name: "Initech",
                    users: [{ subject: "initech\\ina", licenseType: "analyzer" }],
                    groups: [{ name: "initech-users" }],
                },
            ],
            templateAppId: template.appId,
            dbPath: makeSqliteDb(dbDir, "customer.sqlite"),
        };
        const sc = stackConfigFor(emu);
        // Two projects with the same program and config but different stack names: "prod" and "staging".
        first = new TempProject({ name: "fleet", files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG } });
        second = new TempProject({ name: "fleet", files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG } });
        await first.initStack("prod", { ...sc.config, tenancy: JSON.stringify(cfg) }, sc.secrets);
        await second.initStack("staging", { ...sc.config, tenancy: JSON.stringify(cfg) }, sc.secrets);
    });
    after(async () => {
        first?.cleanup();
        second?.cleanup();
        await emu?.close();
        if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
    });

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step("the first stack deploys; its users log in", async () => {
            // --skip-preview where up/refresh/destroy's own preview is not checked: it costs as much as the step (docs/benchmark.md)
            await first.run(["up", "--yes", "--skip-preview"], { timeoutMs: 600_000 });
            const o = await outputs(first);
            expect(
                (
                    await jwtLogin(
                        emu,
                        o.direct.hostname,
                        { privateKey: o.direct.privateKey, keyId: o.direct.keyId, issuer: cfg.direct.issuer },
                        "acme\\ann",
                    )
                ).status,
            ).to.equal(200);
            const i = o.customerOutputs.initech;
            expect(
                (
                    await jwtLogin(
                        emu,
                        i.hostname,
                        { privateKey: i.privateKey, keyId: i.keyId, issuer: i.issuer },
                        "initech\\ina",
                    )
                ).status,
            ).to.equal(200);
        });

        await step(
            "the second stack's up fails before changing anything, naming the owner and takeOverFrom",
            async () => {
                const since = (await requestLog(emu)).at(-1)?.seq ?? 0;
                const r = await second.run(["up", "--yes"], { allowFailure: true, timeoutMs: 600_000 });
                expect(r.code).to.not.equal(0);
                expect(r.output).to.contain('managed by "organization/fleet/prod"');
                expect(r.output).to.contain('takeOverFrom: "organization/fleet/prod"');
                // Nothing changed in Qlik: no write of the Qlik APIs at all (token requests are not changes).
                const writes = (await requestLog(emu, since)).filter(
                    (l) => l.method !== "GET" && l.path.startsWith("/api/"),
                );
                expect(writes, JSON.stringify(writes)).to.deep.equal([]);
                // and the second stack recorded no resource it did not create
                const state = JSON.parse((await second.run(["stack", "export"])).stdout);
                const kinds = ((state.deployment.resources ?? []) as { type: string }[])
                    .map((x) => x.type)
                    .filter((t) => t.includes("qlik-tenant-fleet:"));
                expect(kinds.filter((t) => !t.endsWith(":CustomerTenant"))).to.deep.equal([]);
            },
        );

        await step(
            "the first stack's users still log in and the first stack still previews and refreshes clean",
            async () => {
                const o = await outputs(first);
                expect(
                    (
                        await jwtLogin(
                            emu,
                            o.direct.hostname,
                            { privateKey: o.direct.privateKey, keyId: o.direct.keyId, issuer: cfg.direct.issuer },
                            "acme\\ann",
                        )
                    ).status,
                ).to.equal(200);
                const i = o.customerOutputs.initech;
                expect(
                    (
                        await jwtLogin(
                            emu,
                            i.hostname,
                            { privateKey: i.privateKey, keyId: i.keyId, issuer: i.issuer },
                            "initech\\ina",
                        )
                    ).status,
                ).to.equal(200);
                const idps = (await rest.list(o.direct.systemHostname, "/api/v1/identity-providers")).filter(
                    (p) => p.protocol === "jwtAuth",
                );
                expect(idps.map((p) => p.id)).to.deep.equal([o.direct.idpId]);
                await first.expectNoChanges();
            },
        );
    });
});
