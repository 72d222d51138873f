// LicenseAssignment handlers in-process against the emulator: settings, per-subject add/update/delete,
// 207 item failures, read drift limited to managed subjects.
import { expect } from "chai";
import { step } from "../../support/steps";
import { handlers } from "../../../provider/resources/licenseAssignment";
import {
    asBot,
    EmuContext,
    lastSeq,
    makeTenant,
    requestLog,
    startEmu,
    type Outputs,
} from "../../support/handlerEmulator";
import type { JsonBody } from "../../support/http";

describe("LicenseAssignment handlers (emulator)", function () {
    this.timeout(120_000); // the lifecycle is one test of five steps; generous for a busy machine
    let ctx: EmuContext;
    let host: string;
    const live = async () => {
        const r = await asBot(ctx.emu, host, "/api/v1/licenses/assignments?limit=100");
        return Object.fromEntries((r.body.data as { subject: string; type: string }[]).map((a) => [a.subject, a.type]));
    };

    before(async () => {
        ctx = await startEmu();
        host = (await makeTenant("lic-co")).hostname;
    });
    after(async () => ctx?.restore());

    it("the lifecycle of one assignment set, step by step (each step works on the licenses the previous ones left)", async () => {
        let id: string;
        let outs: Outputs;
        await step(
            "create sets the settings and assigns each subject; an existing matching assignment is adopted",
            async () => {
                await asBot(ctx.emu, host, "/api/v1/licenses/assignments/actions/add", {
                    method: "POST",
                    body: {
                        add: [
                            { subject: "u\\bob", type: "analyzer" },
                            { subject: "u\\other", type: "analyzer" },
                        ],
                    },
                });
                const r = await handlers.create({
                    tenantHost: host,
                    autoAssignAnalyzer: true,
                    assignments: { "u\\alice": "professional", "u\\bob": "analyzer" },
                });
                id = r.id;
                outs = r.outs as Outputs;
                expect(outs).to.deep.include({
                    tenantHost: host,
                    autoAssignAnalyzer: true,
                    autoAssignProfessional: false,
                    assignments: { "u\\alice": "professional", "u\\bob": "analyzer" },
                });
                expect(await live()).to.deep.equal({
                    "u\\alice": "professional",
                    "u\\bob": "analyzer",
                    "u\\other": "analyzer",
                });
            },
        );

        await step(
            "read shows only managed subjects; drift of one is seen, unmanaged changes are ignored",
            async () => {
                expect((await handlers.read(id, outs)).props).to.deep.equal(outs);
                await asBot(ctx.emu, host, "/api/v1/licenses/assignments/actions/delete", {
                    method: "POST",
                    body: {
                        delete: [
                            { subject: "u\\bob", type: "analyzer" },
                            { subject: "u\\other", type: "analyzer" },
                        ],
                    },
                });
                const r = await handlers.read(id, outs);
                expect(r.props!.assignments).to.deep.equal({ "u\\alice": "professional" });
                expect(r.inputs!.assignments).to.deep.equal({ "u\\alice": "professional" });
                const news = { tenantHost: host, autoAssignAnalyzer: true, assignments: outs.assignments };
                expect((await handlers.diff(id, r.props!, news)).changes).to.equal(true);
                expect((await handlers.diff(id, outs, news)).changes).to.equal(false);
                const up = await handlers.update(id, r.props!, news);
                expect((up.outs as Outputs).assignments).to.deep.equal(outs.assignments);
            },
        );

        await step("update changes a type, adds and removes subjects", async () => {
            const news = {
                tenantHost: host,
                autoAssignAnalyzer: false,
                assignments: { "u\\alice": "analyzer", "u\\carol": "professional" },
            };
            const r = await handlers.update(id, outs, news);
            expect((r.outs as Outputs).assignments).to.deep.equal(news.assignments);
            expect((r.outs as Outputs).autoAssignAnalyzer).to.equal(false);
            expect(await live()).to.deep.equal({ "u\\alice": "analyzer", "u\\carol": "professional" });
            outs = r.outs as Outputs;
        });

        await step("a failed 207 item fails the operation naming subject, code and title", async () => {
            // the emulator's license has a finite professional allotment: ask for more than it holds
            const many: Record<string, string> = {};
            for (let i = 0; i < 120; i++) many[`u\\p${i}`] = "professional";
            const overview = await asBot(ctx.emu, host, "/api/v1/licenses/overview");
            const units = overview.body.allotments.find((a: JsonBody) => a.name === "professional").units as number;
            expect(units, "the seed's professional allotment").to.be.below(120);
            let err: Error | undefined;
            try {
                await handlers.update(id, outs, { tenantHost: host, assignments: { ...outs.assignments, ...many } });
            } catch (e) {
                err = e as Error;
            }
            expect(err?.message).to.match(/add failed for \d+ of \d+ subject\(s\)/);
            expect(err?.message).to.match(/subject "u\\\\p\d+": LICENSES-011 \(403\) No available allotment/);
        });

        await step("delete unassigns only the managed subjects", async () => {
            await asBot(ctx.emu, host, "/api/v1/licenses/assignments/actions/add", {
                method: "POST",
                body: { add: [{ subject: "u\\keep", type: "analyzer" }] },
            });
            const current = await handlers.read(id, outs);
            await handlers.delete(id, { ...current.props!, assignments: outs.assignments });
            const left = await live();
            expect(left).to.not.have.any.keys("u\\alice", "u\\carol");
            expect(left).to.have.property("u\\keep", "analyzer");
        });
    });
});

