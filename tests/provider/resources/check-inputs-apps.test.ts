// check() of AppCopy and ManagedSpacePublish: every bad input fails with the field named and a fix,
// and nothing reaches the (emulated) Qlik API.
import { expect } from "chai";
import { AppsEnv } from "./appsFixture";
import { handlers as appCopy } from "../../../provider/resources/appCopy";
import { handlers as publish } from "../../../provider/resources/managedSpacePublish";
import { UNKNOWN } from "../../../provider/resources/handlers";

const HOST = "acme.us.qlikcloud.com";
const goodCopy = {
    tenantHost: HOST,
    source: { appId: "116dbfae-7fb9-4983-8e23-5ccd8c508722" },
    name: "Sales",
    templateVersion: "1",
    spaceName: "Staging",
    dataConnections: [{ name: "db", datasourceID: "postgres", connectionProperties: { host: "db", password: "x" } }],
};
const goodPublish = {
    tenantHost: HOST,
    spaceName: "Sales",
    sourceAppId: "116dbfae-7fb9-4983-8e23-5ccd8c508722",
    members: [{ groupId: "g1", roles: ["consumer"] }],
};

const cases: {
    title: string;
    kind: "copy" | "publish";
    patch: Record<string, unknown>;
    field: string;
    reason?: RegExp;
}[] = [
    {
        title: "empty load script",
        kind: "copy",
        patch: { loadScript: "   " },
        field: "loadScript",
        reason: /non-empty/,
    },
    {
        title: "missing source",
        kind: "copy",
        patch: { source: undefined },
        field: "source",
        reason: /appId|appName|exportFile/,
    },
    {
        title: "source with two kinds",
        kind: "copy",
        patch: { source: { appId: "a", appName: "b" } },
        field: "source",
        reason: /exactly one/,
    },
    {
        title: "source export file that does not exist",
        kind: "copy",
        patch: { source: { exportFile: "/nonexistent/x.qvf" } },
        field: "source.exportFile",
    },
    {
        title: "bad source tenant host",
        kind: "copy",
        patch: { source: { appId: "a", tenantHost: "https://x" } },
        field: "source.tenantHost",
    },
    {
        title: "staging space name with a slash",
        kind: "copy",
        patch: { spaceName: "a/b" },
        field: "spaceName",
        reason: /must not contain/,
    },
    { title: "empty staging space name", kind: "copy", patch: { spaceName: "" }, field: "spaceName" },
    { title: "missing app name", kind: "copy", patch: { name: "" }, field: "name" },
    {
        title: "bad tenant host",
        kind: "copy",
        patch: { tenantHost: "not a host" },
        field: "tenantHost",
        reason: /hostname/,
    },
    {
        title: "duplicate connection names",
        kind: "copy",
        patch: { dataConnections: [goodCopy.dataConnections[0], goodCopy.dataConnections[0]] },
        field: "dataConnections[1].name",
    },
    {
        title: "connection without datasourceID",
        kind: "copy",
        patch: { dataConnections: [{ name: "db", connectionProperties: {} }] },
        field: "dataConnections[0].datasourceID",
    },
    { title: "reload timeout zero", kind: "copy", patch: { reloadTimeoutSeconds: 0 }, field: "reloadTimeoutSeconds" },
    {
        title: "shared-space role in a managed space",
        kind: "publish",
        patch: { members: [{ groupId: "g1", roles: ["producer"] }] },
        field: "members[0].roles",
        reason: /producer.*not assignable/,
    },
    {
        title: "empty role list",
        kind: "publish",
        patch: { members: [{ groupId: "g1", roles: [] }] },
        field: "members[0].roles",
    },
    {
        title: "member without group",
        kind: "publish",
        patch: { members: [{ roles: ["consumer"] }] },
        field: "members[0].groupId",
    },
    {
        title: "member with both groupId and groupName",
        kind: "publish",
        patch: { members: [{ groupId: "g1", groupName: "a", roles: ["consumer"] }] },
        field: "members[0].groupName",
        reason: /only one/,
    },
    {
        title: "member with an empty group name",
        kind: "publish",
        patch: { members: [{ groupName: "", roles: ["consumer"] }] },
        field: "members[0].groupName",
    },
    {
        title: "the same group name twice",
        kind: "publish",
        patch: {
            members: [
                { groupName: "a", roles: ["consumer"] },
                { groupName: "a", roles: ["publisher"] },
            ],
        },
        field: "members[1].groupName",
        reason: /twice/,
    },
    {
        title: "contentVersion that is not a string",
        kind: "publish",
        patch: { contentVersion: 3 },
        field: "contentVersion",
        reason: /AppCopy.contentVersion/,
    },
    { title: "owner with spaces", kind: "publish", patch: { owner: "my stack" }, field: "owner" },
    { title: "AppCopy owner with spaces", kind: "copy", patch: { owner: "my stack" }, field: "owner" },
    { title: "managed space name with a colon", kind: "publish", patch: { spaceName: "a:b" }, field: "spaceName" },
    {
        title: "missing source app",
        kind: "publish",
        patch: { sourceAppId: "" },
        field: "sourceAppId",
        reason: /AppCopy.appId/,
    },
    { title: "empty published app name", kind: "publish", patch: { publishedAppName: "" }, field: "publishedAppName" },
];

