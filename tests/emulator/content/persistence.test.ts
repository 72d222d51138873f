// A restart with the same data dir keeps apps (script versions, sheets, loaded data) and reloads.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, type RunningEmulator } from "../../../emulator/index";
import { call, tokenFor } from "../../support/http";
import { until } from "./helpers";
import { appsModel } from "../../../emulator/apis/apps/model";

describe("emulator persistence: apps and reloads survive a restart", function () {
    this.timeout(30_000);
    let dir: string;
    let second: RunningEmulator | undefined;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-persist-content-"));
    });
    after(async () => {
        await second?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps the app, its script, its reloaded data and the reload record", async () => {
        const first = await startEmulator({ dataDir: dir, quiet: true });
        const host = first.info.sourceTenant.hostname;
        const token = await tokenFor(first.url, host, first.info.oauthClient);
        const req = (url: string, method: string, p: string, body?: unknown) =>
            call(url, p, { method, host, token, body });

        const space = (await req(first.url, "POST", "/api/v1/spaces", { name: "Kept", type: "shared" })).body;
        const app = (
            await req(first.url, "POST", "/api/v1/apps", { attributes: { name: "Survivor", spaceId: space.id } })
        ).body.attributes;
        const script = "Sales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\nSouth, 32\n];\n";
        expect(
            (await req(first.url, "POST", `/api/v1/apps/${app.id}/scripts`, { script, versionMessage: "v1" })).status,
        ).to.equal(200);
        const reloadId = (await req(first.url, "POST", "/api/v1/reloads", { appId: app.id })).body.id as string;
        const done = await until(async () => {
            const r = (await req(first.url, "GET", `/api/v1/reloads/${reloadId}`)).body;
            return ["SUCCEEDED", "FAILED"].includes(r.status) ? r : undefined;
        });
        expect(done.status, JSON.stringify(done)).to.equal("SUCCEEDED");
        await first.close();

        second = await startEmulator({ dataDir: dir, quiet: true });
        const url = second.url;
        // Tokens are persisted too: the same bearer works after the restart.
        const got = await req(url, "GET", `/api/v1/apps/${app.id}`);
        expect(got.status).to.equal(200);
        expect(got.body.attributes).to.include({ name: "Survivor", spaceId: space.id });
        expect((await req(url, "GET", `/api/v1/apps/${app.id}/scripts/current`)).body.script).to.equal(script);
        const reload = (await req(url, "GET", `/api/v1/reloads/${reloadId}`)).body;
        expect(reload).to.include({ id: reloadId, appId: app.id, status: "SUCCEEDED" });
        const logs = (await req(url, "GET", `/api/v1/apps/${app.id}/reloads/logs`)).body.data as { reloadId: string }[];
        expect(logs.map((l) => l.reloadId)).to.include(reloadId);
        const tables = appsModel(second.emu).find(second.info.sourceTenant.id, app.id)!.tables;
        expect(tables.find((t) => t.name === "Sales")?.rows).to.have.length(2);
        const items = (await req(url, "GET", `/api/v1/items?resourceType=app&resourceId=${app.id}`)).body.data;
        expect(items).to.have.length(1);
    });
});
