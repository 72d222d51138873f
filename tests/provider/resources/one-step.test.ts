// Issue 8 item 5, table-driven over every input field of QlikTenant, JwtIdentityProvider, LicenseAssignment and
// GroupSet: a change of one field is a change of THIS resource (update in place or replace, as documented),
// the update converges (diffing the result against the same inputs shows no change), and the outputs other
// resources consume (tenant system hostname and id, IdP id, group ids) stay the same, so no other resource gets
// a step. Every unchanged input is no change at all. The e2e suite tests/e2e/platform-team/tenancy.test.ts
// confirms the same with the real CLI's preview for a subset of fields.
import { expect } from "chai";
import { step } from "../../support/steps";
import * as crypto from "crypto";
import { handlers as tenant } from "../../../provider/resources/qlikTenant";
import { handlers as jwt } from "../../../provider/resources/jwtIdentityProvider";
import { handlers as licenses } from "../../../provider/resources/licenseAssignment";
import { handlers as groups } from "../../../provider/resources/groupSet";
import type { Props, ResourceHandlers } from "../../../provider/resources/handlers";
import { EmuContext, makeTenant, startEmu } from "../../support/handlerEmulator";

interface FieldCase {
    field: string;
    value: (base: Props, ctx: { other: Props; tenant: Props }) => unknown;
    replace?: boolean;
    /** false: the field is not compared (it only permits something), so a change of it alone is no step. */
    changes?: boolean;
    /** Skip applying the update (replacements, or values that need a second tenant). */
    apply?: boolean;
}

interface ResourceCase {
    name: string;
    h: ResourceHandlers;
    base: (t: Props) => Props;
    /** Outputs other resources consume: must not change on an in-place update. */
    consumed: string[];
    fields: FieldCase[];
}

const pem = () =>
    crypto
        .generateKeyPairSync("rsa", { modulusLength: 2048 })
        .publicKey.export({ type: "spki", format: "pem" })
        .toString();
const OWNER = "org/fleet/one-step";

const cases: ResourceCase[] = [
    {
        name: "QlikTenant",
        h: tenant,
        base: () => ({ alias: "one-step", displayName: "One Step", owner: OWNER, enableAppOpeningFeedback: false }),
        consumed: ["tenantId", "systemHostname"],
        fields: [
            { field: "alias", value: () => "one-step-b" },
            { field: "displayName", value: () => "One Step B" },
            { field: "region", value: () => "eu", replace: true, apply: false },
            { field: "datacenter", value: () => "eu-west-1", replace: true, apply: false },
            { field: "autoAssignCreateSharedSpacesRoleToProfessionals", value: () => true },
            { field: "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals", value: () => true },
            { field: "autoAssignDataServicesContributorRoleToProfessionals", value: () => true },
            { field: "enableAppOpeningFeedback", value: () => true },
            { field: "purgeAfterDays", value: () => 45 },
            { field: "allowDeactivation", value: () => true },
            { field: "owner", value: () => `${OWNER}-renamed` },
            { field: "takeOverFrom", value: () => "*", changes: false },
            { field: "licenseKey", value: () => "another-license", changes: false },
        ],
    },
    {
        name: "JwtIdentityProvider",
        h: jwt,
        base: (t) => ({
            tenantHost: t.hostname,
            issuer: "https://one.step/",
            keyId: "k1",
            publicKey: FIXED_PEM,
            description: "sso",
            clockToleranceSec: 5,
            owner: OWNER,
        }),
        consumed: ["idpId", "tenantId", "keyId", "issuer"],
        fields: [
            { field: "tenantHost", value: (_b, c) => c.tenant.systemHostname },
            { field: "tenantHost", value: (_b, c) => c.other.hostname, replace: true, apply: false },
            { field: "issuer", value: () => "https://one.step/v2", replace: true, apply: false },
            { field: "keyId", value: () => "k2", replace: true, apply: false },
            { field: "publicKey", value: () => pem(), replace: true, apply: false },
            { field: "generateKeyPair", value: () => true, replace: true, apply: false },
            { field: "description", value: () => "sso v2" },
            { field: "clockToleranceSec", value: () => 30, replace: true, apply: false },
            { field: "owner", value: () => `${OWNER}-renamed` },
            { field: "takeOverFrom", value: () => "*", changes: false },
        ],
    },
    {
        name: "LicenseAssignment",
        h: licenses,
        base: (t) => ({
            tenantHost: t.hostname,
            assignments: { "u\\a": "analyzer" },
            autoAssignProfessional: false,
            autoAssignAnalyzer: false,
            owner: OWNER,
        }),
        consumed: ["tenantId"],
        fields: [
            { field: "tenantHost", value: (_b, c) => c.tenant.systemHostname },
            { field: "tenantHost", value: (_b, c) => c.other.hostname, replace: true, apply: false },
            { field: "assignments", value: () => ({ "u\\a": "professional", "u\\b": "analyzer" }) },
            { field: "autoAssignProfessional", value: () => true },
            { field: "autoAssignAnalyzer", value: () => true },
            { field: "owner", value: () => `${OWNER}-renamed` },
            { field: "takeOverFrom", value: () => "*", changes: false },
        ],
    },
    {
        name: "GroupSet",
        h: groups,
        base: (t) => ({
            tenantHost: t.hostname,
            groups: [
                { name: "g1", roles: ["Developer"] },
                { name: "g2", roles: [], description: "d" },
            ],
            autoCreateGroups: false,
            pruneUnmanaged: false,
            owner: OWNER,
        }),
        consumed: ["tenantId", "groupIds"],
        fields: [
            { field: "tenantHost", value: (_b, c) => c.tenant.systemHostname },
            { field: "tenantHost", value: (_b, c) => c.other.hostname, replace: true, apply: false },
            {
                field: "groups",
                value: () => [
                    { name: "g1", roles: ["Developer", "Steward"] },
                    { name: "g2", roles: [], description: "d2" },
                ],
            },
            { field: "autoCreateGroups", value: () => true },
            { field: "pruneUnmanaged", value: () => true },
            { field: "owner", value: () => `${OWNER}-renamed` },
            { field: "takeOverFrom", value: () => "*", changes: false },
        ],
    },
];

