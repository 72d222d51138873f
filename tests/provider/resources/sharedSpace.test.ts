// SharedSpace handlers in-process against the emulator: check() messages without API calls, create, adopt, member
// updates, drift seen by read(), another owner refused, and delete per docs/resources/SharedSpace.md: an empty space
// goes, a space holding the customer's content (an app; a data connection = 412) stays with its members, a space
// made by hand keeps everything but what the resource added.
import { expect } from "chai";
import { step } from "../../support/steps";
import { AppsEnv, TenantRef } from "./appsFixture";
import { handlers } from "../../../provider/resources/sharedSpace";
import { UNKNOWN } from "../../../provider/resources/handlers";
import type { Outputs as Props } from "../../support/handlerEmulator";

interface AssignmentJson {
    assigneeId: string;
    type: string;
    roles: string[];
}

const OWNER = "test/shared/handlers";
const HOST = "acme.us.qlikcloud.com";

/** console.error lines written while `fn` runs (the provider's one-line notices reach the CLI through stderr). */
async function stderrOf(fn: () => Promise<unknown>): Promise<string[]> {
    const lines: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    try {
        await fn();
    } finally {
        console.error = orig;
    }
    return lines;
}

describe("SharedSpace check(): invalid inputs fail naming the field, without API calls", function () {
    this.timeout(30_000);
    const good = { tenantHost: HOST, name: "Acme Authors", members: [{ groupName: "analysts", roles: ["producer"] }] };
    const cases: { title: string; patch: Props; field: string; reason: RegExp }[] = [
        { title: "no name", patch: { name: undefined }, field: "name", reason: /is required/ },
        { title: "name with a colon", patch: { name: "a:b" }, field: "name", reason: /must not contain/ },
        { title: "no tenantHost", patch: { tenantHost: undefined }, field: "tenantHost", reason: /hostname/ },
        {
            title: "managed-space role",
            patch: { members: [{ groupName: "analysts", roles: ["publisher"] }] },
            field: "members[0].roles",
            reason: /"publisher" not assignable in a shared space; use consumer, dataconsumer, facilitator, producer, codeveloper/,
        },
        {
            title: "no roles",
            patch: { members: [{ groupName: "analysts", roles: [] }] },
            field: "members[0].roles",
            reason: /non-empty list of shared-space roles/,
        },
        {
            title: "both groupId and groupName",
            patch: { members: [{ groupName: "analysts", groupId: "g1", roles: ["consumer"] }] },
            field: "members[0].groupName",
            reason: /only one of groupId or groupName/,
        },
        {
            title: "neither groupId nor groupName",
            patch: { members: [{ roles: ["consumer"] }] },
            field: "members[0].groupId",
            reason: /groupName/,
        },
        {
            title: "a group twice",
            patch: {
                members: [
                    { groupName: "analysts", roles: ["consumer"] },
                    { groupName: "analysts", roles: ["producer"] },
                ],
            },
            field: "members[1].groupName",
            reason: /listed twice; merge its roles/,
        },
        { title: "bad owner", patch: { owner: "a b" }, field: "owner", reason: /letters, digits/ },
    ];
    for (const c of cases) {
        it(`${c.title} -> ${c.field}`, async () => {
            const news: Props = { ...good, ...c.patch };
            for (const [k, v] of Object.entries(news)) if (v === undefined) delete news[k];
            const r = await handlers.check({}, news);
            const hit = (r.failures ?? []).find((f) => f.property === c.field);
            expect(hit, JSON.stringify(r.failures)).to.not.equal(undefined);
            expect(hit!.reason).to.match(c.reason);
        });
    }
    it("valid inputs pass, and unknown values during a preview are not errors", async () => {
        expect((await handlers.check({}, good)).failures ?? []).to.deep.equal([]);
        const unknowns = { ...good, tenantHost: UNKNOWN, members: [{ groupName: UNKNOWN, roles: [UNKNOWN] }] };
        expect((await handlers.check({}, unknowns)).failures ?? []).to.deep.equal([]);
    });
});

