// check() rejects bad input with a failure that names the field, before any API call is made
// (the emulator's request log stays empty). QlikTenant, JwtIdentityProvider, LicenseAssignment, GroupSet.
import { expect } from "chai";
import * as crypto from "crypto";
import { handlers as tenant } from "../../../provider/resources/qlikTenant";
import { handlers as jwt } from "../../../provider/resources/jwtIdentityProvider";
import { handlers as licenses } from "../../../provider/resources/licenseAssignment";
import { handlers as groups } from "../../../provider/resources/groupSet";
import { UNKNOWN, type ResourceHandlers } from "../../../provider/resources/handlers";
import { EmuContext, lastSeq, requestLog, startEmu } from "../../support/handlerEmulator";

const HOST = "acme.us.qlikcloud.com";
const pem = crypto
    .generateKeyPairSync("rsa", { modulusLength: 2048 })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();
const privatePem = crypto
    .generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
const edPem = crypto.generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();

const okTenant = { alias: "acme", displayName: "Acme" };
const okJwt = { tenantHost: HOST, issuer: "https://isv.example", keyId: "k1", publicKey: pem };
const okLic = { tenantHost: HOST, assignments: { "u\\a": "professional" } };
const okGroups = { tenantHost: HOST, groups: [{ name: "analysts", roles: ["SharedSpaceCreator"] }] };

interface Case {
    what: string;
    h: ResourceHandlers;
    inputs: Record<string, unknown>;
    field: string;
    says?: RegExp;
}

const cases: Case[] = [
    { what: "alias with a dot", h: tenant, inputs: { ...okTenant, alias: "acme.corp" }, field: "alias" },
    { what: "alias in upper case", h: tenant, inputs: { ...okTenant, alias: "Acme" }, field: "alias" },
    { what: "alias ending with '-'", h: tenant, inputs: { ...okTenant, alias: "acme-" }, field: "alias" },
    { what: "alias 'register'", h: tenant, inputs: { ...okTenant, alias: "register" }, field: "alias" },
    {
        what: "alias as a full hostname",
        h: tenant,
        inputs: { ...okTenant, alias: "acme.us.qlikcloud.com" },
        field: "alias",
    },
    { what: "alias of 64 characters", h: tenant, inputs: { ...okTenant, alias: "a".repeat(64) }, field: "alias" },
    { what: "empty displayName", h: tenant, inputs: { ...okTenant, displayName: "  " }, field: "displayName" },
    {
        what: "purgeAfterDays 9",
        h: tenant,
        inputs: { ...okTenant, purgeAfterDays: 9 },
        field: "purgeAfterDays",
        says: /10 and 90/,
    },
    { what: "purgeAfterDays 91", h: tenant, inputs: { ...okTenant, purgeAfterDays: 91 }, field: "purgeAfterDays" },
    { what: "purgeAfterDays 30.5", h: tenant, inputs: { ...okTenant, purgeAfterDays: 30.5 }, field: "purgeAfterDays" },
    {
        what: "unknown datacenter",
        h: tenant,
        inputs: { ...okTenant, datacenter: "mars-1" },
        field: "datacenter",
        says: /us-east-1/,
    },
    { what: "region as a name", h: tenant, inputs: { ...okTenant, region: "Europe" }, field: "region" },
    {
        what: "allowDeactivation as a string",
        h: tenant,
        inputs: { ...okTenant, allowDeactivation: "yes" },
        field: "allowDeactivation",
    },
    {
        what: "tenant flag as a string",
        h: tenant,
        inputs: { ...okTenant, enableAppOpeningFeedback: "true" },
        field: "enableAppOpeningFeedback",
    },
    { what: "not a PEM", h: jwt, inputs: { ...okJwt, publicKey: "MIIBIjANBgkq" }, field: "publicKey", says: /PEM/ },
    {
        what: "corrupted PEM body",
        h: jwt,
        inputs: { ...okJwt, publicKey: pem.replace(/[A-Za-z]{10}/, "**********") },
        field: "publicKey",
    },
    {
        what: "a private key as publicKey",
        h: jwt,
        inputs: { ...okJwt, publicKey: privatePem },
        field: "publicKey",
        says: /PRIVATE/,
    },
    { what: "an Ed25519 key", h: jwt, inputs: { ...okJwt, publicKey: edPem }, field: "publicKey", says: /RSA/ },
    { what: "empty issuer", h: jwt, inputs: { ...okJwt, issuer: "" }, field: "issuer" },
    { what: "publicKey without keyId", h: jwt, inputs: { ...okJwt, keyId: undefined }, field: "keyId" },
    {
        what: "neither publicKey nor generateKeyPair",
        h: jwt,
        inputs: { ...okJwt, publicKey: undefined },
        field: "publicKey",
        says: /generateKeyPair/,
    },
    { what: "publicKey and generateKeyPair", h: jwt, inputs: { ...okJwt, generateKeyPair: true }, field: "publicKey" },
    {
        what: "tenantHost with a scheme",
        h: jwt,
        inputs: { ...okJwt, tenantHost: "https://acme.us.qlikcloud.com" },
        field: "tenantHost",
    },
    { what: "description over 128", h: jwt, inputs: { ...okJwt, description: "x".repeat(129) }, field: "description" },
    {
        what: "clockToleranceSec 7201",
        h: jwt,
        inputs: { ...okJwt, clockToleranceSec: 7201 },
        field: "clockToleranceSec",
    },
    {
        what: "unknown license type",
        h: licenses,
        inputs: { ...okLic, assignments: { "u\\a": "premium" } },
        field: "assignments.u\\a",
        says: /professional, analyzer/,
    },
    {
        what: "license type in upper case",
        h: licenses,
        inputs: { ...okLic, assignments: { "u\\b": "Professional" } },
        field: "assignments.u\\b",
    },
    {
        what: "assignments as a list",
        h: licenses,
        inputs: { ...okLic, assignments: [{ subject: "u\\a", type: "analyzer" }] },
        field: "assignments",
    },
    {
        what: "autoAssignAnalyzer as a string",
        h: licenses,
        inputs: { ...okLic, autoAssignAnalyzer: "true" },
        field: "autoAssignAnalyzer",
    },
    {
        what: "license tenantHost with a path",
        h: licenses,
        inputs: { ...okLic, tenantHost: "acme.us.qlikcloud.com/api" },
        field: "tenantHost",
    },
    {
        what: "unknown role",
        h: groups,
        inputs: { ...okGroups, groups: [{ name: "g", roles: ["SuperUser"] }] },
        field: "groups[0].roles",
        says: /TenantAdmin/,
    },
    {
        what: "role in the wrong case",
        h: groups,
        inputs: { ...okGroups, groups: [{ name: "g", roles: ["tenantadmin"] }] },
        field: "groups[0].roles",
    },
    {
        what: "duplicate group names",
        h: groups,
        inputs: {
            ...okGroups,
            groups: [
                { name: "g", roles: [] },
                { name: "g", roles: [] },
            ],
        },
        field: "groups[1].name",
        says: /duplicate/,
    },
    {
        what: "empty group name",
        h: groups,
        inputs: { ...okGroups, groups: [{ name: "", roles: [] }] },
        field: "groups[0].name",
    },
    {
        what: "roles not a list",
        h: groups,
        inputs: { ...okGroups, groups: [{ name: "g", roles: "TenantAdmin" }] },
        field: "groups[0].roles",
    },
    { what: "groups not a list", h: groups, inputs: { ...okGroups, groups: { name: "g" } }, field: "groups" },
    // Ownership inputs (docs/ownership.md), on every resource.
    {
        what: "owner with spaces",
        h: tenant,
        inputs: { ...okTenant, owner: "my fleet" },
        field: "owner",
        says: /qlik:owner/,
    },
    { what: "owner empty", h: licenses, inputs: { ...okLic, owner: "" }, field: "owner" },
    { what: "owner as a number", h: groups, inputs: { ...okGroups, owner: 7 }, field: "owner" },
    {
        what: "takeOverFrom with a bracket",
        h: jwt,
        inputs: { ...okJwt, owner: "org/p/s", takeOverFrom: "org/p]" },
        field: "takeOverFrom",
        says: /\*/,
    },
    {
        what: "IdP description that leaves no room for the ownership marker",
        h: jwt,
        inputs: { ...okJwt, owner: "organization/qlik-tenant-fleet/dev", description: "x".repeat(100) },
        field: "description",
        says: /ownership marker/,
    },
    {
        what: "group description that leaves no room for the ownership marker",
        h: groups,
        inputs: { ...okGroups, owner: "o/p/s", groups: [{ name: "g", roles: [], description: "x".repeat(250) }] },
        field: "groups[0].description",
    },
    {
        what: "pruneUnmanaged as a string",
        h: groups,
        inputs: { ...okGroups, pruneUnmanaged: "no" },
        field: "pruneUnmanaged",
    },
];

