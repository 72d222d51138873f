// Every emulator route must have been validated against its spec operation, route tiers must equal the specs'
// x-qlik-tier, and the exception table must match the deviations doc. What the other contract files validated is
// counted in a root-level after() hook, which mocha runs once every test of the process has run, whatever the file
// order; the scenario files are imported so that running this file alone still runs them.
import "./tenancy.test";
import "./directory.test";
import "./content.test";
import "./tutorial.test";
import "./ratelimits.test";
import "./fidelity.test";
import "./fuzz.test";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { allRoutes } from "../../emulator/apis/index";
import { coverage } from "./client";
import { DEVIATIONS } from "./deviations";
import { loadSpecs, MERGED_FALLBACK, opKey, repoRoot, SPEC_DIR_ENV } from "./spec";

const DOC = path.join(repoRoot(), "docs", "spec-deviations.md");

// Root level (outside any describe): after every test of every file, not after this file's tests.
after("contract: every emulator route with a spec operation was validated at least once", () => {
    const missing = allRoutes
        .map((r) => opKey(r.method, r.path))
        .filter((k) => loadSpecs().operations.has(k) && !coverage.validated.has(k));
    expect(missing, "routes never exercised by a validated request").to.deep.equal([]);
});

after("contract: every entry of the exception table was needed by some request", () => {
    const unused = DEVIATIONS.filter(
        (d) => !["no-spec-operation", "fallback-spec"].includes(d.kind) && !coverage.deviationsUsed.has(d.id),
    );
    expect(
        unused.map((d) => d.id),
        "exceptions no request needed (stale?)",
    ).to.deep.equal([]);
});

describe("contract: coverage and consistency", () => {
    const spec = () => loadSpecs();
    const listed = (kind: string) => new Set(DEVIATIONS.filter((d) => d.kind === kind).flatMap((d) => d.ops));

    it("a missing OpenAPI folder fails loudly, naming the variable and the default", () => {
        expect(() => loadSpecs(path.join(repoRoot(), "no-such-openapi-dir"))).to.throw(
            new RegExp(`${SPEC_DIR_ENV}.*default`),
        );
    });

    it("every emulator route maps to a spec operation or is listed as no-spec-operation", () => {
        const noSpec = listed("no-spec-operation");
        const unknown = allRoutes
            .map((r) => opKey(r.method, r.path))
            .filter((k) => !spec().operations.has(k) && !noSpec.has(k));
        expect(unknown, "routes with no spec operation and no deviation entry").to.deep.equal([]);
        const stale = [...noSpec].filter(
            (k) => spec().operations.has(k) || !allRoutes.some((r) => opKey(r.method, r.path) === k),
        );
        expect(stale, "no-spec-operation entries that now have a spec operation or no route").to.deep.equal([]);
    });

    it("routes validated only against the merged 2025 snapshot are listed as fallback-spec", () => {
        const fallback = listed("fallback-spec");
        const keys = allRoutes.map((r) => opKey(r.method, r.path));
        const missing = keys.filter((k) => spec().operations.get(k)?.source === MERGED_FALLBACK && !fallback.has(k));
        expect(missing).to.deep.equal([]);
    });

    it("each route's rate-limit tier equals the spec's x-qlik-tier", () => {
        const diffs: string[] = [];
        for (const r of allRoutes) {
            const op = spec().get(r.method, r.path);
            if (!op) continue;
            if (!op.tier) {
                diffs.push(`${op.key}: spec has no x-qlik-tier`);
                continue;
            }
            if (op.tier.tier !== r.tier.tier || op.tier.limit !== r.tier.limit) {
                diffs.push(`${op.key}: emulator ${r.tier.tier}/${r.tier.limit}, spec ${op.tier.tier}/${op.tier.limit}`);
            }
        }
        expect(diffs).to.deep.equal([]);
    });

    it("docs/emulator.md lists every spec operation as routed or not, matching the route table", () => {
        const doc = fs.readFileSync(path.join(repoRoot(), "docs", "emulator.md"), "utf8");
        const rows = new Map<string, boolean>();
        for (const m of doc.matchAll(/^\| [^|]+ \| `([A-Z]+) ([^`]+)` \| (routed|not routed) \|$/gm))
            rows.set(opKey(m[1], m[2]), m[3] === "routed");
        const routed = new Set(allRoutes.map((r) => opKey(r.method, r.path)));
        const wrong: string[] = [];
        for (const [key, op] of spec().operations) {
            if (op.source === MERGED_FALLBACK && !routed.has(key)) continue; // the merged snapshot is only a fallback
            if (!rows.has(key)) wrong.push(`${key}: missing from the table`);
            else if (rows.get(key) !== routed.has(key))
                wrong.push(`${key}: table says ${rows.get(key) ? "routed" : "not routed"}`);
        }
        for (const key of rows.keys())
            if (!spec().operations.has(key)) wrong.push(`${key}: in the table but in no spec`);
        expect(wrong).to.deep.equal([]);
    });

    it("the exception table mirrors docs/spec-deviations.md", () => {
        const doc = fs.readFileSync(DOC, "utf8");
        const ids = DEVIATIONS.map((d) => d.id);
        expect(new Set(ids).size, "unique ids").to.equal(ids.length);
        expect(
            ids.filter((id) => !doc.includes(`\`${id}\``)),
            "ids missing from the doc",
        ).to.deep.equal([]);
        const docIds = [...doc.matchAll(/^#+ [^`\n]*`([A-Z0-9-]+)`/gm)].map((m) => m[1]);
        expect(
            docIds.filter((id) => !ids.includes(id)),
            "doc sections without a table entry",
        ).to.deep.equal([]);
    });
});
