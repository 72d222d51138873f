// Over 400 lines: one stack's lifecycle is one test, and each step keeps its checks next to the change it makes.
// The tenancy half of the "independent platform team" suite (issue 8 items 4-8): a TypeScript stack program that is
// not one of our examples (tenancy-program/program.ts), run by the real `pulumi` CLI as `index.ts`, with four
// customer shapes: QlikTenant/JwtIdentityProvider/LicenseAssignment/GroupSet declared one by one ("direct"), the
// three dependents in a tenant made outside the stack ("existing"), and two CustomerTenants ("bravo" with a
// generated key, "charlie" with the ISV's own key). One emulator and one stack for the whole suite.
import { expect } from "chai";
import { step } from "../../support/steps";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RunningEmulator } from "../../../emulator/index";
import { TempProject, RunResult } from "../harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "../emulatorFixture";
import { makeSqliteDb, makeTemplateApp } from "../fixtures/fleet";
import { INDEX_TS, TSCONFIG, TenancyConfig } from "./tenancy-program/program";
import { Rest, jwtLogin, previewSteps } from "./tenancy-program/support";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("e2e: platform team (tenancy): tenants, IdPs, licenses and groups, directly and through CustomerTenant", function () {
    this.timeout(2_400_000); // one test runs every step; generous for a busy machine
    let emu: RunningEmulator;
    let rest: Rest;
    let project: TempProject;
    let dbDir: string;
    let cfg: TenancyConfig;
    let existingHost: string;
    const charlieKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const charliePriv = charlieKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const charliePub = charlieKey.publicKey.export({ type: "spki", format: "pem" }).toString();
    const handMade: { idpId?: string; groupId?: string } = {};

    let typeChecked = false;
    // The first up type-checks index.ts with ts-node as Pulumi does by default; later runs of the same,
    // unchanged source skip the type check (PULUMI_NODEJS_TRANSPILE_ONLY, a documented Pulumi setting) to keep
    // the suite's time on the shared machine within budget.
    // No up, refresh or destroy here checks its own preview (the steps preview first with previewSteps or check
    // with preview --expect-no-changes after), so they all run with --skip-preview: an up's preview costs as much
    // as the update itself (docs/benchmark.md).
    const run = (args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> =>
        project.run(args, {
            ...opts,
            timeoutMs: 600_000,
            env: typeChecked ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {},
        });
    const setConfig = async (c: TenancyConfig) => {
        cfg = c;
        await run(["config", "set-all", "--plaintext", `tenancy=${JSON.stringify(c)}`]);
    };
    const outputs = async () => JSON.parse((await run(["stack", "output", "--json", "--show-secrets"])).stdout);
    const region = () => emu.info.region;
    const aliasHost = (alias: string) => `${alias}.${region()}.${emu.info.domain}`;
    const jwtIdps = async (host: string) =>
        (await rest.list(host, "/api/v1/identity-providers")).filter((p) => p.protocol === "jwtAuth");
    const groupNames = async (host: string) =>
        (await rest.list(host, "/api/v1/groups")).map((g) => g.name as string).sort();
    const assignments = async (host: string) =>
        Object.fromEntries((await rest.list(host, "/api/v1/licenses/assignments")).map((a) => [a.subject, a.type]));
    const loginAll = async () => {
        const o = await outputs();
        const results: Record<string, number> = {};
        results.direct = (
            await jwtLogin(
                emu,
                o.direct.hostname,
                { privateKey: o.direct.privateKey, keyId: o.direct.keyId, issuer: cfg.direct.issuer },
                "direct\\ann",
            )
        ).status;
        for (const c of cfg.customers) {
            const co = o.customerOutputs[c.key];
            const privateKey = c.jwtKey ? charliePriv : co.privateKey;
            results[c.key] = (
                await jwtLogin(emu, co.hostname, { privateKey, keyId: co.keyId, issuer: co.issuer }, c.users[0].subject)
            ).status;
        }
        return results;
    };

    before(async () => {
        emu = await startTestEmulator();
        rest = new Rest(emu);
        const template = await makeTemplateApp(emu, "Tenancy Template");
        dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-tenancy-db-"));
        const dbPath = makeSqliteDb(dbDir, "customer.sqlite");
        // "existing": a tenant made outside the stack, with objects made by hand that destroy must leave alone.
        existingHost = await newTenantHost(emu);
        handMade.groupId = (
            await rest.ok(existingHost, "POST", "/api/v1/groups", {
                name: "hand-made-group",
                status: "active",
                assignedRoles: [],
            })
        ).id;
        const me = await rest.ok(existingHost, "GET", "/api/v1/users/me");
        const handKey = crypto
            .generateKeyPairSync("rsa", { modulusLength: 2048 })
            .publicKey.export({ type: "spki", format: "pem" })
            .toString()
            .replace(/\n/g, "");
        handMade.idpId = (
            await rest.ok(existingHost, "POST", "/api/v1/identity-providers", {
                provider: "external",
                protocol: "jwtAuth",
                interactive: false,
                active: true,
                tenantIds: [me.tenantId],
                description: "made by hand",
                options: {
                    issuer: "https://hand.example/",
                    staticKeys: [{ kid: "hand-kid", pem: handKey }],
                    jwtLoginEnabled: true,
                },
            })
        ).id;
        await rest.ok(existingHost, "POST", "/api/v1/licenses/assignments/actions/add", {
            add: [{ subject: "hand\\made", type: "analyzer" }],
        });

        project = new TempProject({
            name: "platform-tenancy",
            files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG },
        });
        const sc = stackConfigFor(emu);
        await project.initStack("test", sc.config, sc.secrets);
        await setConfig({
            direct: {
                alias: "direct-co",
                displayName: "Direct Co",
                enableAppOpeningFeedback: false,
                addressBy: "system",
                issuer: "https://login.direct.example/",
                idpDescription: "Direct SSO",
                clockToleranceSec: 5,
                assignments: { "direct\\ann": "professional", "direct\\bob": "analyzer" },
                autoAssignAnalyzer: false,
                groups: [
                    { name: "direct-analysts", roles: ["SharedSpaceCreator"] },
                    { name: "direct-viewers", roles: [], description: "read only" },
                ],
                autoCreateGroups: true,
            },
            existing: {
                host: existingHost,
                issuer: "https://login.existing.example/",
                assignments: { "existing\\eve": "analyzer" },
                groups: [{ name: "existing-users", roles: [] }],
            },
            customers: [
                {
                    key: "bravo",
                    alias: "bravo-gmbh",
                    name: "Bravo GmbH",
                    users: [
                        { subject: "bravo\\ann", licenseType: "professional" },
                        { subject: "bravo\\bob", licenseType: "analyzer" },
                    ],
                    groups: [
                        { name: "bravo-analysts" },
                        { name: "bravo-admins", roles: ["AnalyticsAdmin"], spaceRole: "contributor" },
                    ],
                },
                {
                    key: "charlie",
                    alias: "charlie-sa",
                    name: "Charlie SA",
                    users: [{ subject: "charlie\\cat", licenseType: "analyzer" }],
                    groups: [{ name: "charlie-users" }],
                    jwtKey: { keyId: "charlie-kid-1", publicKey: charliePub },
                },
            ],
            templateAppId: template.appId,
            dbPath,
        });
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
        if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
    });

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step("up deploys every shape from index.ts; each shape's users log in with its key", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            typeChecked = true;
            const o = await outputs();
            expect(o.direct.hostname).to.equal(aliasHost("direct-co"));
            expect(await groupNames(o.direct.systemHostname)).to.include.members(["direct-analysts", "direct-viewers"]);
            expect(await assignments(o.direct.systemHostname)).to.include({
                "direct\\ann": "professional",
                "direct\\bob": "analyzer",
            });
            expect(await groupNames(existingHost)).to.include.members(["existing-users", "hand-made-group"]);
            expect(await loginAll()).to.deep.equal({ direct: 200, bravo: 200, charlie: 200 });
            const existingLogin = await jwtLogin(
                emu,
                existingHost,
                { privateKey: "", keyId: "", issuer: "" },
                "x",
            ).catch(() => ({ status: 0 }));
            expect(existingLogin.status).to.not.equal(200); // a token signed with nothing is refused: the check above is not vacuous
        });

        await step("no-change preview, refresh and preview", async () => {
            await project.expectNoChanges();
        });

        await step(
            "a change of each field previews exactly one step with exactly that field (batched across resources); all apply",
            async () => {
                const base = clone(cfg);
                // Each batch changes ONE field of several resources at once: the preview must show exactly those
                // resources, each with exactly its field, so an unrelated change never shows up on another resource.
                // Every field of the four resources is covered field by field by tests/provider/resources/one-step.test.ts.
                type Change = {
                    what: string;
                    edit: (c: TenancyConfig) => void;
                    resource: string;
                    key: string;
                    replace?: boolean;
                };
                // A tenant change makes its system hostname unknown for the rest of that preview (a dynamic provider
                // cannot predict outputs), so a tenant's own fields are batched with changes of OTHER tenants' resources.
                const batches: Change[][] = [
                    [
                        {
                            what: "tenant displayName",
                            edit: (c) => (c.direct.displayName = "Direct Co Ltd"),
                            resource: "direct-tenant",
                            key: "displayName",
                        },
                        {
                            what: "IdP issuer",
                            edit: (c) => (c.existing.issuer = "https://login2.existing.example/"),
                            resource: "existing-jwt",
                            key: "issuer",
                            replace: true,
                        },
                        {
                            what: "a user's license through CustomerTenant",
                            edit: (c) => (c.customers[0].users[1].licenseType = "professional"),
                            resource: "bravo-licenses",
                            key: "assignments",
                        },
                        {
                            what: "the ISV key id through CustomerTenant",
                            edit: (c) => (c.customers[1].jwtKey!.keyId = "charlie-kid-2"),
                            resource: "charlie-jwt",
                            key: "keyId",
                            replace: true,
                        },
                    ],
                    [
                        {
                            what: "tenant flag",
                            edit: (c) => (c.direct.enableAppOpeningFeedback = true),
                            resource: "direct-tenant",
                            key: "enableAppOpeningFeedback",
                        },
                        {
                            what: "a group's roles through CustomerTenant",
                            edit: (c) => (c.customers[0].groups[0].roles = ["Developer"]),
                            resource: "bravo-groups",
                            key: "groups",
                        },
                        {
                            what: "existing licenses",
                            edit: (c) => (c.existing.assignments["existing\\eve"] = "professional"),
                            resource: "existing-licenses",
                            key: "assignments",
                        },
                    ],
                    [
                        {
                            what: "IdP description",
                            edit: (c) => (c.direct.idpDescription = "Direct single sign-on"),
                            resource: "direct-jwt",
                            key: "description",
                        },
                        {
                            what: "license assignments",
                            edit: (c) => (c.direct.assignments["direct\\bob"] = "professional"),
                            resource: "direct-licenses",
                            key: "assignments",
                        },
                        {
                            what: "group roles",
                            edit: (c) => (c.direct.groups[0].roles = ["SharedSpaceCreator", "Developer"]),
                            resource: "direct-groups",
                            key: "groups",
                        },
                        {
                            what: "existing groups",
                            edit: (c) =>
                                (c.existing.groups = [
                                    ...c.existing.groups,
                                    { name: "existing-admins", roles: ["Developer"] },
                                ]),
                            resource: "existing-groups",
                            key: "groups",
                        },
                    ],
                    [
                        {
                            what: "IdP clockToleranceSec",
                            edit: (c) => (c.direct.clockToleranceSec = 30),
                            resource: "direct-jwt",
                            key: "clockToleranceSec",
                            replace: true,
                        },
                        {
                            what: "license autoAssignAnalyzer",
                            edit: (c) => (c.direct.autoAssignAnalyzer = true),
                            resource: "direct-licenses",
                            key: "autoAssignAnalyzer",
                        },
                        {
                            what: "group autoCreateGroups",
                            edit: (c) => (c.direct.autoCreateGroups = false),
                            resource: "direct-groups",
                            key: "autoCreateGroups",
                        },
                    ],
                ];
                for (const batch of batches) {
                    const c = clone(base);
                    for (const ch of batch) ch.edit(c);
                    await setConfig(c);
                    const p = await previewSteps(project);
                    expect(p.resources, JSON.stringify(p.ops)).to.deep.equal(batch.map((ch) => ch.resource).sort());
                    for (const ch of batch) {
                        expect(p.keys[ch.resource], ch.what).to.deep.equal([ch.key]);
                        // A create-before-delete replacement previews as "replace" (with or without its create/delete halves).
                        if (ch.replace) {
                            expect(p.ops[ch.resource], ch.what).to.include("replace");
                            expect(
                                p.ops[ch.resource].every((op) =>
                                    ["create-replacement", "replace", "delete-replaced"].includes(op),
                                ),
                                ch.what,
                            ).to.equal(true);
                        } else {
                            expect(p.ops[ch.resource], ch.what).to.deep.equal(["update"]);
                        }
                    }
                }
                const all = clone(base);
                for (const ch of batches.flat()) ch.edit(all);
                await setConfig(all);
                await run(["up", "--yes", "--skip-preview"]);
                const o = await outputs();
                const sys = o.direct.systemHostname;
                const t = await rest.ok(sys, "GET", `/api/v1/tenants/${o.direct.tenantId}`);
                expect(t).to.include({ name: "Direct Co Ltd", enableAppOpeningFeedback: true });
                const idp = await rest.ok(sys, "GET", `/api/v1/identity-providers/${o.direct.idpId}`);
                expect(idp.description).to.match(/^Direct single sign-on \[qtf:/);
                expect(idp.clockToleranceSec).to.equal(30);
                expect((await jwtIdps(sys)).length, "the replaced IdP is gone").to.equal(1);
                expect(await assignments(sys)).to.include({ "direct\\bob": "professional" });
                expect((await rest.ok(sys, "GET", "/api/v1/licenses/settings")).autoAssignAnalyzer).to.equal(true);
                expect((await rest.ok(sys, "GET", "/api/v1/groups/settings")).autoCreateGroups).to.equal(false);
                const analysts = (await rest.list(sys, "/api/v1/groups")).find((g) => g.name === "direct-analysts");
                expect(analysts.assignedRoles.map((r: { name: string }) => r.name).sort()).to.deep.equal([
                    "Developer",
                    "SharedSpaceCreator",
                ]);
                expect((await jwtIdps(existingHost)).map((p) => p.options.issuer).sort()).to.deep.equal([
                    "https://hand.example/",
                    "https://login2.existing.example/",
                ]);
                expect(
                    (await jwtIdps(o.customerOutputs.charlie.systemHostname)).map((p) => p.options.staticKeys[0].kid),
                ).to.deep.equal(["charlie-kid-2"]);
                expect(await loginAll()).to.deep.equal({ direct: 200, bravo: 200, charlie: 200 });
            },
        );

        await step(
            "out-of-band drift of each managed property (raw REST) is found by refresh, repaired by up, then previews clean",
            async () => {
                const o = await outputs();
                const sys = o.direct.systemHostname;
                const bravo = o.customerOutputs.bravo;
                await rest.ok(sys, "PATCH", `/api/v1/tenants/${o.direct.tenantId}`, [
                    { op: "replace", path: "/name", value: "Hacked" },
                    { op: "replace", path: "/enableAppOpeningFeedback", value: false },
                ]);
                await rest.ok(sys, "PATCH", `/api/v1/identity-providers/${o.direct.idpId}`, [
                    { op: "replace", path: "/description", value: "edited by hand" },
                ]);
                await rest.ok(sys, "POST", "/api/v1/licenses/assignments/actions/update", {
                    update: [{ subject: "direct\\ann", type: "analyzer", sourceType: "professional" }],
                });
                await rest.ok(sys, "PUT", "/api/v1/licenses/settings", { autoAssignAnalyzer: false });
                const analysts = (await rest.list(sys, "/api/v1/groups")).find((g) => g.name === "direct-analysts");
                await rest.ok(sys, "PATCH", `/api/v1/groups/${analysts.id}`, [
                    { op: "replace", path: "assignedRoles", value: [{ name: "TenantAdmin" }] },
                ]);
                await rest.ok(sys, "PATCH", "/api/v1/groups/settings", [
                    { op: "replace", path: "/autoCreateGroups", value: true },
                ]);
                const bravoAdmins = (await rest.list(bravo.systemHostname, "/api/v1/groups")).find(
                    (g) => g.name === "bravo-admins",
                );
                await rest.ok(bravo.systemHostname, "PATCH", `/api/v1/groups/${bravoAdmins.id}`, [
                    { op: "replace", path: "assignedRoles", value: [] },
                ]);

                const refresh = await run(["refresh", "--yes", "--skip-preview"]);
                // "<name> updated (0.1s) [diff: ~a,b]": exactly the drifted resources, each with exactly the drifted
                // properties (nothing else: the up before converged, and no default-only or order-only noise).
                const drifted: Record<string, string[]> = {};
                for (const m of refresh.output.matchAll(/(\S+) updated \([^)]*\) \[diff: ([^\]]*)\]/g)) {
                    drifted[m[1]] = m[2]
                        .split(/[,\s]+/)
                        .map((k) => k.replace(/^[-+~]+/, ""))
                        .filter(Boolean)
                        .sort();
                }
                expect(drifted, refresh.output.slice(-3000)).to.deep.equal({
                    "bravo-groups": ["groups"],
                    "direct-groups": ["autoCreateGroups", "groups"],
                    // the hand edit replaced the whole description, ownership marker included: owner drift too
                    "direct-jwt": ["description", "owner"],
                    "direct-licenses": ["assignments", "autoAssignAnalyzer"],
                    "direct-tenant": ["displayName", "enableAppOpeningFeedback"],
                });
                await run(["up", "--yes", "--skip-preview"]);
                const t = await rest.ok(sys, "GET", `/api/v1/tenants/${o.direct.tenantId}`);
                expect(t).to.include({ name: "Direct Co Ltd", enableAppOpeningFeedback: true });
                expect(
                    (await rest.ok(sys, "GET", `/api/v1/identity-providers/${o.direct.idpId}`)).description,
                ).to.match(/^Direct single sign-on \[qtf:/);
                expect(await assignments(sys)).to.include({ "direct\\ann": "professional" });
                expect((await rest.ok(sys, "GET", "/api/v1/licenses/settings")).autoAssignAnalyzer).to.equal(true);
                expect((await rest.ok(sys, "GET", "/api/v1/groups/settings")).autoCreateGroups).to.equal(false);
                const fixed = (await rest.list(sys, "/api/v1/groups")).find((g) => g.name === "direct-analysts");
                expect(fixed.assignedRoles.map((r: { name: string }) => r.name).sort()).to.deep.equal([
                    "Developer",
                    "SharedSpaceCreator",
                ]);
                const bravoFixed = (await rest.list(bravo.systemHostname, "/api/v1/groups")).find(
                    (g) => g.id === bravoAdmins.id,
                );
                expect(bravoFixed.assignedRoles.map((r: { name: string }) => r.name)).to.deep.equal(["AnalyticsAdmin"]);
            },
        );

        await step(
            "an alias rename is an in-place update of the tenant alone; users log in on the new host; no IdP key left behind",
            async () => {
                const before = await outputs();
                const c = clone(cfg);
                c.direct.alias = "direct-renamed";
                c.customers[0].alias = "bravo-ag"; // the scenario of issue 8: bravo-gmbh -> a new alias, through CustomerTenant
                await setConfig(c);
                const p = await previewSteps(project);
                expect(p.resources, JSON.stringify(p.ops)).to.deep.equal(["bravo-tenant", "direct-tenant"]);
                for (const r of p.resources) {
                    expect(p.ops[r], r).to.deep.equal(["update"]);
                    expect(p.keys[r], r).to.deep.equal(["alias", "hostname"]);
                }
                await run(["up", "--yes", "--skip-preview"]);
                const after = await outputs();
                expect(after.direct.hostname).to.equal(aliasHost("direct-renamed"));
                expect(after.direct.systemHostname).to.equal(before.direct.systemHostname);
                expect(after.direct.idpId, "the IdP was not replaced").to.equal(before.direct.idpId);
                expect(after.direct.groupIds).to.deep.equal(before.direct.groupIds);
                expect(
                    (await rest.call(aliasHost("direct-co"), "GET", "/api/v1/users/me")).status,
                    "the old alias is released",
                ).to.not.equal(200);
                expect((await jwtIdps(after.direct.systemHostname)).length).to.equal(1);
                const bravo = after.customerOutputs.bravo;
                expect(bravo.hostname).to.equal(aliasHost("bravo-ag"));
                expect(bravo.idpId).to.equal(before.customerOutputs.bravo.idpId);
                expect((await rest.call(aliasHost("bravo-gmbh"), "GET", "/api/v1/users/me")).status).to.not.equal(200);
                expect((await jwtIdps(bravo.systemHostname)).length, "the old IdP key is not left behind").to.equal(1);
                expect(await loginAll()).to.deep.equal({ direct: 200, bravo: 200, charlie: 200 });
            },
        );

        await step(
            "switching tenantHost between the system host and the alias host is in place: nothing replaced, nothing lost",
            async () => {
                const before = await outputs();
                const sys = before.direct.systemHostname;
                const groupsBefore = await groupNames(sys);
                const c = clone(cfg);
                c.direct.addressBy = "alias";
                await setConfig(c);
                const p = await previewSteps(project);
                expect(p.resources, JSON.stringify(p.ops)).to.deep.equal([
                    "direct-groups",
                    "direct-jwt",
                    "direct-licenses",
                ]);
                for (const r of p.resources) {
                    expect(p.ops[r], r).to.deep.equal(["update"]);
                    expect(p.keys[r], r).to.deep.equal(["tenantHost"]);
                }
                await run(["up", "--yes", "--skip-preview"]);
                const after = await outputs();
                expect(after.direct.idpId).to.equal(before.direct.idpId);
                expect(after.direct.groupIds).to.deep.equal(before.direct.groupIds);
                expect(await groupNames(sys)).to.deep.equal(groupsBefore);
                expect(await assignments(sys)).to.include({
                    "direct\\ann": "professional",
                    "direct\\bob": "professional",
                });
                expect((await loginAll()).direct).to.equal(200);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step(
            "objects deleted by hand are re-created by up (and recorded in state), then previews clean",
            async () => {
                const before = await outputs();
                const sys = before.direct.systemHostname;
                await rest.ok(sys, "DELETE", `/api/v1/identity-providers/${before.direct.idpId}`);
                await rest.ok(sys, "DELETE", `/api/v1/groups/${before.direct.groupIds["direct-viewers"]}`);
                await rest.ok(existingHost, "POST", "/api/v1/licenses/assignments/actions/delete", {
                    delete: [{ subject: "existing\\eve", type: "professional" }],
                });
                await run(["up", "--refresh", "--yes", "--skip-preview"]);
                const after = await outputs();
                expect(after.direct.idpId).to.not.equal(before.direct.idpId);
                expect(
                    (await rest.call(sys, "GET", `/api/v1/identity-providers/${after.direct.idpId}`)).status,
                ).to.equal(200);
                expect(after.direct.groupIds["direct-viewers"])
                    .to.be.a("string")
                    .and.not.equal(before.direct.groupIds["direct-viewers"]);
                expect(await groupNames(sys)).to.include("direct-viewers");
                expect(await assignments(existingHost)).to.include({ "existing\\eve": "professional" });
                expect((await loginAll()).direct).to.equal(200);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step(
            "destroy removes exactly what the stack made: tenants deactivated, the existing tenant keeps its hand-made objects",
            async () => {
                const o = await outputs();
                await run(["destroy", "--yes", "--skip-preview"]);
                for (const id of [
                    o.direct.tenantId,
                    o.customerOutputs.bravo.tenantId,
                    o.customerOutputs.charlie.tenantId,
                ]) {
                    expect(
                        (await rest.ok(emu.info.registerHost, "GET", `/api/v1/tenants/${id}`)).status,
                        `tenant ${id}`,
                    ).to.equal("disabled");
                }
                const idps = await jwtIdps(existingHost);
                expect(idps.map((p) => p.id)).to.deep.equal([handMade.idpId]);
                expect(await groupNames(existingHost), "existing-users and existing-admins removed").to.deep.equal([
                    "hand-made-group",
                ]);
                expect(await assignments(existingHost)).to.deep.equal({ "hand\\made": "analyzer" });
                const spaces = (await rest.list(existingHost, "/api/v1/spaces")).map((s) => s.name);
                expect(
                    spaces.filter((n: string) => n.startsWith("qlik-tenant-fleet.owner.")),
                    "ownership markers of the stack are gone",
                ).to.deep.equal([]);
            },
        );
    });
});