describe("LicenseAssignment ownership, addressing and exact refresh (emulator)", function () {
    this.timeout(30_000);
    let ctx: EmuContext;
    let tenant: Outputs;
    const writes = async (since: number) =>
        (await requestLog(ctx.emu, since)).filter((r) => r.method !== "GET" && r.path.startsWith("/api/"));

    before(async () => {
        ctx = await startEmu();
        tenant = await makeTenant("lic-own");
    });
    after(async () => ctx?.restore());

    it("read hands back only the declared settings: no `+autoAssignProfessional` noise", async () => {
        const r = await handlers.create({
            tenantHost: tenant.hostname,
            owner: "org/p/a",
            autoAssignAnalyzer: false,
            assignments: { "u\\x": "analyzer" },
        });
        const read = await handlers.read(r.id, r.outs!);
        expect(read.inputs).to.not.have.property("autoAssignProfessional");
        expect(read.inputs).to.include({ autoAssignAnalyzer: false, owner: "org/p/a" });
        expect(
            (
                await handlers.diff(r.id, read.props!, {
                    tenantHost: tenant.hostname,
                    owner: "org/p/a",
                    autoAssignAnalyzer: false,
                    assignments: { "u\\x": "analyzer" },
                })
            ).changes,
        ).to.equal(false);
    });

    it("another owner's licenses are not adopted: create fails before any change; takeOverFrom adopts; the old delete leaves them", async () => {
        const host = tenant.hostname;
        const since = await lastSeq(ctx.emu);
        let err: Error | undefined;
        try {
            await handlers.create({
                tenantHost: host,
                owner: "org/p/b",
                autoAssignProfessional: true,
                assignments: { "u\\y": "professional" },
            });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.contain('managed by "org/p/a"').and.contain('takeOverFrom: "org/p/a"');
        expect(await writes(since)).to.deep.equal([]);
        const a = await handlers.read(
            `${host}/licenses`,
            (await handlers.create({ tenantHost: host, owner: "org/p/a", assignments: { "u\\x": "analyzer" } })).outs!,
        );
        const b = await handlers.create({
            tenantHost: host,
            owner: "org/p/b",
            takeOverFrom: "org/p/a",
            assignments: { "u\\x": "analyzer" },
        });
        expect((await handlers.read(a.id!, a.props!)).inputs).to.include({ owner: "org/p/b" });
        await handlers.delete(a.id!, a.props!); // b re-marked them: a's delete unassigns nothing
        const live = await asBot(ctx.emu, host, "/api/v1/licenses/assignments?limit=100");
        expect((live.body.data as JsonBody[]).map((x) => x.subject)).to.include("u\\x");
        await handlers.delete(b.id, b.outs!);
        const after = await asBot(ctx.emu, host, "/api/v1/licenses/assignments?limit=100");
        expect((after.body.data as JsonBody[]).map((x) => x.subject)).to.not.include("u\\x");
    });

    it("tenantHost switched to the system host of the same tenant is an in-place update", async () => {
        const inputs = {
            tenantHost: tenant.hostname,
            owner: "org/p/c",
            takeOverFrom: "*",
            assignments: { "u\\z": "analyzer" },
        };
        const r = await handlers.create(inputs);
        const news = { ...inputs, tenantHost: tenant.systemHostname };
        expect(await handlers.diff(r.id, r.outs!, news)).to.deep.include({ changes: true, replaces: [] });
        const up = (await handlers.update(r.id, r.outs!, news)).outs as Outputs;
        expect(up).to.deep.include({
            tenantHost: tenant.systemHostname,
            tenantId: tenant.tenantId,
            assignments: { "u\\z": "analyzer" },
        });
    });
});
