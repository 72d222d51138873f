// The qlik.dev Platform Operations tutorial, step by step, as plain HTTP calls (docs/reference/qlik-cloud-api.md §12:
// create-a-tenant, configure-a-tenant, deploy-content-to-a-tenant), every exchange validated by the contract client.
import * as crypto from "node:crypto";
import { expect } from "chai";
import { ContractFixture, type Host } from "./fixture";
import type { ContractResponse } from "./client";
import { waitFor } from "../support/wait";

const APP_SCRIPT = "Sales:\nLOAD * INLINE [\nRegion, Amount\nNorth, 10\nSouth, 20\n];\n";

/** The samples' JWT IdP: an X.509 certificate (openssl req -x509), pem on one line, RS256 tokens. */
async function idpMaterial(): Promise<{ pemOneLine: string; privateKey: string }> {
    const selfsigned = await import("selfsigned");
    const pems = selfsigned.generate([{ name: "commonName", value: "tutorial-jwt" }], { keySize: 2048, days: 1 });
    return { pemOneLine: pems.cert.replace(/\r?\n/g, ""), privateKey: pems.private };
}

function signJwt(privateKey: string, kid: string, issuer: string, sub: string, groups: string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const input = `${enc({ alg: "RS256", typ: "JWT", kid })}.${enc({
        sub,
        subType: "user",
        name: "Tutorial Consumer",
        email: "consumer@customer.example",
        email_verified: true,
        groups,
        jti: crypto.randomUUID(),
        iat: now,
        nbf: now - 5,
        exp: now + 600,
        iss: issuer,
        aud: "qlik.api/login/jwt-session",
    })}`;
    return `${input}.${crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

describe("contract: qlik.dev platform-operations tutorial", () => {
    let f: ContractFixture;
    let source: Host;
    let target: Host;
    let licenseKey: string;
    let groupId: string;
    let sharedId: string;
    let managedId: string;
    let sourceAppId: string;
    let stagedId: string;
    let publishedId: string;
    let idp: { pemOneLine: string; privateKey: string };
    const issuer = "https://isv.example/tutorial";
    const kid = "tutorial-kid";
    const groupName = "Tutorial Consumers";

    before(async () => {
        f = await ContractFixture.start();
        idp = await idpMaterial();
    });
    after(async () => {
        await f?.close();
    });

    describe("1. create a tenant", () => {
        it("token on the source tenant -> licenses/overview", async () => {
            const host = f.emu.info.sourceTenant.hostname;
            source = { host, id: f.emu.info.sourceTenant.id, token: await f.token(host) };
            const o = await f.req(source, "GET", "/api/v1/licenses/overview", {}, 200);
            licenseKey = o.body.licenseKey;
            expect(licenseKey).to.equal(f.emu.info.licenseKey);
        });
        it("token on the register host -> POST /api/v1/tenants {licenseKey} -> 201", async () => {
            const reg = await f.token(f.register);
            const r = await f.c.request(
                { method: "POST", host: f.register, token: reg, path: "/api/v1/tenants", body: { licenseKey } },
                201,
            );
            expect(r.body.hostnames[0]).to.match(/^[a-z0-9]{15}\.us\.qlikcloud\.com$/);
            expect(r.body.status).to.equal("active");
            target = { host: r.body.hostnames[0], id: r.body.id, token: "" };
        });
        it("token on the new host -> users/me carries the new tenant id", async () => {
            target.token = await f.token(target.host);
            const me = await f.req(target, "GET", "/api/v1/users/me", {}, [301, 302]);
            const u = await f.req(target, "GET", new URL(String(me.headers.location)).pathname, {}, 200);
            expect(u.body.tenantId).to.equal(target.id);
            expect(u.body.subject).to.match(/^qlikbot\\[0-9a-f]{32}$/);
        });
        it("optional: add a human TenantAdmin found on the source tenant", async () => {
            const email = f.emu.info.sourceTenant.adminEmail;
            const found = await f.req(
                source,
                "POST",
                "/api/v1/users/actions/filter",
                { body: { filter: `email eq "${email}"` } },
                200,
            );
            expect(found.body.data).to.have.length(1);
            const roles = await f.req(target, "GET", "/api/v1/roles", {}, 200);
            const adminRole = roles.body.data.find((r: { name: string }) => r.name === "TenantAdmin");
            await f.req(
                target,
                "POST",
                "/api/v1/users",
                {
                    body: {
                        name: found.body.data[0].name ?? "Admin",
                        email,
                        subject: found.body.data[0].subject,
                        assignedRoles: [{ id: adminRole.id }],
                    },
                },
                201,
            );
        });
    });

    describe("2. configure the tenant", () => {
        it("tenant name and alias (update-tenants)", async () => {
            await f.req(
                target,
                "PATCH",
                `/api/v1/tenants/${target.id}`,
                {
                    body: [
                        { op: "replace", path: "/name", value: "customer-one" },
                        { op: "replace", path: "/hostnames/1", value: "customer-one.us.qlikcloud.com" },
                    ],
                },
                204,
            );
        });
        it("group settings: autoCreateGroups + syncIdpGroups", async () => {
            await f.req(
                target,
                "PATCH",
                "/api/v1/groups/settings",
                {
                    body: [
                        { op: "replace", path: "/autoCreateGroups", value: true },
                        { op: "replace", path: "/syncIdpGroups", value: true },
                    ],
                },
                204,
            );
        });
        it("license settings: analyzer auto-assign", async () => {
            await f.req(
                target,
                "PUT",
                "/api/v1/licenses/settings",
                { body: { autoAssignProfessional: false, autoAssignAnalyzer: true } },
                200,
            );
        });
        it("JWT identity provider (sample body with interactive/active/jwtLoginEnabled)", async () => {
            const r = await f.req(
                target,
                "POST",
                "/api/v1/identity-providers",
                {
                    body: {
                        tenantIds: [target.id],
                        provider: "external",
                        protocol: "jwtAuth",
                        interactive: false,
                        active: true,
                        description: "IdP to handle deferred authentication.",
                        options: { jwtLoginEnabled: true, issuer, staticKeys: [{ kid, pem: idp.pemOneLine }] },
                    },
                },
                201,
            );
            expect(r.body.protocol).to.equal("jwtAuth");
        });
        it("group + roles", async () => {
            const g = await f.req(
                target,
                "POST",
                "/api/v1/groups",
                { body: { name: groupName, status: "active" } },
                201,
            );
            groupId = g.body.id;
            await f.req(
                target,
                "PATCH",
                `/api/v1/groups/${groupId}`,
                { body: [{ op: "replace", path: "/assignedRoles", value: [{ name: "AuditAdmin" }] }] },
                204,
            );
        });
        it("shared + managed spaces, consumer assignment of the group", async () => {
            sharedId = (
                await f.req(
                    target,
                    "POST",
                    "/api/v1/spaces",
                    { body: { name: "Customer Staging", type: "shared" } },
                    201,
                )
            ).body.id;
            managedId = (
                await f.req(
                    target,
                    "POST",
                    "/api/v1/spaces",
                    { body: { name: "Customer Analytics", type: "managed" } },
                    201,
                )
            ).body.id;
            await f.req(
                target,
                "POST",
                `/api/v1/spaces/${managedId}/assignments`,
                { body: { type: "group", assigneeId: groupId, roles: ["consumer"] } },
                201,
            );
        });
    });

    describe("3. deploy an app", () => {
        it("source: create the app in a shared space with a script and a reload", async () => {
            const space = await f.req(
                source,
                "POST",
                "/api/v1/spaces",
                { body: { name: "ISV Development", type: "shared" } },
                201,
            );
            const app = await f.req(
                source,
                "POST",
                "/api/v1/apps",
                { body: { attributes: { name: "Sales Analytics", spaceId: space.body.id } } },
                200,
            );
            sourceAppId = app.body.attributes.id;
            await f.req(
                source,
                "POST",
                `/api/v1/apps/${sourceAppId}/scripts`,
                { body: { script: APP_SCRIPT, versionMessage: "tutorial" } },
                200,
            );
            const reload = await f.req(source, "POST", "/api/v1/reloads", { body: { appId: sourceAppId } }, 201);
            const succeeded = async () => {
                const g = await f.req(source, "GET", `/api/v1/reloads/${reload.body.id}`, {}, 200);
                if (g.body.status === "SUCCEEDED") return true;
                expect(["QUEUED", "RELOADING"]).to.include(g.body.status);
                return false;
            };
            await waitFor(succeeded, { timeoutMs: 30_000, pollMs: 20, what: "the reload to succeed" });
        });
        it("source: find the app by name; the bot joins the space (409 AssignmentConflict is OK)", async () => {
            const items = await f.req(
                source,
                "GET",
                `/api/v1/items?resourceType=app&name=${encodeURIComponent("Sales Analytics")}`,
                {},
                200,
            );
            const item = items.body.data[0];
            expect(item.resourceId).to.equal(sourceAppId);
            const me = await f.req(source, "GET", "/api/v1/users/me", {}, [301, 302]);
            const botId = String(me.headers.location).split("/").pop();
            await f.req(
                source,
                "POST",
                `/api/v1/spaces/${item.spaceId}/assignments`,
                { body: { type: "user", assigneeId: botId, roles: ["producer"] } },
                [201, 409],
            );
        });
        let qvf: Buffer;
        it("source: export -> 201 Location -> download the .qvf", async () => {
            const ex = await f.req(source, "POST", `/api/v1/apps/${sourceAppId}/export`, {}, 201);
            expect(ex.text).to.equal("");
            const dl = await f.req(source, "GET", String(ex.headers.location), {}, 200);
            qvf = dl.raw;
            expect(qvf.length).to.be.greaterThan(0);
        });
        it("target: import into the shared space -> 200 NxApp", async () => {
            const imp = await f.req(target, "POST", `/api/v1/apps/import?spaceId=${sharedId}`, { raw: qvf }, 200);
            stagedId = imp.body.attributes.id;
            expect(imp.body.attributes.spaceId).to.equal(sharedId);
        });
        it("target: no published copy yet -> POST publish to the managed space", async () => {
            const items = await f.req(target, "GET", `/api/v1/items?resourceType=app&spaceId=${managedId}`, {}, 200);
            expect(
                items.body.data.filter(
                    (i: { resourceAttributes: { originAppId: string } }) =>
                        i.resourceAttributes.originAppId === stagedId,
                ),
            ).to.have.length(0);
            const pub = await f.req(
                target,
                "POST",
                `/api/v1/apps/${stagedId}/publish`,
                { body: { spaceId: managedId, attributes: { name: "Sales Analytics" } } },
                200,
            );
            publishedId = pub.body.attributes.id;
            expect(pub.body.attributes.publishTime).to.not.equal("");
        });
        it("target: a later deploy republishes onto the same app (targetId, checkOriginAppId:false)", async () => {
            const items = await f.req(target, "GET", `/api/v1/items?resourceType=app&spaceId=${managedId}`, {}, 200);
            const existing = items.body.data.find(
                (i: { resourceAttributes: { originAppId: string } }) => i.resourceAttributes.originAppId === stagedId,
            );
            expect(existing.resourceId).to.equal(publishedId);
            const again = await f.req(target, "POST", `/api/v1/apps/import?spaceId=${sharedId}`, { raw: qvf }, 200);
            const rep = await f.req(
                target,
                "PUT",
                `/api/v1/apps/${again.body.attributes.id}/publish`,
                { body: { targetId: publishedId, checkOriginAppId: false } },
                200,
            );
            expect(rep.body.attributes.id).to.equal(publishedId);
        });
        it("a JWT user of the consumer group opens the published app (retrying 403 while access propagates)", async () => {
            const login = await f.c.request(
                {
                    method: "POST",
                    host: target.host,
                    path: "/login/jwt-session",
                    token: signJwt(idp.privateKey, kid, issuer, "customer\\consumer1", [groupName]),
                },
                200,
            );
            const cookie = (login.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
            let r: ContractResponse | undefined;
            const opened = async () => {
                r = await f.c.request(
                    { host: target.host, path: `/api/v1/apps/${publishedId}`, headers: { cookie } },
                    [200, 403],
                );
                return r.status === 200;
            };
            await waitFor(opened, { timeoutMs: 30_000, pollMs: 20, what: "the published app to open" }).catch(
                () => undefined,
            );
            expect(r?.status).to.equal(200);
            expect(r?.body.attributes.name).to.equal("Sales Analytics");
        });
    });
});
