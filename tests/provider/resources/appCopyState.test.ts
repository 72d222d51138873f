// AppCopy's typed state and inputs (provider/resources/appCopyState.ts): the states it must keep reading (a failed
// create's partial outputs, an older version's) and a state of another shape refused before any API call.
import { expect } from "chai";
import { stateParser } from "../../../provider/schema/core";
import { appCopyState } from "../../../provider/resources/appCopyState";
import { handlers } from "../../../provider/resources/appCopy";

const parse = stateParser("AppCopy", appCopyState);

async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (e) {
        if (e instanceof Error) return e;
        throw new Error(`rejected with a non-Error: ${String(e)}`);
    }
    throw new Error("expected a rejection");
}

describe("AppCopy state", () => {
    it("reads a failed create's partial outputs (no tenantId, reload failed) and keeps keys it does not name", () => {
        // What configure() hands initFailed when the first reload fails, after the JSON round trip (tenantId undefined).
        const partial = {
            tenantHost: "acme.us.qlikcloud.com",
            source: { exportFile: "/tmp/template.qvf" },
            name: "Sales",
            templateVersion: "",
            spaceName: "staging",
            dataConnections: [
                {
                    name: "db",
                    datasourceID: "sqlite",
                    connectionProperties: { database: "x", password: "<sha256:ab>" },
                },
            ],
            contentVersion: "sha256:0123",
            owner: "org/p/s",
            claim: "abcdef012345",
            appId: "app-1",
            spaceId: "space-1",
            spaceCreated: true,
            connectionIds: { db: "conn-1" },
            createdConnections: ["db"],
            connectionVersions: { db: "2" },
            scriptDigest: "d1",
            templateScriptId: "s1",
            templateScriptDigest: "d1",
            reloadId: "r1",
            reloadStatus: "FAILED",
            lastReloadTime: "",
            fromALaterVersion: { kept: true },
        };
        expect(parse(partial)).to.deep.equal(partial);
    });

    it("reads an older version's state that has only the address and the app", () => {
        expect(parse({ tenantHost: "acme.us.qlikcloud.com", appId: "app-1" })).to.deep.equal({
            tenantHost: "acme.us.qlikcloud.com",
            appId: "app-1",
        });
    });

    it("refuses a state without tenantHost or with a mistyped field, naming it, before any API call", async () => {
        for (const op of [
            () => handlers.read("app-1", { appId: "app-1" }),
            () => handlers.delete("app-1", { appId: "app-1", claim: "abc" }),
            () => handlers.diff("app-1", { appId: "app-1" }, { tenantHost: "acme.us.qlikcloud.com" }),
        ]) {
            expect((await rejection(op())).message).to.match(/^AppCopy: the stored state .*tenantHost/);
        }
        const e = await rejection(handlers.read("app-1", { tenantHost: "h", createdConnections: "db" }));
        expect(e.message).to.match(/^AppCopy: the stored state .*createdConnections/);
    });

    it("create() refuses inputs check() would have refused, naming the field, before any API call", async () => {
        const e = await rejection(handlers.create({ tenantHost: "acme.us.qlikcloud.com", name: "", spaceName: "s" }));
        expect(e.message).to.match(/name/);
    });
});
