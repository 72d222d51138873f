// Compressed checkpoints (docs/state-size.md): pulumiEnv turns on PULUMI_DIY_BACKEND_GZIP, so the file backend and the
// PostgreSQL backend store `<stack>.json.gz`. A stack written before (plain `.json`) is read as it is, the next write
// replaces it by the gzip one, and the stack stays clean. Real CLI, LocalMarker resources (no Qlik, no emulator).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { TempProject } from "./harness";
import { step } from "../support/steps";
import { startStatePostgres, type StatePostgres } from "../support/postgresState";
import { checkpointText } from "../support/storedCheckpoint";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LocalMarker } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const dir = cfg.require("dir");
exports.values = ["a", "b", "c"].map((k) =>
    new LocalMarker(k, { directory: dir, name: k, value: cfg.require("label") + " " + k, secretValue: cfg.requireSecret("token") }).value);
`;
const PROJECT = "statediet";
const STACK = "dev";
const TOKEN = "diet-token-b64e1c0a77";
const PLAIN = { PULUMI_DIY_BACKEND_GZIP: "false" };
const isGzip = (b: Buffer) => b[0] === 0x1f && b[1] === 0x8b;

interface Checkpoint {
    checkpoint: { latest: { resources?: { type: string; outputs?: { value?: string } }[] } };
}
const markerValues = (c: Checkpoint) =>
    (c.checkpoint.latest.resources ?? [])
        .filter((r) => r.type.endsWith(":LocalMarker"))
        .map((r) => r.outputs?.value)
        .sort();

/** The same story on one backend; `stored(name)` gives the bytes under that key/file, undefined when absent. */
async function plainThenGzip(project: TempProject, stored: (name: string) => Promise<Buffer | undefined>) {
    const plainName = `${STACK}.json`;
    const gzName = `${STACK}.json.gz`;
    await step("a stack written uncompressed (as before this change) stores plain JSON", async () => {
        await project.run(["up", "--yes"], { env: PLAIN });
        const plain = await stored(plainName);
        expect(plain, plainName).to.not.equal(undefined);
        expect(isGzip(plain!)).to.equal(false);
        expect(await stored(gzName)).to.equal(undefined);
    });
    const plainBytes = (await stored(plainName))!.length;
    await step("the default environment reads it: no-op preview", async () => {
        await project.run(["preview", "--expect-no-changes"]);
    });
    await step("the next write stores gzip and removes the plain checkpoint; the stack stays clean", async () => {
        await project.run(["config", "set", "label", "Second"]);
        const up = await project.run(["up", "--yes"]);
        expect(up.output).to.match(/3 updated/);
        const gz = await stored(gzName);
        expect(gz, gzName).to.not.equal(undefined);
        expect(isGzip(gz!)).to.equal(true);
        expect(await stored(plainName), "the plain checkpoint is gone").to.equal(undefined);
        const text = checkpointText(gz!);
        expect(markerValues(JSON.parse(text))).to.deep.equal(["Second a", "Second b", "Second c"]);
        expect(text, "secrets stay encrypted inside the gzip").to.not.include(TOKEN);
        // The same checkpoint content, a fraction of the bytes (the text is mostly repeated keys and provider text).
        expect(gz!.length).to.be.lessThan(plainBytes / 2);
        await project.run(["preview", "--expect-no-changes"]);
        await project.run(["refresh", "--yes", "--expect-no-changes"]);
    });
}

describe("e2e: gzip checkpoints on the file and PostgreSQL backends (PULUMI_DIY_BACKEND_GZIP)", function () {
    this.timeout(600_000);
    const markers = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-statediet-"));
    let fileProject: TempProject | undefined;
    let pgProject: TempProject | undefined;
    let pg: StatePostgres | undefined;

    after(async () => {
        for (const p of [fileProject, pgProject]) {
            if (p) await p.run(["destroy", "--yes"], { allowFailure: true });
            p?.cleanup();
        }
        await pg?.stop();
        fs.rmSync(markers, { recursive: true, force: true });
    });

    it("file backend: plain state is read, then replaced by gzip", async () => {
        fileProject = new TempProject({ name: PROJECT, program: PROGRAM });
        await fileProject.initStack(STACK, { dir: path.join(markers, "file"), label: "First" }, { token: TOKEN });
        const stacks = path.join(fileProject.root, "state", ".pulumi", "stacks", PROJECT);
        await plainThenGzip(fileProject, async (name) => {
            const file = path.join(stacks, name);
            return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
        });
    });

    it("PostgreSQL backend: plain state is read, then replaced by gzip", async () => {
        pg = await startStatePostgres();
        pgProject = new TempProject({
            name: PROJECT,
            program: PROGRAM,
            env: { ...pg.env, PULUMI_BACKEND_URL: pg.backendUrl },
        });
        await pgProject.initStack(STACK, { dir: path.join(markers, "pg"), label: "First" }, { token: TOKEN });
        const db = pg;
        // The DIY backend prefixes every key with the URL's path, the database name (tests/e2e/state-postgres.test.ts).
        await plainThenGzip(pgProject, async (name) => {
            const rows = await db.query<{ data: { data: string } }>("SELECT data FROM pulumi_state WHERE key = $1", [
                `postgres/.pulumi/stacks/${PROJECT}/${name}`,
            ]);
            return rows.length ? Buffer.from(rows[0].data.data, "base64") : undefined;
        });
    });
});
