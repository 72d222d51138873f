// The state diet's source positions (docs/state-size.md): a CustomerTenant's children register no source position
// or stack trace (theirs would point into this package, 3.3 KB of state per tenant), while the component keeps
// the user's line, and resources declared after it keep theirs (the SDK's stack traces are restored).
import { expect } from "chai";
import * as cp from "child_process";
import * as path from "path";

interface Seen {
    name: string;
    sourcePosition: string | null;
    frames: number;
}

describe("CustomerTenant children carry no source position (Pulumi mocks)", function () {
    this.timeout(300_000); // one node process; generous for a busy machine
    let result: { seen: Seen[]; prepareRestored: boolean; stackHasFrames: boolean };

    before(() => {
        const program = path.join(__dirname, "sourcePositionsProgram.js");
        const sdk = path.join(__dirname, "..", "..", "sdk", "index.js");
        const r = cp.spawnSync(process.execPath, [program, sdk], {
            env: { ...process.env, QLIK_SKIP_CONFIG_CHECK: "1" },
            encoding: "utf8",
            timeout: 120_000,
        });
        if (r.status !== 0) throw new Error(r.stderr || `exit ${r.status}`);
        result = JSON.parse(r.stdout);
    });

    it("the component keeps the line of the program that declared it", () => {
        const acme = result.seen.find((s) => s.name === "acme");
        expect(acme?.sourcePosition).to.match(/sourcePositionsProgram\.js:\d+$/);
        expect(acme?.frames).to.be.greaterThan(0);
    });

    it("every child (the six resources, the extra app's two, the authors space) has neither", () => {
        const children = result.seen.filter((s) => s.name.startsWith("acme-"));
        expect(children.map((s) => s.name).sort()).to.deep.equal(
            [
                "acme-app",
                "acme-app-forecast",
                "acme-authors",
                "acme-groups",
                "acme-jwt",
                "acme-licenses",
                "acme-publish",
                "acme-publish-forecast",
                "acme-tenant",
            ].sort(),
        );
        for (const c of children)
            expect({ ...c, name: undefined }, c.name).to.deep.equal({
                name: undefined,
                sourcePosition: null,
                frames: 0,
            });
    });

    it("a resource declared after the component has its own, and Error stacks are as before", () => {
        // A dynamic resource's own position is its SDK class's file (one frame below the SDK's skip of 4).
        const after = result.seen.find((s) => s.name === "after");
        expect(after?.sourcePosition).to.match(/^file:\/\/.*\.js:\d+$/);
        expect(after?.frames).to.be.greaterThan(0);
        expect(result.prepareRestored).to.equal(true);
        expect(result.stackHasFrames).to.equal(true);
    });
});
