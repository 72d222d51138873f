// Engine client against a tiny scripted QIX JSON-RPC server on loopback.

import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { WebSocketServer, WebSocket } from "ws";
import { EngineError, engineUrl, openApp, withApp } from "../../../provider/qlik/engine";

interface Upgrade {
    host?: string;
    auth?: string;
    url?: string;
}

async function startQix(opts: { rejectStatus?: number; silent?: boolean } = {}) {
    const upgrades: Upgrade[] = [];
    const methods: string[] = [];
    const sockets = new Set<WebSocket>();
    let script = "LOAD 1 AS x AUTOGENERATE 1;";
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => {
        upgrades.push({ host: req.headers.host, auth: req.headers.authorization, url: req.url });
        if (opts.rejectStatus) {
            socket.end(`HTTP/1.1 ${opts.rejectStatus} Unauthorized\r\nContent-Length: 0\r\n\r\n`);
            return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
            sockets.add(ws);
            ws.send(
                JSON.stringify({ jsonrpc: "2.0", method: "OnConnected", params: { qSessionState: "SESSION_CREATED" } }),
            );
            ws.on("message", (data) => {
                const msg = JSON.parse(data.toString()) as {
                    id: number;
                    method: string;
                    handle: number;
                    params: unknown[];
                };
                methods.push(msg.method);
                if (opts.silent && msg.method !== "OpenDoc") return;
                const reply = (result: unknown) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
                switch (msg.method) {
                    case "OpenDoc":
                        return reply({ qReturn: { qType: "Doc", qHandle: 1, qGenericId: msg.params[0] } });
                    case "GetScript":
                        return reply({ qScript: script });
                    case "SetScript":
                        script = String(msg.params[0]);
                        return reply({});
                    case "DoReloadEx":
                        return reply({ qResult: { qSuccess: true, qScriptLogFile: "log.txt" } });
                    case "DoSave":
                        return reply({});
                    case "Evaluate":
                        return reply({ qReturn: "42" });
                    case "GetAllInfos":
                        return reply({ qInfos: [{ qId: "sheet1", qType: "sheet" }] });
                    default:
                        return ws.send(
                            JSON.stringify({
                                jsonrpc: "2.0",
                                id: msg.id,
                                error: { code: -32601, parameter: msg.method, message: "Method not found" },
                            }),
                        );
                }
            });
            ws.on("close", () => sockets.delete(ws));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        upgrades,
        methods,
        sockets,
        close: () =>
            new Promise<void>((r) => {
                for (const s of sockets) s.terminate();
                wss.close();
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

describe("provider/qlik engine client", () => {
    const host = "acme.us.qlikcloud.com";
    const appId = "116dbfae-7fb9-4983-8e23-5ccd8c508722";

    it("builds wss URLs in production and ws URLs via the override", () => {
        expect(engineUrl(host, appId)).to.equal(`wss://${host}/app/${appId}`);
        expect(engineUrl(host, appId, "http://127.0.0.1:8080")).to.equal(`ws://127.0.0.1:8080/app/${appId}`);
    });

    it("opens an app with Bearer + real Host header, runs the helpers and closes", async () => {
        const qix = await startQix();
        try {
            const result = await withApp(
                { host, appId, auth: async () => "tok-engine-1", endpointOverride: qix.url },
                async (s) => {
                    expect(await s.getScript()).to.contain("AUTOGENERATE");
                    await s.setScript("LOAD 2 AS y AUTOGENERATE 1;");
                    expect(await s.getScript()).to.equal("LOAD 2 AS y AUTOGENERATE 1;");
                    expect((await s.doReloadEx()).qSuccess).to.equal(true);
                    await s.doSave();
                    expect(await s.getAllInfos()).to.deep.equal([{ qId: "sheet1", qType: "sheet" }]);
                    return s.evaluate("Sum(x)");
                },
            );
            expect(result).to.equal("42");
            expect(qix.upgrades[0]).to.deep.equal({ host, auth: "Bearer tok-engine-1", url: `/app/${appId}` });
            expect(qix.methods).to.deep.equal([
                "OpenDoc",
                "GetScript",
                "SetScript",
                "GetScript",
                "DoReloadEx",
                "DoSave",
                "GetAllInfos",
                "Evaluate",
            ]);
            await new Promise((r) => setTimeout(r, 50));
            expect(qix.sockets.size).to.equal(0);
        } finally {
            await qix.close();
        }
    });

    it("explains a rejected upgrade without leaking the token", async () => {
        const qix = await startQix({ rejectStatus: 401 });
        try {
            let err: unknown;
            try {
                await openApp({
                    host,
                    appId,
                    auth: async () => "tok-secret-engine",
                    endpointOverride: qix.url,
                    purpose: "set script of app sales",
                });
            } catch (e) {
                err = e;
            }
            expect(err).to.be.instanceOf(EngineError);
            const m = (err as Error).message;
            expect(m)
                .to.contain("set script of app sales")
                .and.contain("OpenDoc")
                .and.contain("401")
                .and.contain("FIX:");
            expect(m).not.to.contain("tok-secret-engine");
        } finally {
            await qix.close();
        }
    });

    it("times out a call that never answers and closes the session", async () => {
        const qix = await startQix({ silent: true });
        try {
            const s = await openApp({
                host,
                appId,
                auth: async () => "tok-x-123",
                endpointOverride: qix.url,
                callTimeoutMs: 150,
            });
            const t0 = Date.now();
            let err: unknown;
            try {
                await s.getScript();
            } catch (e) {
                err = e;
            }
            expect(Date.now() - t0).to.be.below(1500);
            expect((err as Error).message).to.contain("no answer within 150 ms");
            await new Promise((r) => setTimeout(r, 50));
            expect(qix.sockets.size).to.equal(0);
            await s.close();
        } finally {
            await qix.close();
        }
    });
});
