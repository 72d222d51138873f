// The pull-request comment the report job of .github/workflows/qlik-fleet.yml merges from the shard runners' reports
// (.github/scripts/fleet-plan-comment.js). The e2e suite fleet-shards runs it on three real reports; these are the
// cases a healthy run never shows: a runner that sent nothing, a broken report, a failed shard, a huge plan.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/repo";

const { comment } = require(path.join(REPO_ROOT, ".github", "scripts", "fleet-plan-comment.js")) as {
    comment(dir: string, expected: number[], stack: string): string;
};

describe("fleet plan comment (.github/scripts/fleet-plan-comment.js)", () => {
    let dir: string;
    const write = (k: number, json: unknown, md?: string) => {
        fs.writeFileSync(path.join(dir, `shard-${k}.json`), typeof json === "string" ? json : JSON.stringify(json));
        if (md !== undefined) fs.writeFileSync(path.join(dir, `shard-${k}.md`), md);
    };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-plan-comment-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("names the changed customers and puts each shard's report in shard order under one marker line", () => {
        write(1, { exitCode: 0, changedCustomers: ["globex"] }, "## fleet preview shard 1\n");
        write(0, { exitCode: 0, changedCustomers: [] }, "## fleet preview shard 0\n");
        const text = comment(dir, [0, 1], "prod");
        const lines = text.split("\n");
        expect(lines[0]).to.equal("<!-- qlik-fleet-plan -->");
        expect(text).to.include("2 of 2 shards reported; 1 customer(s) change: globex; 0 shard(s) failed.");
        expect(text.indexOf("shard 0\n")).to.be.lessThan(text.indexOf("shard 1\n"));
    });

    it("names a shard that sent no report, one whose report is unreadable, and the failed ones", () => {
        write(0, { exitCode: 1, changedCustomers: [] }, "## failed\n");
        write(2, "{ not json");
        const text = comment(dir, [0, 1, 2], "prod");
        expect(text).to.include("2 of 3 shards reported; 0 customer(s) change; 1 shard(s) failed (0).");
        expect(text).to.include("No report from shard(s) 1");
        expect(text).to.include("Unreadable report from shard(s) 2");
    });

    it("stays under GitHub's comment limit, saying where the rest is", () => {
        write(0, { exitCode: 0, changedCustomers: ["a"] }, "x".repeat(70_000));
        const text = comment(dir, [0], "prod");
        expect(text.length).to.be.lessThan(65_536);
        expect(text).to.match(/the full reports are the run's artifacts/);
    });
});
