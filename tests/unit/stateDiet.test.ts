// The state diet's pieces that need no engine (docs/state-size.md): the default compression of every pulumi run
// (scripts/lib/engine.js pulumiEnv) and the measuring script's arithmetic (bench/stateSize.ts).
import { expect } from "chai";
import * as fs from "fs";
import * as zlib from "zlib";
import { engine } from "../../scripts/lib/repo";
import { measure, report } from "../../bench/stateSize";
import { checkpointText } from "../support/storedCheckpoint";
import { jwtSignerFromState } from "../../scripts/userSession";

const RECORD = { source: "cache", pulumi: "/opt/pulumi/pulumi", version: "3.274.1", pathDirs: ["/opt/pulumi"] };
const COMPRESSION_VARS = [
    "PULUMI_DIY_BACKEND_GZIP",
    "PULUMI_SELF_MANAGED_STATE_GZIP",
    "PULUMI_DIY_BACKEND_ZSTD",
    "PULUMI_SELF_MANAGED_STATE_ZSTD",
];

/** pulumiEnv with exactly `vars` of the variables `keys` set in the caller's environment (the rest unset). */
function pulumiEnvWith(keys: string[], vars: Record<string, string>): NodeJS.ProcessEnv {
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    try {
        for (const k of keys) delete process.env[k];
        Object.assign(process.env, vars);
        return engine.pulumiEnv(RECORD as never, { backendDir: "/tmp/qtf-unit-state-diet" });
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

const envWith = (vars: Record<string, string>) => pulumiEnvWith(COMPRESSION_VARS, vars);

describe("pulumiEnv: gzip checkpoints unless the user chose", () => {
    after(() => fs.rmSync("/tmp/qtf-unit-state-diet", { recursive: true, force: true })); // pulumiEnv creates it
    it("turns PULUMI_DIY_BACKEND_GZIP on by default", () => {
        expect(envWith({}).PULUMI_DIY_BACKEND_GZIP).to.equal("true");
    });
    it("keeps the user's opt-out", () => {
        expect(envWith({ PULUMI_DIY_BACKEND_GZIP: "false" }).PULUMI_DIY_BACKEND_GZIP).to.equal("false");
    });
    it("never adds gzip to a user's zstd (Pulumi refuses both at once), nor to the legacy variable names", () => {
        for (const chosen of [
            "PULUMI_DIY_BACKEND_ZSTD",
            "PULUMI_SELF_MANAGED_STATE_ZSTD",
            "PULUMI_SELF_MANAGED_STATE_GZIP",
        ]) {
            expect(envWith({ [chosen]: "true" }).PULUMI_DIY_BACKEND_GZIP, chosen).to.equal(undefined);
        }
    });
});

describe("pulumiEnv: fewer DIY listing workers than PostgreSQL connections", () => {
    after(() => fs.rmSync("/tmp/qtf-unit-state-diet", { recursive: true, force: true }));
    const withVars = (vars: Record<string, string>) =>
        pulumiEnvWith(["PULUMI_DIY_BACKEND_PARALLEL", "GOMAXPROCS"], vars);
    it("uses at most 2 x GOMAXPROCS - 1 workers (the pool is 2 x GOMAXPROCS), never more than Pulumi's 10", () => {
        expect(withVars({ GOMAXPROCS: "2" }).PULUMI_DIY_BACKEND_PARALLEL).to.equal("3");
        expect(withVars({ GOMAXPROCS: "1" }).PULUMI_DIY_BACKEND_PARALLEL).to.equal("1");
        expect(withVars({ GOMAXPROCS: "64" }).PULUMI_DIY_BACKEND_PARALLEL).to.equal("10");
    });
    it("keeps the user's own setting", () => {
        expect(withVars({ PULUMI_DIY_BACKEND_PARALLEL: "7" }).PULUMI_DIY_BACKEND_PARALLEL).to.equal("7");
    });
});

const SECRET = (ciphertext: string) => ({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    ciphertext,
});
const PROVIDER = "exports.handler = __f0;\n".repeat(20);

/** A stack of `tenants` customers, each with a tenant and an identity provider whose key is stored `keyCopies` times. */
function deployment(tenants: number, keyCopies: 1 | 2, withPositions: boolean) {
    const resources: Record<string, unknown>[] = [{ urn: "urn:stack", type: "pulumi:pulumi:Stack", outputs: {} }];
    for (let i = 0; i < tenants; i++) {
        const positions = withPositions
            ? { sourcePosition: "project:///sdk/x.js#1,1", stackTrace: [{ sourcePosition: "project:///index.js#2,3" }] }
            : {};
        resources.push({
            urn: `urn:t${i}`,
            type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:QlikTenant",
            inputs: { __provider: PROVIDER, alias: `t${i}` },
            outputs: { __provider: PROVIDER, alias: `t${i}` },
            ...positions,
        });
        resources.push({
            urn: `urn:j${i}`,
            type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:JwtIdentityProvider",
            inputs: { __provider: PROVIDER },
            outputs: { __provider: PROVIDER, privateKeyPem: SECRET("k".repeat(2300)) },
        });
        if (keyCopies === 2)
            resources.push({
                urn: `urn:c${i}`,
                type: "qlik-tenant-fleet:index:CustomerTenant",
                outputs: { jwtPrivateKey: SECRET("k".repeat(2300)) },
            });
    }
    return { version: 3, deployment: { manifest: {}, resources } };
}

describe("bench/stateSize: per-tenant arithmetic", () => {
    it("counts tenants, private key copies, provider text and source positions", () => {
        const m = measure(Buffer.from(JSON.stringify(deployment(4, 2, true))));
        expect(m.tenants).to.equal(4);
        expect(m.privateKeyCopies).to.equal(8);
        expect(m.parts.providerText).to.equal(4 * 4 * Buffer.byteLength(JSON.stringify(PROVIDER)));
        expect(m.parts.sourcePositions).to.be.greaterThan(0);
        expect(m.byType.map((t) => t.type)).to.include.members(["QlikTenant", "JwtIdentityProvider", "CustomerTenant"]);
        expect(report(m)).to.match(/4 tenants, 13 resources/);
    });
    it("the diet shows: one key copy, no positions, fewer bytes", () => {
        const before = measure(Buffer.from(JSON.stringify(deployment(4, 2, true))));
        const after = measure(Buffer.from(JSON.stringify(deployment(4, 1, false))));
        expect(after.privateKeyCopies).to.equal(4);
        expect(after.parts.sourcePositions).to.equal(0);
        expect(after.compact).to.be.lessThan(before.compact);
    });
    it("reads a gzip checkpoint as stored and reports the file's own bytes", () => {
        const checkpoint = { version: 3, checkpoint: { stack: "s", latest: deployment(2, 1, false).deployment } };
        const gz = zlib.gzipSync(JSON.stringify(checkpoint));
        expect(JSON.parse(checkpointText(gz))).to.deep.equal(checkpoint);
        const m = measure(gz, "/x/dev.json.gz");
        expect(m.tenants).to.equal(2);
        expect(m.stored.file).to.deep.equal({ name: "dev.json.gz", bytes: gz.length });
        expect(m.stored.plain).to.equal(Buffer.byteLength(JSON.stringify(checkpoint)));
    });
});

describe("jwtSignerFromState: the JWT key's one stored copy", () => {
    const SIG = "4dabf18193072939515e22adb298388d";
    const idp = (name: string, privateKeyPem: unknown) => ({
        urn: `urn:pulumi:dev::fleet::qlik-tenant-fleet:index:CustomerTenant$pulumi-nodejs:dynamic/qlik-tenant-fleet:JwtIdentityProvider::${name}-jwt`,
        type: "pulumi-nodejs:dynamic/qlik-tenant-fleet:JwtIdentityProvider",
        outputs: { keyId: `kid-${name}`, issuer: `https://login.${name}.fleet.example/`, privateKeyPem },
    });
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    const shownSecret = { [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(pem) };

    it("reads the shown secret of the customer's identity provider (not a namesake's)", () => {
        const resources = [idp("bigacme", { ...shownSecret, plaintext: '"other"' }), idp("acme", shownSecret)];
        expect(jwtSignerFromState(resources, "acme")).to.deep.equal({
            privateKey: pem,
            keyId: "kid-acme",
            issuer: "https://login.acme.fleet.example/",
        });
    });
    it("is undefined for a ciphertext (no --show-secrets), an ISV's own key (none stored) or an unknown customer", () => {
        expect(jwtSignerFromState([idp("acme", SECRET("abc"))], "acme")).to.equal(undefined);
        expect(jwtSignerFromState([idp("acme", undefined)], "acme")).to.equal(undefined);
        expect(jwtSignerFromState([idp("acme", shownSecret)], "globex")).to.equal(undefined);
    });
});
