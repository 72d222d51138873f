// setup skips tsc when the build stamp matches (scripts/lib/buildStamp.js): the fingerprint must change with every
// edit tsc would see (content, a new file, a deleted file, a tsconfig) and with nothing else (data files, dist/).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/repo";

interface Print {
    hash: string;
    files: number;
}
interface BuildStamp {
    fingerprint(root: string, tsconfig?: string): Print;
    isCurrent(root: string, print: Print, outputs: string[]): boolean;
    record(root: string, print: Print): void;
}
const stamp: BuildStamp = require(path.join(REPO_ROOT, "scripts", "lib", "buildStamp.js"));

describe("setup's build stamp (skip tsc when no input changed)", function () {
    let root: string;

    beforeEach(function () {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-build-stamp-"));
        fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ include: ["src", "tests/**/*.ts"] }));
        fs.writeFileSync(path.join(root, "package.json"), "{}");
        fs.mkdirSync(path.join(root, "src"));
        fs.mkdirSync(path.join(root, "tests"));
        fs.writeFileSync(path.join(root, "src", "a.ts"), "export const a = 1;\n");
        fs.writeFileSync(path.join(root, "tests", "a.test.ts"), "import '../src/a';\n");
    });

    afterEach(function () {
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("is the same when nothing changed, and ignores data files, dist/ and folders outside include", function () {
        const before = stamp.fingerprint(root);
        expect(before.files).to.be.greaterThan(2);
        fs.writeFileSync(path.join(root, "tests", "durations.json"), "{}");
        fs.mkdirSync(path.join(root, "dist"));
        fs.writeFileSync(path.join(root, "dist", "a.js"), "");
        fs.mkdirSync(path.join(root, "other"));
        fs.writeFileSync(path.join(root, "other", "b.ts"), "");
        expect(stamp.fingerprint(root).hash).to.equal(before.hash);
    });

    for (const [what, change] of [
        ["a source edit", (r: string) => fs.appendFileSync(path.join(r, "src", "a.ts"), "export const b = 2;\n")],
        ["a new source", (r: string) => fs.writeFileSync(path.join(r, "src", "c.ts"), "")],
        ["a deleted source", (r: string) => fs.rmSync(path.join(r, "tests", "a.test.ts"))],
        ["a tsconfig edit", (r: string) => fs.appendFileSync(path.join(r, "tsconfig.json"), " ")],
        [
            "a new tsconfig*.json",
            (r: string) => fs.writeFileSync(path.join(r, "tsconfig.package.json"), JSON.stringify({ include: [] })),
        ],
    ] as const) {
        it(`changes with ${what}`, function () {
            const before = stamp.fingerprint(root);
            change(root);
            expect(stamp.fingerprint(root).hash).to.not.equal(before.hash);
        });
    }

    it("is current only after a recorded build whose outputs still exist", function () {
        const print = stamp.fingerprint(root);
        expect(stamp.isCurrent(root, print, ["dist/a.js"])).to.equal(false);
        stamp.record(root, print);
        expect(stamp.isCurrent(root, print, [])).to.equal(true);
        expect(stamp.isCurrent(root, print, ["dist/a.js"]), "an output is missing").to.equal(false);
        fs.writeFileSync(path.join(root, "dist", "a.js"), "");
        expect(stamp.isCurrent(root, print, ["dist/a.js"])).to.equal(true);
        expect(stamp.isCurrent(root, { ...print, hash: "other" }, ["dist/a.js"])).to.equal(false);
    });
});
