// Example: a template change rolls out to every tenant as a republish into the SAME published app;
// the sheets users made for themselves in the published app survive.
import { expect } from "chai";
import { describeFleet } from "./fixtures/fleetSuite";
import { placeTemplate } from "../../scripts/template/place";
import { LOAD_SCRIPT } from "../../scripts/template/loadScript";

describeFleet("fleet example: template change rolled out to every tenant", ["acme", "globex"], (current) => {
    it("republishes on every tenant, keeps the published app ids and the users' own sheets", async () => {
        const fleet = current();
        const before = await fleet.outputs();
        // John makes a personal sheet in his published app.
        const john = await fleet.openAs("acme", before);
        try {
            await john.doc.createObject({
                qInfo: { qId: "johnsOwnSheet", qType: "sheet" },
                qMetaDef: { title: "John's sheet" },
            });
        } finally {
            await john.close();
        }

        const v2 = await placeTemplate({
            info: fleet.emu.info,
            sampleDb: fleet.sampleDb,
            script: `${LOAD_SCRIPT}\nRelease:\nLOAD * INLINE [\nTemplateRelease\n2\n];\n`,
        });
        expect(v2.version).to.not.equal(fleet.template.version);
        await fleet.project.run(["config", "set", "fleet:templateVersion", v2.version]);
        const preview = await fleet.project.run(["preview", "--diff"]);
        expect(preview.output).to.match(/AppCopy[^\n]*\(update\)/);
        expect(preview.output).to.not.match(/to replace|to delete/);

        // --skip-preview: what up previews is not checked here, and it costs as much as the update (docs/benchmark.md)
        await fleet.project.run(["up", "--yes", "--skip-preview"]);
        const after = await fleet.outputs();
        for (const alias of ["acme", "globex"]) {
            expect(after.tenants[alias].publishedAppId, `${alias} keeps its published app`).to.equal(
                before.tenants[alias].publishedAppId,
            );
            const doc = await fleet.openAs(alias, after);
            try {
                expect(await doc.doc.evaluate("Only(TemplateRelease)"), `${alias} runs template v2`).to.equal("2");
                const sheets = ((await doc.doc.getAllInfos()) as { qId: string; qType: string }[])
                    .filter((i) => i.qType === "sheet")
                    .map((i) => i.qId);
                expect(sheets).to.include.members(["tplOverview", "tplCustomers", "tplOrders"]);
                if (alias === "acme") expect(sheets).to.include("johnsOwnSheet");
                else expect(sheets).to.not.include("johnsOwnSheet");
            } finally {
                await doc.close();
            }
            const d = await fleet.dashboardOf(alias, after);
            expect(d.sees.orders).to.equal(d.truth.orders);
        }
        await fleet.project.run(["preview", "--expect-no-changes"]);
    });
});