describe("check() of QlikTenant, JwtIdentityProvider, LicenseAssignment, GroupSet", function () {
    this.timeout(30_000);
    let ctx: EmuContext;
    /** Runs one test's checks and fails if they made any API call: each test asserts it, none relies on another. */
    const withoutApiCalls = async (checks: () => Promise<void>) => {
        const since = await lastSeq(ctx.emu);
        await checks();
        const log = await requestLog(ctx.emu, since);
        expect(
            log.filter((l) => !l.path.startsWith("/_emulator")),
            "check() made an API call",
        ).to.deep.equal([]);
    };

    before(async () => {
        ctx = await startEmu();
    });
    after(async () => ctx?.restore());

    it("accepts valid inputs, and unknown (preview) values are not errors, with no API call", () =>
        withoutApiCalls(async () => {
            for (const [h, inputs] of [
                [tenant, okTenant],
                [jwt, okJwt],
                [licenses, okLic],
                [groups, okGroups],
            ] as const) {
                expect((await h.check({}, inputs)).failures ?? []).to.deep.equal([]);
            }
            expect(
                (await jwt.check({}, { tenantHost: UNKNOWN, issuer: UNKNOWN, keyId: "k", publicKey: UNKNOWN }))
                    .failures ?? [],
            ).to.deep.equal([]);
            expect(
                (await groups.check({}, { tenantHost: UNKNOWN, groups: [{ name: UNKNOWN, roles: UNKNOWN }] }))
                    .failures ?? [],
            ).to.deep.equal([]);
            expect((await tenant.check({}, { alias: UNKNOWN, displayName: UNKNOWN })).failures ?? []).to.deep.equal([]);
        }));

    for (const c of cases) {
        it(`rejects ${c.what} naming ${c.field}, with no API call`, () =>
            withoutApiCalls(async () => {
                const r = await c.h.check({}, c.inputs);
                const failures = r.failures ?? [];
                const mine = failures.filter((f) => f.property === c.field);
                expect(mine, JSON.stringify(failures)).to.have.length.greaterThan(0);
                expect(r.inputs).to.equal(undefined);
                if (c.says) expect(mine.map((f) => f.reason).join(" ")).to.match(c.says);
            }));
    }

    it("covers at least 20 invalid inputs", () => {
        expect(cases.length).to.be.at.least(20);
    });
});
