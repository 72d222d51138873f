// The spec loader itself: path normalisation, source precedence, and that its validators can fail.
import { expect } from "chai";
import { loadSpecs, MERGED_FALLBACK, normalisePath, opKey, responseFor } from "./spec";

describe("contract: spec loader", () => {
    const spec = () => loadSpecs();

    it("normalises /v1 vs /api/v1 and {param} vs :param", () => {
        expect(normalisePath("/v1/spaces/{spaceId}/assignments")).to.equal("/api/v1/spaces/{}/assignments");
        expect(normalisePath("/api/v1/spaces/:spaceId/assignments?x=1")).to.equal("/api/v1/spaces/{}/assignments");
        expect(opKey("get", "/oauth/token")).to.equal("GET /oauth/token");
    });

    it("prefers the YAML files and falls back to the merged snapshot", () => {
        expect(spec().get("POST", "/api/v1/spaces")?.source).to.equal("qliksense-spaces-api-openapi.yml");
        expect(spec().get("POST", "/oauth/token")?.source).to.equal(MERGED_FALLBACK);
        expect(spec().get("GET", "/api/v1/csrf-token")?.source).to.equal("qliksense-csrf-api-openapi.yml");
    });

    it("matches concrete paths, literal segments first", () => {
        expect(spec().match("GET", "/api/v1/groups/settings")?.key).to.equal("GET /api/v1/groups/settings");
        expect(spec().match("GET", "/api/v1/groups/abc")?.key).to.equal("GET /api/v1/groups/{}");
        expect(spec().match("GET", "/api/v1/nothing-here")).to.equal(undefined);
    });

    it("exports x-qlik-tier per operation", () => {
        expect(spec().get("POST", "/api/v1/reloads")?.tier).to.deep.equal({ tier: "special", limit: 50 });
        expect(spec().get("GET", "/api/v1/spaces")?.tier).to.deep.equal({ tier: "1", limit: 1000 });
    });

    it("response validators reject wrong bodies and accept right ones", () => {
        const op = spec().get("POST", "/api/v1/spaces");
        const created = op && responseFor(op, 201);
        expect(created?.resp.validate, "Space schema").to.be.a("function");
        const v = created?.resp.validate as (d: unknown) => boolean;
        expect(v({ name: 42 })).to.equal(false);
        const errors = spec().get("POST", "/api/v1/spaces");
        const conflict = errors && responseFor(errors, 409);
        expect(
            (conflict?.resp.validate as (d: unknown) => boolean)({
                errors: [{ code: "SpaceConflict", title: "Conflict" }],
            }),
        ).to.equal(true);
    });

    it("request validators reject bodies the spec forbids", () => {
        const op = spec().get("POST", "/api/v1/spaces");
        expect(op?.validateRequest?.({ name: "x", type: "shared" })).to.equal(true);
        expect(op?.validateRequest?.({ name: "x", type: "not-a-type" })).to.equal(false);
    });

    it("reads Qlik's title-oneOf enums as enums (UsageEnum)", () => {
        const op = spec().get("GET", "/api/v1/apps/{appId}");
        const v = op && responseFor(op, 200)?.resp.validate;
        expect(v?.({ attributes: { usage: "ANALYTICS" } })).to.equal(true);
        expect(v?.({ attributes: { usage: "SOMETHING_ELSE" } })).to.equal(false);
    });
});
