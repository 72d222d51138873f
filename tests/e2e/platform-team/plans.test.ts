// Issue 12's plan features as an outsider uses them: a platform team's own TypeScript program (plans-program/) run by
// the real `pulumi` CLI against the emulator, doing what operators do: add an extra app, rename an extra app's
// managed space, change the authors' role, fix drift made by hand (a shared space deleted, a member added), try
// wrong inputs, remove an extra app (the guard asks for a confirmation) and the authors space while a user's app is
// in it, meet a second stack that wants the same shared space, destroy. One emulator and one stack (plus the second
// stack's one `up`); changes are batched so that each preview still checks exactly which steps it shows.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { step } from "../../support/steps";
import { checkpointText, storedCheckpointFile } from "../../support/storedCheckpoint";
import { TempProject, RunResult } from "../harness";
import { stackConfigFor } from "../emulatorFixture";
import { AppsEnv } from "../../provider/resources/appsFixture";
import { AcmeConfig, ExtConfig, INDEX_TS, TSCONFIG } from "./plans-program/program";
import { Rest, changedKeys, previewSteps, type Preview, type Step } from "./tenancy-program/support";

const DB_PW = "acme-db-pw-5e7a0c13";
const CONFIRM = { QLIK_FLEET_CONFIRM_DOWNGRADES: "acme-plans" };

