// The inputs tables of docs/resources/*.md are generated from the resource schemas (scripts/gen-resource-docs.ts):
// this fails when a schema changed and `npm run docs` was not run, or when a table was edited by hand.
import { expect } from "chai";
import * as path from "path";
import { renderedPages } from "../../../scripts/gen-resource-docs";
import { fieldMeta, resourceSchemas } from "../../../provider/schema";

describe("resource schemas drive the docs tables", () => {
    it("every committed docs/resources page holds the table its schema renders", () => {
        const pages = renderedPages();
        expect(pages.size).to.equal(resourceSchemas.length);
        for (const [page, { current, rendered }] of pages) {
            expect(current, `${path.basename(page)} is stale: run \`npm run docs\``).to.equal(rendered);
        }
    });

    it("every input field carries docs metadata and a description", () => {
        const table = [...renderedPages().values()].map((p) => p.rendered).join("\n");
        for (const s of resourceSchemas) {
            for (const [name, type] of Object.entries(s.inputs)) {
                expect(fieldMeta(type), `${s.kind}.${name}`).to.not.equal(undefined);
            }
            for (const name of Object.keys(s.inputs)) {
                // A row ending in " |  |" would be a field without JSDoc in its schema module.
                const row = table.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
                expect(row, `${s.kind}.${name} row`).to.be.a("string");
                expect(row!.endsWith("|  |"), `${s.kind}.${name} has no JSDoc description`).to.equal(false);
            }
        }
    });
});