describe("AppCopy / ManagedSpacePublish check(): invalid inputs", function () {
    this.timeout(30_000);
    let env: AppsEnv;
    /** Runs one test's checks and fails if they reached the API: each test asserts it, none relies on another. */
    const withoutApiCalls = async (checks: () => Promise<void>) => {
        const seq = await env.lastSeq();
        await checks();
        const log = (await env.requests(seq)).filter((x) => x.host !== "127.0.0.1");
        expect(log, "check() made an API call").to.deep.equal([]);
    };
    before(async () => {
        env = await AppsEnv.start();
    });
    after(async () => env?.close());

    for (const c of cases) {
        it(`${c.kind}: ${c.title} -> ${c.field}`, () =>
            withoutApiCalls(async () => {
                const base = c.kind === "copy" ? goodCopy : goodPublish;
                const news: Record<string, unknown> = { ...base, ...c.patch };
                for (const [k, v] of Object.entries(news)) if (v === undefined) delete news[k];
                const r = await (c.kind === "copy" ? appCopy : publish).check({}, news);
                const hit = (r.failures ?? []).find((f) => f.property === c.field);
                expect(hit, JSON.stringify(r.failures)).to.not.equal(undefined);
                if (c.reason) expect(hit!.reason).to.match(c.reason);
            }));
    }

    it("the valid inputs pass, and unknown values during preview are not errors", () =>
        withoutApiCalls(async () => {
            expect((await appCopy.check({}, goodCopy)).failures ?? []).to.deep.equal([]);
            expect((await publish.check({}, goodPublish)).failures ?? []).to.deep.equal([]);
            expect(
                (await appCopy.check({}, { ...goodCopy, tenantHost: UNKNOWN, name: UNKNOWN })).failures ?? [],
            ).to.deep.equal([]);
            expect(
                (await publish.check({}, { ...goodPublish, sourceAppId: UNKNOWN, members: UNKNOWN })).failures ?? [],
            ).to.deep.equal([]);
        }));

    it("AppCopy check derives contentVersion from the content inputs only (known in previews, unknown while an input is)", () =>
        withoutApiCalls(async () => {
            const cv = async (patch: Record<string, unknown>) =>
                (await appCopy.check({}, { ...goodCopy, ...patch })).inputs!.contentVersion;
            const base = await cv({});
            expect(base).to.match(/^sha256:[0-9a-f]{32}$/);
            expect(await cv({ name: "Renamed" }), "a rename keeps it").to.equal(base);
            expect(await cv({ reloadTimeoutSeconds: 60 }), "a reload setting keeps it").to.equal(base);
            for (const patch of [
                { loadScript: "X: LOAD 1 AS x AUTOGENERATE 1;" },
                { templateVersion: "2" },
                { source: { appName: "Other" } },
                {
                    dataConnections: [
                        { ...goodCopy.dataConnections[0], connectionProperties: { host: "db2", password: "x" } },
                    ],
                },
                {
                    dataConnections: [
                        { ...goodCopy.dataConnections[0], connectionProperties: { host: "db", password: "y" } },
                    ],
                },
            ]) {
                expect(await cv(patch), JSON.stringify(patch)).to.not.equal(base);
            }
            expect(
                await cv({
                    dataConnections: [
                        { ...goodCopy.dataConnections[0], connectionProperties: { host: UNKNOWN, password: "x" } },
                    ],
                }),
            ).to.equal(UNKNOWN);
            expect(await cv({ tenantHost: UNKNOWN }), "the tenant does not define the content").to.equal(base);
        }));
});
