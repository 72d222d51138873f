import { expect } from "chai";
import { Env } from "./helpers";

describe("emulator content: data-connections", () => {
  let env: Env;
  before(async () => { env = await Env.start(); });
  after(async () => { await env.close(); });

  it("DCaaS shape: 201, synthesized statement, secrets never echoed, 409 duplicate, get by name", async () => {
    const t = env.source;
    const space = (await env.req(t, "POST", "/api/v1/spaces", { name: "Data", type: "shared" })).body;
    const c = await env.req(t, "POST", "/api/v1/data-connections", {
      dataSourceId: "mysql", qName: "crm", space: space.id,
      connectionProperties: { host: "db.example", port: 3306, database: "crm", username: "u", password: "S3cret!" },
    });
    expect(c.status).to.equal(201);
    expect(c.body.qID).to.match(/^[0-9a-f-]{36}$/);
    expect(c.body.qConnectStatement).to.match(/^CUSTOM CONNECT TO "provider=.*;sourceType=mysql;.*host=db\.example/);
    expect(c.text).to.not.include("S3cret!");
    expect(c.body.connectionProperties).to.not.have.property("password");
    const dup = await env.req(t, "POST", "/api/v1/data-connections", { datasourceID: "mysql", qName: "crm", space: space.id, connectionProperties: {} });
    expect(dup.status).to.equal(409);
    expect(dup.body).to.not.have.property("traceId");
    expect(dup.body.errors[0].status).to.equal(409);
    const byName = await env.req(t, "GET", `/api/v1/data-connections/crm?type=connectionname&spaceId=${space.id}`);
    expect(byName.status).to.equal(200);
    expect(byName.body.qID).to.equal(c.body.qID);
    const list = await env.req(t, "GET", `/api/v1/data-connections?spaceId=${space.id}`);
    expect(list.body.data).to.have.length(1);
    expect(list.text).to.not.include("S3cret!");
    const patch = await env.req(t, "PATCH", `/api/v1/data-connections/${c.body.qID}`, [{ op: "replace", path: "/connectionProperties/port", value: 3307 }]);
    expect(patch.status).to.equal(204);
    const got = await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`);
    expect(got.body.connectionProperties.port).to.equal(3307);
    expect(got.text).to.not.include("S3cret!");
    // the secret survived the patch (stored, not returned)
    const stored = env.emu.emu.store.get<{ connectionProperties: { password: string } }>("dataConnections", c.body.qID);
    expect(stored?.connectionProperties.password).to.equal("S3cret!");
    expect((await env.req(t, "DELETE", `/api/v1/data-connections/${c.body.qID}`)).status).to.equal(204);
    expect((await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`)).status).to.equal(404);
  });

  it("classic shape and PUT; qPassword never echoed; validation", async () => {
    const t = env.source;
    const c = await env.req(t, "POST", "/api/v1/data-connections", {
      qName: "odbc", qConnectStatement: "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;sourceType=snowflake;\"",
      qType: "QvOdbcConnectorPackage.exe", datasourceID: "snowflake", qUsername: "me", qPassword: "pw-123",
    });
    expect(c.status).to.equal(201);
    expect(c.text).to.not.include("pw-123");
    // ConnectionUpdate's required fields: a name-only PUT is a 400, the full classic body a 204.
    expect((await env.req(t, "PUT", `/api/v1/data-connections/${c.body.qID}`, { qName: "odbc2" })).status).to.equal(400);
    expect((await env.req(t, "PUT", `/api/v1/data-connections/${c.body.qID}`, { qID: c.body.qID, qEngineObjectID: c.body.qID,
      qName: "odbc2", qType: c.body.qType, qConnectStatement: c.body.qConnectStatement })).status).to.equal(204);
    expect((await env.req(t, "GET", `/api/v1/data-connections/${c.body.qID}`)).body.qName).to.equal("odbc2");
    expect((await env.req(t, "POST", "/api/v1/data-connections", { qName: "x" })).status).to.equal(400);
    expect((await env.req(t, "POST", "/api/v1/data-connections", { qName: "s", datasourceID: "sqlite", connectionProperties: {} })).status).to.equal(400);
  });
});
