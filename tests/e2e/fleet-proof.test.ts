// The template placement and the user-side proof of `npm start`, without Pulumi: a customer tenant is
// provisioned by hand through the REST API (the documented sequence, docs/reference/qlik-cloud-api.md §12), then a
// customer user logs in with a JWT and must see exactly their own company's numbers.
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startTestEmulator } from "./emulatorFixture";
import { waitFor } from "../support/wait";
import type { RunningEmulator } from "../../emulator/index";
import { seed } from "../../scripts/seed";
import { readMasterDb, type CustomerRecord } from "../../examples/fleet/masterDb";
import { businessTotals } from "../../scripts/seed/businessDb";
import { LOAD_SCRIPT } from "../../scripts/template/loadScript";
import { clientFor, placeTemplate, type PlacedTemplate } from "../../scripts/template/place";
import { jwtLogin, openAppAsUser, readDashboard, signUserJwt } from "../../scripts/userSession";

interface HandTenant {
    host: string;
    publishedAppId: string;
    privateKey: string;
    keyId: string;
    issuer: string;
}

type Id = { id: string };
type App = { attributes: { id: string } };
type Reload = { id: string; status: string; log?: string };

/** The documented provisioning sequence, by hand (what the six resources automate). */
async function provisionByHand(emu: RunningEmulator, tpl: PlacedTemplate, c: CustomerRecord): Promise<HandTenant> {
    const client = clientFor(emu.info);
    const source = client.forHost(emu.info.sourceTenant.hostname);
    const register = client.forHost(emu.info.registerHost);
    const { licenseKey } = await source.get<{ licenseKey: string }>("/api/v1/licenses/overview", {
        purpose: "license key",
    });
    const tenant = await register.post<{ id: string; hostnames: string[] }>(
        "/api/v1/tenants",
        { licenseKey },
        { expect: [201], purpose: "create tenant" },
    );
    const api = client.forHost(tenant.hostnames[0]);

    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyId = `kid-${c.alias}`;
    const issuer = `https://login.${c.alias}.fleet.example/`;
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString().replace(/\n/g, "");
    await api.post(
        "/api/v1/identity-providers",
        {
            provider: "external",
            protocol: "jwtAuth",
            interactive: false,
            active: true,
            tenantIds: [tenant.id],
            options: { issuer, staticKeys: [{ kid: keyId, pem }], jwtLoginEnabled: true },
        },
        { expect: [201], purpose: "create idp" },
    );
    await api.post(
        "/api/v1/licenses/assignments/actions/add",
        { add: c.users.map((u) => ({ subject: u.subject, type: u.licenseType })) },
        { purpose: "licenses" },
    );
    const groupIds: string[] = [];
    for (const g of c.groups)
        groupIds.push(
            (
                await api.post<Id>(
                    "/api/v1/groups",
                    { name: g.name, status: "active" },
                    { expect: [201], purpose: "group" },
                )
            ).id,
        );

    const staging = await api.post<Id>(
        "/api/v1/spaces",
        { name: "Staging", type: "shared" },
        { expect: [201], purpose: "staging space" },
    );
    const managed = await api.post<Id>(
        "/api/v1/spaces",
        { name: `${c.name} Analytics`, type: "managed" },
        { expect: [201], purpose: "managed space" },
    );
    const conn = c.connections[0];
    await api.post(
        "/api/v1/data-connections",
        {
            qName: conn.name,
            datasourceID: conn.datasourceId,
            space: staging.id,
            connectionProperties: { database: conn.database, username: conn.username, password: conn.password },
        },
        { expect: [201], purpose: "connection" },
    );

    const exp = await source.send({
        method: "POST",
        path: `/api/v1/apps/${tpl.appId}/export`,
        expect: [201],
        purpose: "export template",
    });
    const qvf = await source.download(exp.headers.location as string, { purpose: "download template" });
    const staged = await api.upload<App>("/api/v1/apps/import", qvf, {
        query: { spaceId: staging.id },
        purpose: "import template",
    });
    let reload = await api.post<Reload>(
        "/api/v1/reloads",
        { appId: staged.attributes.id },
        { expect: [201], purpose: "reload" },
    );
    const ended = ["SUCCEEDED", "FAILED", "CANCELED", "EXCEEDED_LIMIT"];
    if (!ended.includes(reload.status)) {
        reload = await waitFor(
            async () => {
                const now = await api.get<Reload>(`/api/v1/reloads/${reload.id}`, { purpose: "poll reload" });
                return ended.includes(now.status) ? now : undefined;
            },
            { timeoutMs: 120_000, pollMs: 50, what: `reload ${reload.id} to end` },
        );
    }
    expect(reload.status, reload.log).to.equal("SUCCEEDED");
    const published = await api.post<App>(
        `/api/v1/apps/${staged.attributes.id}/publish`,
        { spaceId: managed.id },
        { purpose: "publish" },
    );
    for (const id of groupIds) {
        await api.post(
            `/api/v1/spaces/${managed.id}/assignments`,
            { type: "group", assigneeId: id, roles: ["consumer"] },
            { expect: [201], purpose: "assign" },
        );
    }
    return {
        host: tenant.hostnames[0],
        publishedAppId: published.attributes.id,
        keyId,
        issuer,
        privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
}

describe("fleet: template placement and the users' proof (no Pulumi)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let dir: string;
    let customers: CustomerRecord[];
    let sampleDb: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtf-fleet-proof-"));
        const s = seed({ masterDb: path.join(dir, "master.sqlite") });
        sampleDb = s.sampleDb;
        customers = readMasterDb(s.masterDb);
        emu = await startTestEmulator();
    });
    after(async () => {
        await emu?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    let tpl: PlacedTemplate;
    it("places the template in the source tenant once; a second run changes nothing", async () => {
        tpl = await placeTemplate({ info: emu.info, sampleDb });
        expect(tpl.changes).to.include.members([
            "space Templates",
            "space Staging",
            "connection Staging:CustomerDB",
            "script",
            "reload",
            "sheet tplOverview",
        ]);
        expect(tpl.reloadStatus).to.equal("SUCCEEDED");
        const again = await placeTemplate({ info: emu.info, sampleDb });
        expect(again.changes).to.deep.equal([]);
        expect(again.appId).to.equal(tpl.appId);
        expect(again.version).to.equal(tpl.version);
    });

    it("updates only what changed when the template's script changes", async () => {
        const next = await placeTemplate({ info: emu.info, sampleDb, script: `${LOAD_SCRIPT}\nTRACE v2;\n` });
        expect(next.changes).to.deep.equal(["script", "reload"]);
        expect(next.version).to.not.equal(tpl.version);
        expect(next.appId).to.equal(tpl.appId);
        tpl = await placeTemplate({ info: emu.info, sampleDb }); // back to the default
    });

    it("each customer's user logs in with a JWT and sees only their own company's data", async () => {
        const acme = customers.find((c) => c.alias === "acme")!;
        const globex = customers.find((c) => c.alias === "globex")!;
        const tenants = [await provisionByHand(emu, tpl, acme), await provisionByHand(emu, tpl, globex)];
        const seen = [];
        for (const [i, c] of [acme, globex].entries()) {
            const t = tenants[i];
            const user = c.users[0];
            const session = await jwtLogin(emu.url, t.host, await signUserJwt(t, user));
            const doc = await openAppAsUser(emu.url, session, t.publishedAppId, { maxWaitMs: 10_000 });
            try {
                seen.push(await readDashboard(doc));
            } finally {
                await doc.close();
            }
            const truth = businessTotals(c.connections[0].database!);
            expect(seen[i].orders, `${user.name}'s order count`).to.equal(truth.orders);
            expect(seen[i].revenue).to.be.closeTo(truth.amount, 0.01);
            expect(seen[i].sheets).to.include.members(["tplOverview", "tplCustomers", "tplOrders"]);
        }
        expect(seen[0].orders).to.not.equal(seen[1].orders);

        // Isolation: Linda's token signed with Acme's key is refused on Globex's tenant, and vice versa.
        const forged = await signUserJwt(tenants[0], globex.users[0]);
        let err: Error | undefined;
        try {
            await jwtLogin(emu.url, tenants[1].host, forged);
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.match(/HTTP 401/);
    });

    it("a logged-in user of another tenant cannot open the app (cookie bound to its tenant)", async () => {
        const acme = customers.find((c) => c.alias === "acme")!;
        const t = await provisionByHand(emu, tpl, { ...acme, name: "Acme Two" });
        const session = await jwtLogin(emu.url, t.host, await signUserJwt(t, acme.users[0]));
        const other = { ...session, host: emu.info.sourceTenant.hostname };
        let err: Error | undefined;
        try {
            await openAppAsUser(emu.url, other, tpl.appId, { maxWaitMs: 0 });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.match(/cannot open app/);
    });
});