describe("e2e: platform team (plans): extra apps, authors space, settings, SharedSpace and FleetGuard", function () {
    this.timeout(2_400_000); // one test runs every step; generous for a busy machine
    let env: AppsEnv;
    let rest: Rest;
    let project: TempProject;
    let acme: AcmeConfig;
    let ext: ExtConfig;
    let extHost = "";
    const groups: Record<string, string> = {};
    const logs: string[] = [];

    const run = async (args: string[], opts: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}) => {
        const r: RunResult = await project.run(args, { ...opts, timeoutMs: 600_000 });
        logs.push(r.output);
        return r;
    };
    const setConfig = () =>
        run([
            "config",
            "set-all",
            "--plaintext",
            `acme=${JSON.stringify(acme)}`,
            "--plaintext",
            `ext=${JSON.stringify(ext)}`,
        ]);
    const preview = async (e: NodeJS.ProcessEnv = {}) => {
        const p = await previewSteps(project, e);
        logs.push(p.result.output);
        return p;
    };
    /** refresh and the following preview are clean (the end of every operator action). */
    // The operator's up, refresh and destroy commands skip their own preview: each step previews itself where it
    // checks one (an up's own preview costs as much as the update, docs/benchmark.md). The refused ups keep theirs:
    // they prove that nothing changed.
    const clean = async () => {
        await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        await run(["preview", "--expect-no-changes"]);
    };
    // gzip or plain, whichever the backend wrote last (tests/support/storedCheckpoint.ts)
    const stackFile = () =>
        storedCheckpointFile(path.join(project.root, "state", ".pulumi", "stacks", "platform-plans", "test"))!;
    const storedState = () => checkpointText(fs.readFileSync(stackFile()));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the checkpoint's outputs are plain JSON read by the steps
    const outputs = (): Record<string, any> => {
        const cp = JSON.parse(storedState());
        return (cp.checkpoint.latest.resources ?? []).find((r: { type: string }) => r.type === "pulumi:pulumi:Stack")
            .outputs;
    };
    const names = async (host: string, p: string) =>
        (await rest.list(host, p)).map((x) => (x.name ?? x.attributes?.name) as string).sort();
    /** Group assignments of a space as "groupId:roles". */
    const members = async (host: string, spaceId: string) =>
        (await rest.list(host, `/api/v1/spaces/${spaceId}/assignments`))
            .map((a) => `${a.type}:${a.assigneeId}:${[...a.roles].sort().join("+")}`)
            .sort();
    /** The input keys a step changes, member order aside (a read() stores members in canonical order). */
    const realKeys = (p: Preview, name: string): string[] => {
        const st = (JSON.parse(p.result.stdout).steps as Step[]).find((x) => x.urn.endsWith(`::${name}`))!;
        const canon = (v: unknown) =>
            Array.isArray(v) ? JSON.stringify(v.map((m) => JSON.stringify(m)).sort()) : JSON.stringify(v ?? null);
        const o = st.oldState?.inputs ?? {};
        const n = st.newState?.inputs ?? {};
        return changedKeys(st).filter((k) => canon(o[k]) !== canon(n[k]));
    };
    /** Requests the emulator served since `seq` that change something (anything but GET). */
    const writesSince = async (seq: number) =>
        (await env.requests(seq)).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
    /** Every Qlik API request since `seq` (the emulator's own log endpoint aside). */
    const callsSince = async (seq: number) =>
        (await env.requests(seq)).filter((r) => !r.path.startsWith("/_emulator")).map((r) => `${r.method} ${r.path}`);

    before(async () => {
        env = await AppsEnv.start();
        rest = new Rest(env.emu);
        await env.makeTemplate("Sales Template");
        await env.makeTemplate("Forecast Template");
        await env.makeTemplate("Churn Template");
        const t = await env.newTenant();
        extHost = t.host;
        groups.team = await env.newGroup(t, "ext-team");
        groups.review = await env.newGroup(t, "ext-review");
        groups.intruder = await env.newGroup(t, "ext-intruder");
        acme = {
            customerName: "Acme Co",
            alias: "acme-plans",
            plan: "premium",
            dbFile: env.sqliteDb("acme.sqlite"),
            extraApps: [{ key: "forecast", template: "Forecast Template" }],
            authors: { role: "producer" },
            tenantSettings: { autoAssignCreateSharedSpacesRoleToProfessionals: false },
            licenseSettings: { autoAssignAnalyzer: true },
        };
        ext = {
            host: extHost,
            spaces: {
                "ext-team": { name: "Team Workbench", members: [{ groupId: groups.team, roles: ["producer"] }] },
                "ext-review": { name: "Review Room", members: [{ groupId: groups.review, roles: ["consumer"] }] },
            },
        };
        project = new TempProject({
            name: "platform-plans",
            files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG },
        });
        const sc = stackConfigFor(env.emu);
        await project.initStack("test", sc.config, { ...sc.secrets, acmeDbPassword: DB_PW });
        await setConfig();
    });
    after(async () => {
        project?.cleanup();
        await env?.close();
    });

    it("the operator's actions in order (each works on the stack the previous ones left)", async () => {
        let acmeHost = "";
        let authorsId = "";
        await step(
            "up: a premium customer with one extra app, authors space and settings; two shared spaces in an existing tenant",
            async () => {
                await run(["up", "--yes", "--skip-preview"]);
                const out = outputs();
                acmeHost = out.acmeHostname;
                authorsId = out.acmeAuthorsSpaceId;
                const tenant = await rest.ok(acmeHost, "GET", `/api/v1/tenants/${out.acmeTenantId}`);
                expect(tenant.autoAssignCreateSharedSpacesRoleToProfessionals).to.equal(false);
                expect((await rest.ok(acmeHost, "GET", "/api/v1/licenses/settings")).autoAssignAnalyzer).to.equal(true);
                expect(Object.keys(out.acmeExtraApps)).to.deep.equal(["forecast"]);
                expect(out.acmeExtraApps.forecast.reloadStatus).to.equal("SUCCEEDED");
                const pub = await rest.ok(acmeHost, "GET", `/api/v1/apps/${out.acmeExtraApps.forecast.publishedAppId}`);
                const space = await rest.ok(acmeHost, "GET", `/api/v1/spaces/${pub.attributes.spaceId}`);
                expect(space).to.include({ name: "Acme Co forecast", type: "managed" });
                const authors = await rest.ok(acmeHost, "GET", `/api/v1/spaces/${authorsId}`);
                expect(authors).to.include({ name: "Acme Co Authors", type: "shared" });
                expect((await members(acmeHost, authorsId)).map((m) => m.replace(/:[^:]+:/, ":"))).to.deep.equal([
                    "group:producer",
                    "group:producer",
                ]);
                expect(await names(extHost, "/api/v1/spaces")).to.deep.equal(["Review Room", "Team Workbench"]);
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step(
            "hand-made drift (a shared space deleted, a group and a user added to the other) plus three program changes (an extra app added, an extra app's managed space renamed, the authors' role changed): refresh, then a preview of exactly those steps, up, clean",
            async () => {
                const ids = outputs().extSpaceIds;
                const forecastAppBefore = outputs().acmeExtraApps.forecast.publishedAppId;
                await rest.ok(extHost, "DELETE", `/api/v1/spaces/${ids["ext-review"]}`);
                const user = await rest.ok(extHost, "POST", "/api/v1/users", { subject: "ext\\kim", name: "Kim" });
                for (const [type, assigneeId] of [
                    ["group", groups.intruder],
                    ["user", user.id],
                ])
                    await rest.ok(extHost, "POST", `/api/v1/spaces/${ids["ext-team"]}/assignments`, {
                        type,
                        assigneeId,
                        roles: ["consumer"],
                    });
                await run(["refresh", "--yes", "--skip-preview"]);
                acme = {
                    ...acme,
                    extraApps: [
                        { key: "forecast", template: "Forecast Template", managedSpaceName: "Acme Co Forecasting" },
                        { key: "churn", template: "Churn Template" },
                    ],
                    authors: { role: "codeveloper" },
                };
                await setConfig();
                const p = await preview();
                expect(p.resources, JSON.stringify(p.ops)).to.deep.equal([
                    "acme-app-churn",
                    "acme-authors",
                    "acme-publish-churn",
                    "acme-publish-forecast",
                    "ext-review",
                    "ext-team",
                ]);
                expect(p.ops).to.deep.include({
                    "acme-app-churn": ["create"],
                    "acme-publish-churn": ["create"],
                    "acme-publish-forecast": ["update"],
                    "acme-authors": ["update"],
                    "ext-review": ["create"],
                    "ext-team": ["update"],
                });
                // ManagedSpacePublish's refresh stores its members sorted, so the raw inputs differ in order only; its diff
                // (an update of spaceName alone) is what the provider applies.
                expect(realKeys(p, "acme-publish-forecast")).to.deep.equal(["spaceName"]);
                expect(p.keys["acme-authors"]).to.deep.equal(["members"]);
                expect(p.keys["ext-team"]).to.deep.equal(["members"]);
                await run(["up", "--yes", "--skip-preview"]);
                const out = outputs();
                expect(Object.keys(out.acmeExtraApps).sort()).to.deep.equal(["churn", "forecast"]);
                const forecastPub = await rest.ok(
                    acmeHost,
                    "GET",
                    `/api/v1/apps/${out.acmeExtraApps.forecast.publishedAppId}`,
                );
                expect(
                    (await rest.ok(acmeHost, "GET", `/api/v1/spaces/${forecastPub.attributes.spaceId}`)).name,
                ).to.equal("Acme Co Forecasting");
                // Renaming the space is an update of the space: users keep the app they open (and their sheets in it).
                expect(out.acmeExtraApps.forecast.publishedAppId).to.equal(forecastAppBefore);
                expect(out.acmeExtraApps.churn.reloadStatus).to.equal("SUCCEEDED");
                expect((await members(acmeHost, authorsId)).every((m) => m.endsWith(":codeveloper"))).to.equal(true);
                // The hand-added group is drift and goes; the user assigned by hand stays (docs/resources/SharedSpace.md).
                expect(await members(extHost, out.extSpaceIds["ext-team"])).to.deep.equal(
                    [`group:${groups.team}:producer`, `user:${user.id}:consumer`].sort(),
                );
                expect(out.extSpaceIds["ext-review"]).to.not.equal(ids["ext-review"]);
                expect(await members(extHost, out.extSpaceIds["ext-review"])).to.deep.equal([
                    `group:${groups.review}:consumer`,
                ]);
                await clean();
            },
        );

        await step("wrong inputs: one message naming the field, no API call, nothing changed", async () => {
            const good = acme;
            const cases: [string, AcmeConfig, RegExp][] = [
                [
                    "bad role",
                    { ...good, authors: { role: "publisher" } },
                    /authorsSpace\.role[^\n]*"publisher"[^\n]*consumer, dataconsumer, facilitator, producer, codeveloper/,
                ],
                [
                    "duplicate key",
                    { ...good, extraApps: [...good.extraApps, { key: "churn", template: "Forecast Template" }] },
                    /extraApps\[2\]\.key "churn" is listed twice/,
                ],
                [
                    "empty key",
                    { ...good, extraApps: [{ key: "", template: "Forecast Template" }] },
                    /extraApps\[0\]\.key "" must be/,
                ],
            ];
            const stateBefore = storedState();
            for (const [what, bad, message] of cases) {
                acme = bad;
                await setConfig();
                const seq = await env.lastSeq();
                const r = await run(["preview"], { allowFailure: true });
                expect(r.code, `${what}: ${r.output}`).to.not.equal(0);
                expect(r.output, what).to.match(message);
                expect(r.output.match(message)?.length, what).to.equal(1);
                expect(await callsSince(seq), what).to.deep.equal([]);
            }
            acme = good;
            await setConfig();
            expect(storedState()).to.equal(stateBefore);
        });

        let userApp = "";
        await step(
            "an extra app and the authors space removed while a user's app is in the space: refused without confirmation; confirmed, exactly their resources go and the space and the user's app stay",
            async () => {
                userApp = (
                    await rest.ok(acmeHost, "POST", "/api/v1/apps", {
                        attributes: { name: "Pat's own analysis", spaceId: authorsId },
                    })
                ).attributes.id;
                const churnPub = outputs().acmeExtraApps.churn.publishedAppId;
                acme = { ...acme, plan: "plus", extraApps: [acme.extraApps[0]], authors: undefined };
                await setConfig();
                const seq = await env.lastSeq();
                const refused = await run(["preview"], { allowFailure: true });
                expect(refused.code).to.not.equal(0);
                expect(refused.output).to.match(
                    /customer acme-plans moves from plan premium to plus, which DELETES: the churn app and every sheet its users made there; the authors' shared space/,
                );
                expect(await writesSince(seq)).to.deep.equal([]);
                const p = await preview(CONFIRM);
                expect(p.resources).to.deep.equal(["acme-app-churn", "acme-authors", "acme-publish-churn"]);
                expect(Object.values(p.ops).flat()).to.deep.equal(["delete", "delete", "delete"]);
                const r = await run(["up", "--yes", "--skip-preview"], { env: CONFIRM });
                expect(r.output).to.match(/shared space "Acme Co Authors" .* is left in place with its members/);
                expect((await rest.call(acmeHost, "GET", `/api/v1/apps/${churnPub}`)).status).to.equal(404);
                expect((await rest.ok(acmeHost, "GET", `/api/v1/apps/${userApp}`)).attributes.spaceId).to.equal(
                    authorsId,
                );
                expect((await rest.call(acmeHost, "GET", `/api/v1/spaces/${authorsId}`)).status).to.equal(200);
                expect(Object.keys(outputs().acmeExtraApps)).to.deep.equal(["forecast"]);
                await clean();
            },
        );

        await step(
            "a second stack declaring the same shared space in the same tenant is refused, nothing taken over",
            async () => {
                const rival = new TempProject({
                    name: "platform-plans",
                    files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG },
                });
                try {
                    const sc = stackConfigFor(env.emu);
                    const spaces = {
                        "rival-team": {
                            name: "Team Workbench",
                            members: [{ groupId: groups.intruder, roles: ["codeveloper"] }],
                        },
                    };
                    const rivalExt = JSON.stringify({ host: extHost, spaces });
                    await rival.initStack("rival", { ...sc.config, ext: rivalExt }, sc.secrets);
                    const id = outputs().extSpaceIds["ext-team"];
                    const before = {
                        space: await rest.ok(extHost, "GET", `/api/v1/spaces/${id}`),
                        members: await members(extHost, id),
                    };
                    const r = await rival.run(["up", "--yes"], { allowFailure: true, timeoutMs: 600_000 });
                    logs.push(r.output);
                    expect(r.code).to.not.equal(0);
                    expect(r.output).to.match(/shared space "Team Workbench".*platform-plans\/test/);
                    expect(r.output).to.match(/takeOverFrom/);
                    expect(await rest.ok(extHost, "GET", `/api/v1/spaces/${id}`)).to.deep.equal(before.space);
                    expect(await members(extHost, id)).to.deep.equal(before.members);
                    expect(await names(extHost, "/api/v1/spaces")).to.deep.equal(["Review Room", "Team Workbench"]);
                } finally {
                    rival.cleanup();
                }
            },
        );

        await step(
            "destroy leaves nothing the stack made and touches nothing made by hand; no secret in state or output",
            async () => {
                const handSpace = await rest.ok(extHost, "POST", "/api/v1/spaces", {
                    name: "Kim's corner",
                    type: "shared",
                });
                const handApp = (
                    await rest.ok(extHost, "POST", "/api/v1/apps", {
                        attributes: { name: "Kim's app", spaceId: handSpace.id },
                    })
                ).attributes.id;
                const state = storedState();
                const tenantId = outputs().acmeTenantId;
                await run(["destroy", "--yes", "--skip-preview"]);
                expect(await names(extHost, "/api/v1/spaces")).to.deep.equal(["Kim's corner"]);
                expect((await rest.ok(extHost, "GET", `/api/v1/apps/${handApp}`)).attributes.spaceId).to.equal(
                    handSpace.id,
                );
                // The customer's tenant (the authors' space and the user's app in it) is offboarded as a whole.
                expect(
                    (await rest.ok(env.emu.info.registerHost, "GET", `/api/v1/tenants/${tenantId}`)).status,
                ).to.equal("disabled");
                for (const text of [state, ...logs]) {
                    expect(text).to.not.include(DB_PW);
                    expect(text).to.not.include("PRIVATE KEY"); // the generated JWT signing key is a secret output
                }
            },
        );
    });
});
