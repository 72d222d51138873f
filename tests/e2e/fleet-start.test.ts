// `npm start`'s emulator handling: start detached, reuse when running, recover from a stale
// emulator.json (crash), stop cleanly.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { REPO_ROOT } from "./harness";
import { ensureEmulator, stopEmulator, probe } from "../../scripts/demo/emulatorProcess";
import { desiredConfig, planConfig, legacyManaged, MANAGED_KEY } from "../../scripts/demo/stackConfig";
import { waitGone } from "./fixtures/processes";

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
        const first = await ensureEmulator({ dataDir: dir, profile: "instant", anyPort: true });
        expect(first.started).to.equal(true);
        expect(await probe(first.info)).to.equal(true);
        expect(fs.readFileSync(path.join(dir, "emulator.pid"), "utf8").trim()).to.equal(String(first.pid));

        const second = await ensureEmulator({ dataDir: dir, profile: "instant", anyPort: true });
        expect(second.started).to.equal(false);
        expect(second.pid).to.equal(first.pid);

        // kill -9 leaves emulator.json behind: the next start must notice and start a fresh one on the same data.
        process.kill(first.pid, "SIGKILL");
        expect(await waitGone([first.pid], 30_000), "the killed emulator").to.deep.equal([]);
        expect(fs.existsSync(path.join(dir, "emulator.json"))).to.equal(true);
        const third = await ensureEmulator({ dataDir: dir, profile: "instant", anyPort: true });
        expect(third.started).to.equal(true);
        expect(third.info.sourceTenant.id, "same store, same source tenant").to.equal(first.info.sourceTenant.id);

        expect(await stopEmulator(dir)).to.equal("stopped");
        expect(await probe(third.info, 500)).to.equal(false);
        expect(fs.existsSync(path.join(dir, "emulator.json"))).to.equal(false);
        expect(fs.existsSync(path.join(dir, "emulator.lock")), "the lock goes with the emulator").to.equal(false);
        // emulator:stop tells the truth: nothing is running now.
        expect(await stopEmulator(dir)).to.equal("not-running");
    });

    it("keeps one emulator per data folder: two concurrent starts share one, a second CLI fails clearly", async () => {
        const shared = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-start-lock-"));
        try {
            const [a, b] = await Promise.all(
                [0, 1].map(() =>
                    ensureEmulator({ dataDir: shared, profile: "instant", anyPort: true, timeoutMs: 60_000 }),
                ),
            );
            expect(a.pid, "both starts use the same emulator").to.equal(b.pid);
            expect([a.started, b.started].filter(Boolean)).to.have.length(1);
            expect(Number(fs.readFileSync(path.join(shared, "emulator.lock"), "utf8"))).to.equal(a.pid);
            const second = spawnSync(
                process.execPath,
                [path.join(REPO_ROOT, "dist", "emulator", "cli.js"), "--port", "0", "--data-dir", shared, "--quiet"],
                { encoding: "utf8", timeout: 60_000 },
            );
            expect(second.status).to.not.equal(0);
            expect(second.stderr).to.match(
                new RegExp(`another emulator \\(pid ${a.pid}\\) already runs on the data folder`),
            );
            expect(await probe(a.info), "the first one is untouched").to.equal(true);
            expect(await stopEmulator(shared)).to.equal("stopped");
        } finally {
            await stopEmulator(shared);
            fs.rmSync(shared, { recursive: true, force: true });
        }
    });

    it("puts the client secret only in the secret config", () => {
        const info = {
            region: "us",
            domain: "qlikcloud.com",
            httpUrl: "http://127.0.0.1:1",
            oauthClient: { clientId: "id", clientSecret: "s3cr3t" },
            sourceTenant: { hostname: "source.us.qlikcloud.com" },
        } as unknown as Parameters<typeof desiredConfig>[0];
        const c = desiredConfig(info, { appId: "a", version: "v" });
        expect(JSON.stringify(c.plain)).to.not.include("s3cr3t");
        expect(c.secret["qlik:clientSecret"]).to.equal("s3cr3t");
        // The offboarding opt-in is the operator's decision: npm start never sets it.
        expect(c.plain).to.not.have.property("qlik:allowTenantDeactivation");
    });

    it("sets only missing keys and its own unchanged ones, never a key the user set", () => {
        const info = {
            region: "us",
            domain: "qlikcloud.com",
            httpUrl: "http://127.0.0.1:8080",
            oauthClient: { clientId: "id", clientSecret: "s1" },
            sourceTenant: { hostname: "source.us.qlikcloud.com" },
        } as unknown as Parameters<typeof desiredConfig>[0];
        const want = desiredConfig(info, { appId: "a", version: "v" });
        const fresh = planConfig({}, want, undefined);
        expect(Object.keys(fresh.set)).to.have.members([...Object.keys(want.plain), "qlik:clientSecret"]);
        // Second run: the emulator moved to port 9090; the user changed the secret and set their own key.
        const current: Record<string, string> = {
            ...want.plain,
            "qlik:clientSecret": "users-own",
            "qlik:allowTenantDeactivation": "true",
        };
        const moved = desiredConfig({ ...info, httpUrl: "http://127.0.0.1:9090" } as typeof info, {
            appId: "a",
            version: "v",
        });
        const again = planConfig(current, moved, JSON.stringify(fresh.managed));
        expect(Object.keys(again.set)).to.deep.equal(["qlik:endpointOverride"]);
        expect(again.kept).to.deep.equal(["qlik:clientSecret"]);
        expect(again.managed).to.not.have.property("qlik:clientSecret");
        expect(MANAGED_KEY).to.match(/^[a-z]+:/);
        // A key the user edited by hand (no record of npm start having set that value) is kept too.
        const edited = planConfig(
            { ...want.plain, "qlik:endpointOverride": "http://127.0.0.1:7000" },
            moved,
            JSON.stringify(fresh.managed),
        );
        expect(edited.kept).to.include("qlik:endpointOverride");
        expect(edited.set).to.not.have.property("qlik:endpointOverride");
    });

    it("an upgrade from the committed Pulumi.dev.yaml of 0.1 takes its keys as npm start's own, once", () => {
        const info = {
            region: "us",
            domain: "qlikcloud.com",
            httpUrl: "http://127.0.0.1:8080",
            oauthClient: { clientId: "new-id", clientSecret: "new-secret" },
            sourceTenant: { hostname: "source.us.qlikcloud.com" },
        } as unknown as Parameters<typeof desiredConfig>[0];
        const want = desiredConfig(info, { appId: "a", version: "v" });
        // What 0.1 left: the committed file (its salt), the old emulator's client, no MANAGED_KEY.
        const current = {
            ...want.plain,
            "qlik:clientId": "old-id",
            "qlik:clientSecret": "old-secret",
            "qlik:allowTenantDeactivation": "true",
        };
        const legacy = path.join(dir, "Pulumi.legacy.yaml");
        fs.writeFileSync(
            legacy,
            "encryptionsalt: v1:tUF9cwAp0KI=:v1:mXJDh7me5F/jiEg4:tLTfOSTQxkGQrWY1dWE/QjC8RvfMQg==\nconfig: {}\n",
        );
        const plan = planConfig(current, want, legacyManaged(current, want, legacy));
        expect(Object.keys(plan.set)).to.have.members(["qlik:clientId", "qlik:clientSecret"]);
        expect(plan.kept).to.deep.equal([]);
        // The same values in a stack file of the user's own (another salt) stay the user's.
        const own = path.join(dir, "Pulumi.own.yaml");
        fs.writeFileSync(own, "encryptionsalt: v1:c29tZXRoaW5nZWxzZQ==:v1:abc:def\nconfig: {}\n");
        expect(legacyManaged(current, want, own)).to.equal(undefined);
        const kept = planConfig(current, want, legacyManaged(current, want, own));
        expect(kept.kept).to.have.members(["qlik:clientId", "qlik:clientSecret"]);
        expect(kept.set).to.deep.equal({});
    });
});
