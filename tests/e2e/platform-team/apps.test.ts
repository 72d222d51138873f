// The apps half of the "independent platform team" suite (issue 8): a TypeScript stack program that is not one of
// our examples (apps-program/program.ts), run by the real `pulumi` CLI as `index.ts`, with two customers of
// different shapes: "north" uses AppCopy + ManagedSpacePublish directly in a tenant made outside the stack, "south"
// gets them through CustomerTenant in a tenant the stack creates. One emulator and one stack for the whole suite;
// changes are batched so that each resource still previews exactly one step with exactly the changed fields.
import { expect } from "chai";
import { step } from "../../support/steps";
import { readStoredCheckpoint } from "../../support/storedCheckpoint";
import * as path from "path";
import { TempProject, RunResult } from "../harness";
import { stackConfigFor } from "../emulatorFixture";
import { AppsEnv, TenantRef } from "../../provider/resources/appsFixture";
import { INDEX_TS, NorthConfig, SouthConfig, TSCONFIG } from "./apps-program/program";
import { changedKeys, nameOf, type Step } from "./tenancy-program/support";

const NORTH_PW = "north-db-pw-7c1f0e93";
const SOUTH_PW = "south-db-pw-2b9d4a61";

describe("e2e: platform team (apps): AppCopy + ManagedSpacePublish, directly and through CustomerTenant", function () {
    this.timeout(2_400_000); // one test runs every step; generous for a busy machine
    let env: AppsEnv;
    let north: TenantRef;
    let south: TenantRef;
    let project: TempProject;
    let northCfg: NorthConfig;
    let southCfg: SouthConfig;
    const groups: Record<string, string> = {};
    const dbs: Record<string, string> = {};
    const outputs: string[] = [];

    // Every up, refresh and destroy here skips its own preview: each step previews itself where it checks one, and
    // an up's own preview costs as much as the update (docs/benchmark.md).
    const run = async (args: string[], opts: { allowFailure?: boolean } = {}): Promise<RunResult> => {
        const r = await project.run(args, { ...opts, timeoutMs: 600_000 });
        outputs.push(r.output);
        return r;
    };
    /**
     * The stack's outputs, read from the file backend's checkpoint (the CLI's `stack output` costs a process start
     * and a backend load per call, many seconds on a busy machine); falls back to the CLI.
     */
    const stackOutputs = async (): Promise<Record<string, string>> => {
        const base = path.join(project.root, "state", ".pulumi", "stacks", "platform-apps", "test");
        const cp = readStoredCheckpoint<{
            checkpoint?: { latest?: { resources?: { type: string; outputs?: Record<string, string> }[] } };
        }>(base);
        if (cp) {
            const stack = (cp.checkpoint?.latest?.resources ?? []).find(
                (r: { type: string }) => r.type === "pulumi:pulumi:Stack",
            );
            if (stack?.outputs) return stack.outputs;
        }
        return JSON.parse((await run(["stack", "output", "--json"])).stdout);
    };
    const setConfig = async () => {
        await run([
            "config",
            "set-all",
            "--plaintext",
            `north=${JSON.stringify(northCfg)}`,
            "--plaintext",
            `south=${JSON.stringify(southCfg)}`,
        ]);
    };
    /** The preview's non-"same" steps as "name op", and each step's changed input keys. */
    const preview = async (): Promise<{ steps: string[]; keys: Record<string, string[]>; raw: Step[] }> => {
        const r = await run(["preview", "--json"]);
        const plan = JSON.parse(r.stdout) as { steps?: Step[] };
        const raw = (plan.steps ?? []).filter((s) => s.op !== "same" && s.op !== "read");
        const keys: Record<string, string[]> = {};
        for (const s of raw) keys[nameOf(s.urn)] = changedKeys(s);
        return { steps: raw.map((s) => `${nameOf(s.urn)} ${s.op}`).sort(), keys, raw };
    };
    const tenantObjects = async (t: TenantRef) => ({
        spaces: ((await env.ok(t, "GET", "/api/v1/spaces?limit=100")).data as { name: string }[])
            .map((s) => s.name)
            .sort(),
        apps: ((await env.ok(t, "GET", "/api/v1/items?resourceType=app&limit=100")).data as { name: string }[])
            .map((a) => a.name)
            .sort(),
        connections: ((await env.ok(t, "GET", "/api/v1/data-connections?limit=100")).data as { qName: string }[])
            .map((c) => c.qName)
            .sort(),
    });

    before(async () => {
        env = await AppsEnv.start();
        await env.makeTemplate();
        north = await env.newTenant();
        groups.analysts = await env.newGroup(north, "north-analysts");
        groups.managers = await env.newGroup(north, "north-managers");
        for (const n of ["north", "north-2", "south"]) dbs[n] = env.sqliteDb(`${n}.sqlite`);
        northCfg = {
            host: north.host,
            source: { appName: "Sales Template" },
            appName: "North Sales",
            templateVersion: "1",
            spaceName: "Staging",
            dbFile: dbs.north,
            scriptExtra: "",
            pub: { spaceName: "North Analytics", members: [{ groupId: groups.analysts, roles: ["consumer"] }] },
        };
        southCfg = {
            customerName: "South Co",
            alias: "southco-apps",
            templateVersion: "1",
            dbFile: dbs.south,
            groups: [{ name: "south-users" }, { name: "south-admins", roles: [], spaceRole: "contributor" }],
        };
        project = new TempProject({
            name: "platform-apps",
            files: { "index.ts": INDEX_TS, "tsconfig.json": TSCONFIG },
        });
        const sc = stackConfigFor(env.emu);
        await project.initStack("test", sc.config, {
            ...sc.secrets,
            northDbPassword: NORTH_PW,
            southDbPassword: SOUTH_PW,
        });
        await setConfig();
    });
    after(async () => {
        project?.cleanup();
        await env?.close();
    });

    it("the steps in order (each works on the stack the previous ones left)", async () => {
        await step(
            "up deploys both customers from index.ts; preview, refresh and preview then show no changes",
            async () => {
                await run(["up", "--yes", "--skip-preview"]);
                const out = await stackOutputs();
                const pub = await env.ok(north, "GET", `/api/v1/apps/${out.northPublishedAppId}`);
                expect(pub.attributes).to.include({ spaceId: out.northSpaceId, originAppId: out.northStagedAppId });
                south = {
                    id: out.southTenantId,
                    host: out.southHostname,
                    token: await env.tokenFor(out.southHostname),
                };
                const southPub = await env.ok(south, "GET", `/api/v1/apps/${out.southPublishedAppId}`);
                expect(southPub.attributes.originAppId).to.equal(out.southStagedAppId);
                await project.expectNoChanges();
            },
        );

        await step("AppCopy name and reload, and a GroupSet-only change: one step each, no publish step", async () => {
            northCfg = { ...northCfg, appName: "North Sales v2", reload: false };
            southCfg = {
                ...southCfg,
                groups: [
                    { name: "south-users" },
                    { name: "south-admins", roles: ["TenantAdmin"], spaceRole: "contributor" },
                ],
            };
            await setConfig();
            const p = await preview();
            expect(p.steps, JSON.stringify(p.keys)).to.deep.equal(["north-app update", "south-groups update"]);
            expect(p.keys["north-app"]).to.deep.equal(["name", "reload"]);
            await run(["up", "--yes", "--skip-preview"]);
            const out = await stackOutputs();
            expect((await env.ok(north, "GET", `/api/v1/apps/${out.northStagedAppId}`)).attributes.name).to.equal(
                "North Sales v2",
            );
        });

        await step(
            "load script, reload, reloadTimeoutSeconds and every ManagedSpacePublish field: one step each, a republish to the same app, users' sheets kept",
            async () => {
                const before = await stackOutputs();
                await env.createObject(north, before.northPublishedAppId, {
                    qInfo: { qId: "north-user-sheet", qType: "sheet" },
                    qMetaDef: { title: "mine" },
                });
                northCfg = {
                    ...northCfg,
                    scriptExtra: "Notes:\nLOAD * INLINE [\nnote\nv2\n];",
                    reload: true,
                    reloadTimeoutSeconds: 600,
                    pub: {
                        spaceName: "North Analytics v2",
                        spaceDescription: "for north",
                        publishedAppName: "North Sales",
                        // order-only differences are no change; the new member and its roles are
                        members: [
                            { groupId: groups.managers, roles: ["contributor", "consumer"] },
                            { groupId: groups.analysts, roles: ["consumer"] },
                        ],
                    },
                };
                await setConfig();
                const p = await preview();
                expect(p.steps).to.deep.equal(["north-app update", "north-pub update"]);
                expect(p.keys["north-app"]).to.deep.equal([
                    "contentVersion",
                    "loadScript",
                    "reload",
                    "reloadTimeoutSeconds",
                ]);
                // sourceAppId is shown as unknown (the AppCopy is updating) although it does not change: Pulumi reports a
                // dynamic resource's outputs as unknown during the preview of its update; the step itself is real.
                expect(p.keys["north-pub"].filter((k) => k !== "sourceAppId")).to.deep.equal([
                    "contentVersion",
                    "members",
                    "publishedAppName",
                    "spaceDescription",
                    "spaceName",
                ]);
                await run(["up", "--yes", "--skip-preview"]);
                const after = await stackOutputs();
                expect(after.northStagedAppId).to.equal(before.northStagedAppId);
                expect(after.northPublishedAppId, "same published app").to.equal(before.northPublishedAppId);
                const script = (await env.ok(north, "GET", `/api/v1/apps/${after.northPublishedAppId}/scripts/current`))
                    .script as string;
                expect(script).to.include("note\nv2");
                expect(await env.objects(north, after.northPublishedAppId)).to.include({
                    "north-user-sheet": "sheet",
                    "template-sheet-1": "sheet",
                });
                const space = await env.ok(north, "GET", `/api/v1/spaces/${after.northSpaceId}`);
                expect(space.name).to.equal("North Analytics v2");
                expect(space.description).to.match(/^for north \[qtf:/);
                expect(
                    (await env.ok(north, "GET", `/api/v1/apps/${after.northPublishedAppId}`)).attributes.name,
                ).to.equal("North Sales");
                const asg = (await env.ok(north, "GET", `/api/v1/spaces/${after.northSpaceId}/assignments`)).data as {
                    assigneeId: string;
                }[];
                expect(asg.map((a) => a.assigneeId).sort()).to.deep.equal([groups.analysts, groups.managers].sort());
            },
        );

        await step(
            "connection target, templateVersion, source and spaceName (a replacement) of north, the template version of south: published apps stay",
            async () => {
                const before = await stackOutputs();
                northCfg = {
                    ...northCfg,
                    dbFile: dbs["north-2"],
                    templateVersion: "2",
                    source: { appId: env.templateAppId },
                    spaceName: "North Staging",
                };
                southCfg = { ...southCfg, templateVersion: "2" };
                await setConfig();
                const p = await preview();
                expect(p.steps).to.deep.equal([
                    "north-app replace",
                    "north-pub update",
                    "south-app update",
                    "south-publish update",
                ]);
                // dataConnections holds a secret (the password), so the preview shows it as [secret] on both sides; its
                // change is visible through contentVersion.
                expect(p.keys["north-app"]).to.include.members([
                    "contentVersion",
                    "source",
                    "spaceName",
                    "templateVersion",
                ]);
                expect(p.keys["south-app"]).to.include.members(["contentVersion", "templateVersion"]);
                await run(["up", "--yes", "--skip-preview"]);
                const after = await stackOutputs();
                for (const [t, k] of [
                    [north, "north"],
                    [south, "south"],
                ] as const) {
                    expect(after[`${k}PublishedAppId`], `${k}: same published app`).to.equal(
                        before[`${k}PublishedAppId`],
                    );
                    expect(after[`${k}StagedAppId`], `${k}: a new staged app`).to.not.equal(before[`${k}StagedAppId`]);
                    expect(
                        (await env.ok(t, "GET", `/api/v1/apps/${after[`${k}PublishedAppId`]}`)).attributes.originAppId,
                    ).to.equal(after[`${k}StagedAppId`]);
                }
                expect(
                    (await env.ok(north, "GET", `/api/v1/data-connections/${after.northConnectionId}`))
                        .connectionProperties.database,
                ).to.equal(dbs["north-2"]);
                // create-before-delete: the old staging space and its connection went with the replaced copy
                const objs = await tenantObjects(north);
                expect(objs.spaces).to.deep.equal(["North Analytics v2", "North Staging"]);
                expect(objs.connections).to.deep.equal(["north_db"]);
            },
        );

        await step(
            "out-of-band drift of script, connection target (the other customer's database), credentials and published content: refresh finds each, up repairs each",
            async () => {
                const out = await stackOutputs();
                // north: the staged script changed by hand AND republished by hand (what users open changes), and the
                // connection re-pointed at SOUTH's database: a data leak between customers.
                await env.ok(north, "POST", `/api/v1/apps/${out.northStagedAppId}/scripts`, {
                    script: "Leak:\nLOAD * INLINE [\nx\n1\n];",
                });
                await env.ok(north, "PUT", `/api/v1/apps/${out.northStagedAppId}/publish`, {
                    targetId: out.northPublishedAppId,
                    data: "source",
                });
                await env.ok(north, "PATCH", `/api/v1/data-connections/${out.northConnectionId}`, [
                    { op: "replace", path: "/connectionProperties/database", value: dbs.south },
                ]);
                // south: only the credentials changed (Qlik never returns them).
                await env.ok(south, "PATCH", `/api/v1/data-connections/${out.southConnectionId}`, [
                    { op: "replace", path: "/connectionProperties/password", value: "guessed" },
                ]);

                const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], {
                    allowFailure: true,
                });
                expect(r.code, r.output).to.not.equal(0);
                for (const res of ["AppCopy north-app", "ManagedSpacePublish north-pub", "AppCopy south-app"])
                    expect(r.output).to.match(new RegExp(`${res} updated`));
                expect(r.output).to.match(
                    /data connection "north_db" was changed outside Pulumi and now points elsewhere \(database="[^"]*south\.sqlite"\)/,
                );
                expect(r.output).to.not.include(NORTH_PW).and.not.include(SOUTH_PW);

                await run(["up", "--yes", "--skip-preview"]);
                expect(
                    (await env.ok(north, "GET", `/api/v1/data-connections/${out.northConnectionId}`))
                        .connectionProperties.database,
                ).to.equal(dbs["north-2"]);
                const staged = (await env.ok(north, "GET", `/api/v1/apps/${out.northStagedAppId}/scripts/current`))
                    .script as string;
                expect(staged).to.include("LIB CONNECT TO 'North Staging:north_db'").and.include("note\nv2");
                const published = (
                    await env.ok(north, "GET", `/api/v1/apps/${out.northPublishedAppId}/scripts/current`)
                ).script as string;
                expect(published).to.equal(staged);
                // refresh (without writing the state) and preview in one command: both clean
                await run(["preview", "--refresh", "--expect-no-changes"]);
            },
        );

        await step(
            "an app copy deleted by hand is re-created; destroy leaves nothing the stack made and keeps what was made by hand",
            async () => {
                const out = await stackOutputs();
                await env.ok(north, "DELETE", `/api/v1/apps/${out.northStagedAppId}`);
                const hand = (await env.ok(north, "POST", "/api/v1/spaces", { name: "Made by hand", type: "shared" }))
                    .id as string;
                await env.ok(north, "POST", "/api/v1/apps", { attributes: { name: "Hand app", spaceId: hand } });
                await env.ok(north, "POST", "/api/v1/data-connections", {
                    qName: "hand_db",
                    datasourceID: "sqlite",
                    space: hand,
                    connectionProperties: { database: dbs.north },
                });

                // up --refresh: the refresh finds the deleted app (the resource stays, with its space and connection), the up re-creates it
                await run(["up", "--refresh", "--yes", "--skip-preview"]);
                const again = await stackOutputs();
                expect(again.northStagedAppId).to.not.equal(out.northStagedAppId);
                expect(again.northStagingSpaceId, "same staging space").to.equal(out.northStagingSpaceId);
                expect(
                    (await env.ok(north, "GET", `/api/v1/apps/${again.northPublishedAppId}`)).attributes.originAppId,
                ).to.equal(again.northStagedAppId);

                await run(["destroy", "--yes", "--skip-preview"]);
                expect(await tenantObjects(north)).to.deep.equal({
                    spaces: ["Made by hand"],
                    apps: ["Hand app"],
                    connections: ["hand_db"],
                });
                const state = JSON.parse((await run(["stack", "export"])).stdout);
                expect(
                    (state.deployment.resources ?? []).filter((x: { type: string }) =>
                        x.type.startsWith("pulumi-nodejs:dynamic"),
                    ),
                ).to.deep.equal([]);
                // The south tenant (made by the stack, allowDeactivation) no longer answers for its objects.
                expect((await env.req(south, "GET", "/api/v1/spaces")).status).to.not.equal(200);
            },
        );

        await step("no command printed a database password, and the state holds no plaintext copy", async () => {
            const all = outputs.join("\n");
            expect(all).to.not.include(NORTH_PW).and.not.include(SOUTH_PW);
            const exported = (await project.run(["stack", "export"])).stdout;
            expect(exported).to.not.include(NORTH_PW).and.not.include(SOUTH_PW);
        });
    });
});
