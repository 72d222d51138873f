import { expect } from "chai";
import { appsModel } from "../../../emulator/apis/apps/model";
import { Env } from "./helpers";
import { send } from "../../support/http";

describe("emulator content: apps, items, temp-contents", () => {
    let env: Env;
    before(async () => {
        env = await Env.start();
    });
    after(async () => {
        await env.close();
    });

    it("create, get, update, scripts, copy, items, delete", async () => {
        const t = env.source;
        const c = await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "Sales" } });
        expect(c.status).to.equal(200);
        const id = c.body.attributes.id as string;
        expect(id).to.match(/^[0-9a-f-]{36}$/);
        expect(c.body.attributes._resourcetype).to.equal("app");
        expect(
            (await env.req(t, "PUT", `/api/v1/apps/${id}`, { attributes: { description: "d" } })).body.attributes
                .description,
        ).to.equal("d");
        const set = await env.req(t, "POST", `/api/v1/apps/${id}/scripts`, {
            script: "LOAD 1 AS x AUTOGENERATE 1;",
            versionMessage: "v2",
        });
        expect(set.status).to.equal(200);
        expect(set.text).to.equal("");
        const cur = await env.req(t, "GET", `/api/v1/apps/${id}/scripts/current`);
        expect(cur.body.script).to.equal("LOAD 1 AS x AUTOGENERATE 1;");
        const hist = await env.req(t, "GET", `/api/v1/apps/${id}/scripts`);
        expect(hist.body.scripts).to.have.length(2);
        expect(hist.body.scripts[0].versionMessage).to.equal("v2");
        const cp = await env.req(t, "POST", `/api/v1/apps/${id}/copy`, { attributes: { name: "Sales copy" } });
        expect(cp.status).to.equal(200);
        expect((await env.req(t, "GET", `/api/v1/apps/${cp.body.attributes.id}/scripts/current`)).body.script).to.equal(
            "LOAD 1 AS x AUTOGENERATE 1;",
        );
        const items = await env.req(t, "GET", `/api/v1/items?resourceType=app&resourceId=${id}`);
        expect(items.body.data).to.have.length(1);
        const item = items.body.data[0];
        expect(item.id).to.not.equal(id);
        expect(item.resourceId).to.equal(id);
        expect((await env.req(t, "GET", "/api/v1/items?name=sales")).body.data).to.have.length(2);
        expect((await env.req(t, "PUT", `/api/v1/items/${item.id}`, { name: "Renamed" })).body.name).to.equal(
            "Renamed",
        );
        expect((await env.req(t, "GET", `/api/v1/apps/${id}`)).body.attributes.name).to.equal("Renamed");
        expect((await env.req(t, "DELETE", `/api/v1/apps/${id}`)).status).to.equal(200);
        expect((await env.req(t, "GET", `/api/v1/apps/${id}`)).status).to.equal(404);
        expect((await env.req(t, "GET", `/api/v1/items/${item.id}`)).status).to.equal(404);
    });

    it("temp-contents: upload 201 + Location, download, Range 206, details, 410 after expiry", async () => {
        const t = env.source;
        const up = await env.req(t, "POST", "/api/v1/temp-contents?filename=a.bin&ttl=60", Buffer.from("hello world"), {
            "content-type": "application/octet-stream",
        });
        expect(up.status).to.equal(201);
        const loc = up.headers.location as string;
        expect(loc).to.match(/^\/api\/v1\/temp-contents\/[0-9a-f]{24}$/);
        expect((await env.req(t, "GET", loc)).text).to.equal("hello world");
        const part = await env.req(t, "GET", loc, undefined, { range: "bytes=0-4" });
        expect(part.status).to.equal(206);
        expect(part.text).to.equal("hello");
        const d = await env.req(t, "GET", `${loc}/details`);
        expect(d.body).to.include({ Name: "a.bin", Size: "11", TTLSeconds: 60 });
        env.emu.emu.clock.advance(61_000);
        expect((await env.req(t, "GET", loc)).status).to.equal(410);
    });

    it("deploy sequence: export -> download -> import in another tenant -> publish -> republish keeps user objects", async () => {
        const src = env.source;
        const shared = (await env.req(src, "POST", "/api/v1/spaces", { name: "Dev", type: "shared" })).body;
        const app = (
            await env.req(src, "POST", "/api/v1/apps", { attributes: { name: "Deploy me", spaceId: shared.id } })
        ).body.attributes;
        await env.req(src, "POST", `/api/v1/apps/${app.id}/scripts`, { script: "// v1" });
        appsModel(env.emu.emu).putObject(src.id, "x", app.id, {
            qInfo: { qId: "sheet1", qType: "sheet" },
            qMetaDef: { title: "Sheet 1" },
        });

        const ex = await env.req(src, "POST", `/api/v1/apps/${app.id}/export`);
        expect(ex.status).to.equal(201);
        expect(ex.text).to.equal("");
        // raw bytes: the JSON client would decode them as text
        const file = (await send(env.emu.url, { host: src.host, token: src.token, path: ex.headers.location! })).raw;
        expect(file.subarray(0, 8).toString()).to.equal("QEMU-QVF");

        const tgt = await env.newTenant();
        const tShared = (await env.req(tgt, "POST", "/api/v1/spaces", { name: "Staging", type: "shared" })).body;
        const tManaged = (await env.req(tgt, "POST", "/api/v1/spaces", { name: "Prod", type: "managed" })).body;
        const imp = await env.req(tgt, "POST", `/api/v1/apps/import?spaceId=${tShared.id}&mode=autoreplace`, file, {
            "content-type": "application/octet-stream",
        });
        expect(imp.status).to.equal(200);
        const staged = imp.body.attributes.id as string;
        expect((await env.req(tgt, "GET", `/api/v1/apps/${staged}/scripts/current`)).body.script).to.equal("// v1");
        expect(
            (
                await env.req(tgt, "POST", "/api/v1/apps/import", Buffer.from("nope"), {
                    "content-type": "application/octet-stream",
                })
            ).status,
        ).to.equal(400);

        const pub = await env.req(tgt, "POST", `/api/v1/apps/${staged}/publish`, {
            spaceId: tManaged.id,
            attributes: { name: "Deploy me" },
        });
        expect(pub.status).to.equal(200);
        const published = pub.body.attributes;
        expect(published.originAppId).to.equal(staged);
        expect(published.publishTime).to.not.equal("");
        expect(published.spaceId).to.equal(tManaged.id);
        const found = await env.req(tgt, "GET", `/api/v1/items?resourceType=app&spaceId=${tManaged.id}`);
        expect(
            found.body.data.map(
                (i: { resourceAttributes: { originAppId: string } }) => i.resourceAttributes.originAppId,
            ),
        ).to.deep.equal([staged]);
        const stagedItem = (await env.req(tgt, "GET", `/api/v1/items?resourceType=app&resourceId=${staged}`)).body
            .data[0];
        expect(
            (await env.req(tgt, "GET", `/api/v1/items/${stagedItem.id}/publisheditems`)).body.data[0].resourceId,
        ).to.equal(published.id);
        // exporting from a managed space is refused
        expect((await env.req(tgt, "POST", `/api/v1/apps/${published.id}/export`)).status).to.equal(403);

        // a consumer creates their own object in the published app
        appsModel(env.emu.emu).putObject(tgt.id, "consumer", published.id, {
            qInfo: { qId: "mine", qType: "sheet" },
            qMetaDef: { title: "Mine" },
        });

        // new version of the app arrives through a second import, then republish
        await env.req(tgt, "POST", `/api/v1/apps/${staged}/scripts`, { script: "// v2" });
        const m = appsModel(env.emu.emu);
        const st = m.find(tgt.id, staged)!;
        st.objects = {};
        m.save(st, "x");
        m.putObject(tgt.id, "x", staged, { qInfo: { qId: "sheet2", qType: "sheet" }, qMetaDef: { title: "Sheet 2" } });
        const second = (
            await env.req(tgt, "POST", `/api/v1/apps/import?spaceId=${tShared.id}`, file, {
                "content-type": "application/octet-stream",
            })
        ).body.attributes.id;
        const mismatch = await env.req(tgt, "PUT", `/api/v1/apps/${second}/publish`, { targetId: published.id });
        expect(mismatch.status).to.equal(400);
        const rep = await env.req(tgt, "PUT", `/api/v1/apps/${staged}/publish`, {
            targetId: published.id,
            checkOriginAppId: true,
        });
        expect(rep.status).to.equal(200);
        expect(rep.body.attributes.id).to.equal(published.id);
        const after = m.find(tgt.id, published.id)!;
        expect(Object.keys(after.objects).sort()).to.deep.equal(["mine", "sheet2"]);
        expect(after.objects.mine.origin).to.equal("user");
        expect((await env.req(tgt, "GET", `/api/v1/apps/${published.id}/scripts/current`)).body.script).to.equal(
            "// v2",
        );
        const rep2 = await env.req(tgt, "PUT", `/api/v1/apps/${second}/publish`, {
            targetId: published.id,
            checkOriginAppId: false,
        });
        expect(rep2.status).to.equal(200);
        expect(rep2.body.attributes.originAppId).to.equal(second);
    });

    it("access: consumer reads the published app, non-member gets 403; personal apps are private", async () => {
        const t = env.source;
        const managed = (await env.req(t, "POST", "/api/v1/spaces", { name: "Consumers", type: "managed" })).body;
        const app = (await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "Src" } })).body.attributes;
        const pub = (await env.req(t, "POST", `/api/v1/apps/${app.id}/publish`, { spaceId: managed.id })).body
            .attributes;
        const consumer = env.user(t, "carol");
        const stranger = env.user(t, "dave");
        await env.req(t, "POST", `/api/v1/spaces/${managed.id}/assignments`, {
            type: "user",
            assigneeId: consumer.userId,
            roles: ["consumer"],
        });
        expect((await env.req(consumer, "GET", `/api/v1/apps/${pub.id}`)).status).to.equal(200);
        expect((await env.req(stranger, "GET", `/api/v1/apps/${pub.id}`)).status).to.equal(403);
        expect((await env.req(consumer, "GET", `/api/v1/apps/${app.id}`)).status).to.equal(403);
        expect(
            (await env.req(consumer, "PUT", `/api/v1/apps/${pub.id}`, { attributes: { name: "x" } })).status,
        ).to.equal(403);
    });
});

describe("emulator content: publish propagation (realistic profile)", () => {
    let env: Env;
    before(async () => {
        env = await Env.start("realistic");
    });
    after(async () => {
        await env.close();
    });

    it("consumers get 403 until the propagation delay has passed", async () => {
        const t = env.source;
        const managed = (await env.req(t, "POST", "/api/v1/spaces", { name: "M", type: "managed" })).body;
        const app = (await env.req(t, "POST", "/api/v1/apps", { attributes: { name: "Src" } })).body.attributes;
        const consumer = env.user(t, "erin");
        await env.req(t, "POST", `/api/v1/spaces/${managed.id}/assignments`, {
            type: "user",
            assigneeId: consumer.userId,
            roles: ["consumer"],
        });
        const pub = (await env.req(t, "POST", `/api/v1/apps/${app.id}/publish`, { spaceId: managed.id })).body
            .attributes;
        expect((await env.req(consumer, "GET", `/api/v1/apps/${pub.id}`)).status).to.equal(403);
        env.emu.emu.clock.advance(env.emu.emu.profile.delayMs("publish.propagation") + 1);
        expect((await env.req(consumer, "GET", `/api/v1/apps/${pub.id}`)).status).to.equal(200);
    });
});
