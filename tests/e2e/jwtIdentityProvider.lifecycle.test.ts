// JwtIdentityProvider with the real Pulumi CLI against an in-process emulator: the lifecycle from the
// resource design, including proof that the issuer swap is create-before-delete (logins never see a
// tenant without a trusted JWT IdP).
import { expect } from "chai";
import { step } from "../support/steps";
import type { RunningEmulator } from "../../emulator/index";
import { TempProject } from "./harness";
import { newTenantHost, stackConfigFor, startTestEmulator } from "./emulatorFixture";
import { asBot, lastSeq, requestLog } from "../support/handlerEmulator";
import { parseMarker } from "../../provider/resources/ownership";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { JwtIdentityProvider } = require("qlik-tenant-fleet");
const cfg = new pulumi.Config();
const idp = new JwtIdentityProvider("web", {
    tenantHost: cfg.require("tenantHost"),
    issuer: cfg.require("issuer"),
    generateKeyPair: true,
    description: cfg.require("description"),
});
exports.idpId = idp.idpId;
exports.keyId = idp.keyId;
`;

const IDP_PATH = "/api/v1/identity-providers";

// The up, refresh and destroy commands skip their own preview: each step previews itself where it checks one, a
// preview before a refresh without changes repeats the one after it, and an up's own preview costs as much as the
// update (docs/benchmark.md).
describe("e2e: JwtIdentityProvider lifecycle", function () {
    this.timeout(1_200_000); // one test runs the whole lifecycle; generous for a busy machine
    let emu: RunningEmulator;
    let project: TempProject;
    let host: string;
    const run = (args: string[], opts: { allowFailure?: boolean } = {}) => project.run(args, opts);
    const stackOutputs = async () => JSON.parse((await run(["stack", "output", "--json"])).stdout);
    const jwtIdps = async () =>
        (
            (await asBot(emu, host, `${IDP_PATH}?limit=100`)).body.data as {
                id: string;
                protocol: string;
                description?: string;
                options: { issuer: string };
            }[]
        ).filter((p) => p.protocol === "jwtAuth");

    before(async () => {
        emu = await startTestEmulator();
        host = await newTenantHost(emu);
        project = new TempProject({ name: "jwt-e2e", program: PROGRAM });
        const sc = stackConfigFor(emu);
        await project.initStack(
            "test",
            { ...sc.config, tenantHost: host, issuer: "https://isv.example/one", description: "web app" },
            sc.secrets,
        );
    });
    after(async () => {
        project?.cleanup();
        await emu?.close();
    });

    it("the lifecycle, step by step (each step works on the stack the previous ones left)", async () => {
        await step("up creates the IdP; preview and refresh then report no changes", async () => {
            await run(["up", "--yes", "--skip-preview"]);
            const { idpId, keyId } = await stackOutputs();
            expect(keyId).to.match(/^qtf-[0-9a-f]{10}-[0-9a-f]{16}$/);
            const idps = await jwtIdps();
            expect(idps.map((p) => p.id)).to.deep.equal([idpId]);
            // Qlik holds the user's description followed by the ownership marker (docs/ownership.md).
            expect(parseMarker(idps[0].description).text).to.equal("web app");
            expect(parseMarker(idps[0].description).marker?.owner).to.equal("organization/jwt-e2e/test");
            expect(idps[0].options.issuer).to.equal("https://isv.example/one");
            await project.expectNoChanges();
        });

        await step("a new description is an in-place update of exactly that field", async () => {
            const before = (await stackOutputs()).idpId;
            await run(["config", "set", "description", "web app v2"]);
            const p = await run(["preview", "--diff"]);
            expect(p.output).to.match(/~\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:JwtIdentityProvider: \(update\)/);
            expect(p.output).to.match(/~ description\s*: "web app" => "web app v2"/);
            expect(p.output).to.not.match(/~ (issuer|tenantHost|generateKeyPair|keyId)\b/);
            expect(p.output).to.not.match(/replace/);
            await run(["up", "--yes", "--skip-preview"]);
            expect((await stackOutputs()).idpId).to.equal(before);
            expect(parseMarker((await jwtIdps())[0].description).text).to.equal("web app v2");
        });

        await step(
            "a new issuer replaces the IdP create-before-delete: the new one is POSTed before the old one is DELETEd",
            async () => {
                const oldId = (await stackOutputs()).idpId as string;
                await run(["config", "set", "issuer", "https://isv.example/two"]);
                const p = await run(["preview", "--diff"]);
                expect(p.output).to.match(
                    /\+-\s*pulumi-nodejs:dynamic\/qlik-tenant-fleet:JwtIdentityProvider: \(replace\)/,
                );
                const since = await lastSeq(emu);
                await run(["up", "--yes", "--skip-preview"]);
                const newId = (await stackOutputs()).idpId as string;
                expect(newId).to.not.equal(oldId);
                const log = (await requestLog(emu, since)).filter(
                    (l) => l.host === host && l.path.startsWith(IDP_PATH),
                );
                const post = log.findIndex((l) => l.method === "POST" && l.path === IDP_PATH && l.status === 201);
                const del = log.findIndex((l) => l.method === "DELETE" && l.path === `${IDP_PATH}/${oldId}`);
                expect(post, "POST of the new IdP").to.be.at.least(0);
                expect(del, "DELETE of the old IdP").to.be.at.least(0);
                expect(post, "the new IdP exists before the old one goes").to.be.below(del);
                expect(
                    log.filter((l) => l.method === "DELETE"),
                    "only the old IdP is deleted",
                ).to.have.length(1);
                const idps = await jwtIdps();
                expect(idps.map((x) => x.id)).to.deep.equal([newId]);
                expect(idps[0].options.issuer).to.equal("https://isv.example/two");
                await run(["preview", "--expect-no-changes"]);
            },
        );

        await step("refresh detects a description patched in Qlik and up repairs it", async () => {
            const { idpId } = await stackOutputs();
            const patched = await asBot(emu, host, `${IDP_PATH}/${idpId}`, {
                method: "PATCH",
                body: [{ op: "replace", path: "/description", value: "edited by hand" }],
            });
            expect(patched.status, patched.text).to.be.within(200, 299);
            const r = await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"], { allowFailure: true });
            expect(r.code).to.not.equal(0);
            expect(r.output).to.match(/JwtIdentityProvider web updated .*\[diff: [^\]]*~description/);
            await run(["up", "--yes", "--skip-preview"]);
            expect(parseMarker((await jwtIdps())[0].description).text).to.equal("web app v2");
            await run(["preview", "--expect-no-changes"]);
            await run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        });

        await step("destroy leaves no JWT IdP on the tenant", async () => {
            const { idpId } = await stackOutputs();
            await run(["destroy", "--yes", "--skip-preview"]);
            expect((await asBot(emu, host, `${IDP_PATH}/${idpId}`)).status).to.equal(404);
            expect(await jwtIdps()).to.deep.equal([]);
        });
    });
});