describe("SharedSpace handlers (emulator)", function () {
    this.timeout(600_000); // the lifecycle is one test of many steps; generous for a busy machine
    let env: AppsEnv;
    let tenant: TenantRef;
    let g1: string;
    let g2: string;

    before(async () => {
        env = await AppsEnv.start();
        tenant = await env.newTenant();
        g1 = await env.newGroup(tenant, "analysts");
        g2 = await env.newGroup(tenant, "managers");
    });
    after(async () => env?.close());

    const groupAssignments = async (spaceId: string): Promise<[string, string[]][]> =>
        ((await env.ok(tenant, "GET", `/api/v1/spaces/${spaceId}/assignments`)).data as AssignmentJson[])
            .filter((a) => a.type === "group")
            .map((a): [string, string[]] => [a.assigneeId, [...a.roles].sort()])
            .sort();

    it("the lifecycle of one shared space, step by step", async () => {
        let inputs: Props = {
            tenantHost: tenant.host,
            owner: OWNER,
            name: "Acme Authors",
            members: [{ groupName: "analysts", roles: ["producer"] }],
        };
        let outs: Props;
        let id: string;
        await step("create makes the shared space, marks it and assigns the group by name", async () => {
            const r = await handlers.create((await handlers.check({}, inputs)).inputs!);
            id = r.id;
            outs = r.outs!;
            expect(outs.spaceId).to.equal(id);
            expect(outs.assignmentIds).to.have.keys([g1]);
            expect(outs).to.not.have.property("handMade");
            const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
            expect(space).to.include({ name: "Acme Authors", type: "shared" });
            expect(space.description).to.match(/^\[qtf:test\/shared\/handlers#[0-9a-f]+\]$/);
            expect(await groupAssignments(id)).to.deep.equal([[g1, ["producer"]]]);
        });

        await step("read equals the stored outputs; diff is empty, member and role order is no change", async () => {
            const r = await handlers.read(id, outs);
            expect(r.props).to.deep.equal(outs);
            expect(r.inputs).to.deep.equal({
                tenantHost: tenant.host,
                name: "Acme Authors",
                members: [{ groupName: "analysts", roles: ["producer"] }],
                owner: OWNER,
            });
            expect((await handlers.diff(id, r.props!, inputs)).changes).to.equal(false);
        });

        await step("a second create adopts the same space (crash safety), no second space", async () => {
            const r = await handlers.create(inputs);
            expect(r.id).to.equal(id);
            const all = await env.ok(tenant, "GET", "/api/v1/spaces?name=Acme%20Authors");
            expect(all.data.filter((s: { name: string }) => s.name === "Acme Authors")).to.have.length(1);
            outs = r.outs!;
        });

        await step("members, name and description update in place; order is no change", async () => {
            const next = {
                ...inputs,
                name: "Acme Authors 2",
                description: "where Acme's authors build",
                members: [
                    { groupName: "managers", roles: ["producer", "consumer"] },
                    { groupName: "analysts", roles: ["codeveloper"] },
                ],
            };
            const d = await handlers.diff(id, outs, next);
            expect(d.changes).to.equal(true);
            expect(d.replaces).to.deep.equal([]);
            outs = (await handlers.update(id, outs, (await handlers.check(inputs, next)).inputs!)).outs!;
            inputs = next;
            expect(await groupAssignments(id)).to.deep.equal(
                [
                    [g1, ["codeveloper"]],
                    [g2, ["consumer", "producer"]],
                ].sort(),
            );
            const space = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
            expect(space.name).to.equal("Acme Authors 2");
            expect(space.description).to.match(/^where Acme's authors build \[qtf:/);
            expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
            const reordered = {
                ...inputs,
                members: [
                    { groupName: "analysts", roles: ["codeveloper"] },
                    { groupName: "managers", roles: ["consumer", "producer"] },
                ],
            };
            expect((await handlers.diff(id, outs, reordered)).changes).to.equal(false);
        });

        await step(
            "drift made by hand (a role changed, a member removed, a rename) shows in read; update repairs it",
            async () => {
                const asg = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}/assignments`))
                    .data as (AssignmentJson & {
                    id: string;
                })[];
                const a1 = asg.find((a) => a.assigneeId === g1)!;
                const a2 = asg.find((a) => a.assigneeId === g2)!;
                await env.ok(tenant, "PUT", `/api/v1/spaces/${id}/assignments/${a1.id}`, { roles: ["consumer"] });
                await env.ok(tenant, "DELETE", `/api/v1/spaces/${id}/assignments/${a2.id}`);
                const desc = (await env.ok(tenant, "GET", `/api/v1/spaces/${id}`)).description;
                await env.ok(tenant, "PATCH", `/api/v1/spaces/${id}`, [
                    { op: "replace", path: "/name", value: "Renamed by hand" },
                ]);
                const r = await handlers.read(id, outs);
                expect(r.props!.name).to.equal("Renamed by hand");
                expect(r.props!.members).to.deep.equal([{ groupName: "analysts", roles: ["consumer"] }]);
                expect(r.props!.description).to.equal("where Acme's authors build");
                expect(
                    (await env.ok(tenant, "GET", `/api/v1/spaces/${id}`)).description,
                    "read changes nothing",
                ).to.equal(desc);
                const d = await handlers.diff(id, r.props!, inputs);
                expect(d.changes).to.equal(true);
                outs = (await handlers.update(id, r.props!, inputs)).outs!;
                expect(await groupAssignments(id)).to.deep.equal(
                    [
                        [g1, ["codeveloper"]],
                        [g2, ["consumer", "producer"]],
                    ].sort(),
                );
                expect((await env.ok(tenant, "GET", `/api/v1/spaces/${id}`)).name).to.equal("Acme Authors 2");
                expect((await handlers.diff(id, (await handlers.read(id, outs)).props!, inputs)).changes).to.equal(
                    false,
                );
            },
        );

        await step(
            "another owner's create is refused before any change, naming the owner and takeOverFrom",
            async () => {
                const before = await env.ok(tenant, "GET", `/api/v1/spaces/${id}`);
                const seq = await env.lastSeq();
                let err: Error | undefined;
                try {
                    await handlers.create({ ...inputs, owner: "someone/else/prod", members: [] });
                } catch (e) {
                    err = e as Error;
                }
                expect(err?.name).to.equal("OwnershipConflict");
                expect(err?.message).to.match(
                    /managed by "test\/shared\/handlers".*takeOverFrom: "test\/shared\/handlers"/,
                );
                const writes = (await env.requests(seq)).filter((x) => x.method !== "GET" && x.host !== "127.0.0.1");
                expect(writes, "no write before the refusal").to.deep.equal([]);
                expect(await env.ok(tenant, "GET", `/api/v1/spaces/${id}`)).to.deep.equal(before);
            },
        );

        await step("delete of a space holding an author's app leaves space, app and members, in one line", async () => {
            const app = await env.ok(tenant, "POST", "/api/v1/apps", {
                attributes: { name: "My own analysis", spaceId: id },
            });
            const lines = await stderrOf(() => handlers.delete(id, outs));
            expect(lines).to.have.length(1);
            expect(lines[0]).to.match(
                /^SharedSpace: shared space "Acme Authors 2" \(\w+\) on \S+ is left in place with its members: it still holds the customer's own content/,
            );
            expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(200);
            expect((await env.req(tenant, "GET", `/api/v1/apps/${app.attributes.id}`)).status).to.equal(200);
            expect(await groupAssignments(id)).to.have.length(2);
            await env.ok(tenant, "DELETE", `/api/v1/apps/${app.attributes.id}`);
        });

        await step(
            "delete of a space holding a data connection (Qlik answers 412) also leaves it, in one line",
            async () => {
                const conn = await env.ok(tenant, "POST", "/api/v1/data-connections", {
                    qName: "AuthorsDB",
                    datasourceID: "sqlite",
                    space: id,
                    connectionProperties: { database: env.sqliteDb() },
                });
                const lines = await stderrOf(() => handlers.delete(id, outs));
                expect(lines).to.have.length(1);
                expect(lines[0]).to.match(/left in place with its members: .*HTTP 412 space not empty/);
                expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(200);
                expect(await groupAssignments(id)).to.have.length(2);
                await env.ok(tenant, "DELETE", `/api/v1/data-connections/${conn.id}`);
            },
        );

        await step("delete of the empty space removes it with its members; read then finds nothing", async () => {
            const lines = await stderrOf(() => handlers.delete(id, outs));
            expect(lines).to.deep.equal([]);
            expect((await env.req(tenant, "GET", `/api/v1/spaces/${id}`)).status).to.equal(404);
            expect((await handlers.read(id, outs)).id).to.equal("");
            await handlers.delete(id, outs); // gone already: no error
        });
    });

    it("a space made by hand is adopted, and its delete keeps the space, its own members and its description", async () => {
        const made = await env.ok(tenant, "POST", "/api/v1/spaces", {
            name: "Team corner",
            type: "shared",
            description: "made by the customer",
        });
        await env.ok(tenant, "POST", `/api/v1/spaces/${made.id}/assignments`, {
            type: "group",
            assigneeId: g2,
            roles: ["producer"],
        });
        const inputs = {
            tenantHost: tenant.host,
            owner: OWNER,
            name: "Team corner",
            members: [
                { groupId: g1, roles: ["consumer"] },
                { groupId: g2, roles: ["producer"] },
            ],
        };
        const r = await handlers.create(inputs);
        expect(r.id).to.equal(made.id);
        expect(r.outs).to.include({ handMade: true });
        expect(r.outs!.adoptedGroups).to.deep.equal([g2]);
        expect((await env.ok(tenant, "GET", `/api/v1/spaces/${made.id}`)).description).to.match(/^\[qtf:/);
        const lines = await stderrOf(() => handlers.delete(r.id, r.outs!));
        expect(lines).to.have.length(1);
        expect(lines[0]).to.match(
            /was made by hand before this stack adopted it, so it is left in place; only the members this stack added were removed and its description was put back$/,
        );
        const space = await env.ok(tenant, "GET", `/api/v1/spaces/${made.id}`);
        expect(space.description).to.equal("made by the customer");
        expect(await groupAssignments(made.id)).to.deep.equal([[g2, ["producer"]]]);
    });

    it("an update of a space deleted by hand (no refresh since) names the space and the refresh that fixes it", async () => {
        const inputs = { tenantHost: tenant.host, owner: OWNER, name: "Gone Soon", members: [] };
        const made = await handlers.create(inputs);
        await env.ok(tenant, "DELETE", `/api/v1/spaces/${made.id}`);
        let err: Error | undefined;
        try {
            await handlers.update(made.id, made.outs!, { ...inputs, description: "new" });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.match(
            /SharedSpace: shared space "Gone Soon" \(\w+\) on \S+ was deleted outside Pulumi, so it cannot be updated; nothing was changed\. Run `pulumi refresh`/,
        );
    });

    it("a space of the same name that is not shared fails naming the field; another stack's space is never deleted", async () => {
        await env.ok(tenant, "POST", "/api/v1/spaces", { name: "Managed one", type: "managed" });
        let err: Error | undefined;
        try {
            await handlers.create({ tenantHost: tenant.host, owner: OWNER, name: "Managed one" });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.match(/is a managed space, not a shared one; choose another name/);

        const theirs = await handlers.create({ tenantHost: tenant.host, owner: "other/stack/prod", name: "Theirs" });
        // Our state for that id with another claim (e.g. a replaced resource whose successor re-marked the space).
        await handlers.delete(theirs.id, { ...theirs.outs!, owner: OWNER, claim: "0123456789ab" });
        expect((await env.req(tenant, "GET", `/api/v1/spaces/${theirs.id}`)).status).to.equal(200);
        await handlers.delete(theirs.id, theirs.outs!);
        expect((await env.req(tenant, "GET", `/api/v1/spaces/${theirs.id}`)).status).to.equal(404);
    });
});