const FIXED_PEM = pem();

describe("one field, one step: every single-field change of QlikTenant, JwtIdentityProvider, LicenseAssignment, GroupSet", function () {
    this.timeout(600_000); // one test per resource runs every field's step; generous for a busy machine
    let ctx: EmuContext;
    let t: Props;
    let other: Props;

    before(async () => {
        ctx = await startEmu();
        t = await makeTenant("one-step-home");
        other = await makeTenant("one-step-other");
    });
    after(async () => ctx?.restore());

    for (const rc of cases) {
        // Each field's step starts from the base the previous step restored, so the fields are the steps of one test.
        it(`${rc.name}: each single-field change, step by step from the base (each step puts the base back)`, async () => {
            const inputs: Props = rc.base(t);
            const r = await rc.h.create({ ...inputs });
            const id = r.id;
            let outs = r.outs as Props;

            await step("unchanged inputs are no change", async () => {
                expect(await rc.h.diff(id, outs, inputs)).to.deep.include({ changes: false, replaces: [] });
            });

            for (const fc of rc.fields) {
                const label = `${fc.field}${fc.replace ? " (to another tenant/value that replaces)" : ""}`;
                await step(
                    `${label}: ${fc.changes === false ? "no step" : fc.replace ? "one replacement of this resource" : "one in-place update, converged, consumed outputs unchanged"}`,
                    async () => {
                        const news = {
                            ...inputs,
                            [fc.field]: fc.value(inputs, { other, tenant: rc.name === "QlikTenant" ? outs : t }),
                        };
                        const d = await rc.h.diff(id, outs, news);
                        if (fc.changes === false) {
                            expect(d.changes, fc.field).to.equal(false);
                            return;
                        }
                        expect(d.changes, fc.field).to.equal(true);
                        expect(d.replaces, fc.field).to.deep.equal(fc.replace ? [fc.field] : []);
                        if (fc.apply === false) return;
                        const up = (await rc.h.update(id, outs, news)).outs as Props;
                        for (const k of rc.consumed)
                            expect(up[k], `${fc.field}: consumed output ${k}`).to.deep.equal(outs[k]);
                        expect((await rc.h.diff(id, up, news)).changes, `${fc.field}: converged`).to.equal(false);
                        // and back, so the next field starts from the base
                        const back = (await rc.h.update(id, up, inputs)).outs as Props;
                        expect((await rc.h.diff(id, back, inputs)).changes, `${fc.field}: back to base`).to.equal(
                            false,
                        );
                        outs = back;
                    },
                );
            }
        });
    }
});
