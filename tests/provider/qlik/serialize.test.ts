// The client must survive Pulumi's closure serialization (a handler may capture it) without baking in secrets.
// Pulumi runs compiled CommonJS, and tsx-transformed functions do not serialize, so this compiles the client
// with tsc into a temp dir and serializes in a child node process.

import { expect } from "chai";
import * as cp from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { REPO_ROOT as ROOT } from "../../../scripts/lib/repo";

describe("provider/qlik closure serialization (compiled)", function () {
    this.timeout(120000);

    it("serializes a handler that uses QlikClient, with no secrets in the text", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "qlik-ser-"));
        try {
            const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
            cp.execFileSync(
                process.execPath,
                [
                    tsc,
                    "provider/qlik/index.ts",
                    "--outDir",
                    out,
                    "--rootDir",
                    ".",
                    "--module",
                    "commonjs",
                    "--target",
                    "es2022",
                    "--esModuleInterop",
                    "--skipLibCheck",
                    "--resolveJsonModule",
                    "--types",
                    "node",
                ],
                { cwd: ROOT, stdio: "pipe" },
            );
            const script = `
        const pulumi = require(${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi"))});
        const { setProviderConfig } = require(${JSON.stringify(path.join(out, "provider/config"))});
        const { QlikClient, registerSecret } = require(${JSON.stringify(path.join(out, "provider/qlik/index"))});
        setProviderConfig({ "qlik:region": "us", "qlik:clientId": "c", "qlik:clientSecret": "VERY-SECRET-123" });
        registerSecret("TOKEN-SECRET-456");
        new QlikClient().forHost("a.us.qlikcloud.com");
        const handler = async () => new QlikClient().forHost("a.us.qlikcloud.com").get("/api/v1/users/me", { purpose: "read me" });
        pulumi.runtime.serializeFunction(handler).then((s) => process.stdout.write(s.text), (e) => { console.error(String(e)); process.exit(1); });`;
            const text = cp.execFileSync(process.execPath, ["-e", script], {
                cwd: ROOT,
                env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
                encoding: "utf8",
                maxBuffer: 64 << 20,
            });
            expect(text).to.contain("/api/v1/users/me");
            expect(text).not.to.contain("VERY-SECRET-123");
            expect(text).not.to.contain("TOKEN-SECRET-456");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
