// `npm start`'s emulator handling: start detached, reuse when running, recover from a stale
// emulator.json (crash), stop cleanly.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEmulator, stopEmulator, probe, desiredConfig } from "../../scripts/start";

describe("npm start: background emulator", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-start-"));
    });
    after(async () => {
        await stopEmulator(dir);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("starts one, reuses it, recovers from a stale info file, and stops it", async () => {
        const first = await ensureEmulator({ dataDir: dir, profile: "instant" });
        expect(first.started).to.equal(true);
        expect(await probe(first.info)).to.equal(true);
        expect(fs.readFileSync(path.join(dir, "emulator.pid"), "utf8").trim()).to.equal(String(first.pid));

        const second = await ensureEmulator({ dataDir: dir, profile: "instant" });
        expect(second.started).to.equal(false);
        expect(second.pid).to.equal(first.pid);

        // kill -9 leaves emulator.json behind: the next start must notice and start a fresh one on the same data.
        process.kill(first.pid, "SIGKILL");
        await new Promise((r) => setTimeout(r, 300));
        expect(fs.existsSync(path.join(dir, "emulator.json"))).to.equal(true);
        const third = await ensureEmulator({ dataDir: dir, profile: "instant" });
        expect(third.started).to.equal(true);
        expect(third.info.sourceTenant.id, "same store, same source tenant").to.equal(first.info.sourceTenant.id);

        expect(await stopEmulator(dir)).to.equal(true);
        expect(await probe(third.info, 500)).to.equal(false);
        expect(fs.existsSync(path.join(dir, "emulator.json"))).to.equal(false);
    });

    it("puts the client secret only in the secret config", () => {
        const info = { region: "us", domain: "qlikcloud.com", httpUrl: "http://127.0.0.1:1", oauthClient: { clientId: "id", clientSecret: "s3cr3t" },
            sourceTenant: { hostname: "source.us.qlikcloud.com" } } as unknown as Parameters<typeof desiredConfig>[0];
        const c = desiredConfig(info, { appId: "a", version: "v" });
        expect(JSON.stringify(c.plain)).to.not.include("s3cr3t");
        expect(c.secret["qlik:clientSecret"]).to.equal("s3cr3t");
        expect(c.plain["qlik:allowTenantDeactivation"]).to.equal("false");
    });
});
