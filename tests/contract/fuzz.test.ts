// Property-based fuzzer over every routed operation that has a spec operation: fast-check generates path ids
// (real and unknown), query values (valid per schema or any string), request bodies (schema-shaped, mutated,
// any JSON, broken JSON, bytes) and the caller (bot token, none, garbage, a stray IdP JWT). Properties: never
// a 5xx, and every response (status, documented headers, body) matches Qlik's OpenAPI documents, with only the
// exceptions of deviations.ts (docs/spec-deviations.md). Seeded: QLIK_FUZZ_SEED=<n> replays a run (the seed is
// printed on failure, with fast-check's counterexample path); QLIK_FUZZ_RUNS sets the runs per operation.
import { expect } from "chai";
import fc from "fast-check";
import { allRoutes } from "../../emulator/apis/index";
import type { Route } from "../../emulator/core/router";
import { ContractError } from "./client";
import { ContractFixture, type Host } from "./fixture";
import { bodyArbitrary, interestingStrings, queryArbitrary, type FuzzBody } from "./fuzzArbitraries";
import type { SpecOperation } from "./spec";

const SEED = process.env.QLIK_FUZZ_SEED ? Number(process.env.QLIK_FUZZ_SEED) : 20261201;
const RUNS = process.env.QLIK_FUZZ_RUNS ? Number(process.env.QLIK_FUZZ_RUNS) : 40;
const SCRIPT = "T:\nLOAD * INLINE [\nA, B\n1, x\n2, y\n];\n";

/** Destructive operations last, tenant deactivation very last, so the others still reach live objects. */
function rank(r: Route): number {
    if (/actions\/deactivate$/.test(r.path)) return 3;
    if (r.method === "DELETE" || /actions\/delete$/.test(r.path)) return 2;
    return 1;
}

describe("contract: property-based fuzz of every routed operation", function () {
    this.timeout(240_000);
    let f: ContractFixture;
    let t: Host;
    let registerToken: string;
    const ids: Record<string, string[]> = {};
    const all: string[] = [];
    const add = (kind: string, id: unknown) => {
        if (typeof id !== "string" || id === "") return;
        (ids[kind] ??= []).push(id);
        all.push(id);
    };

    before(async () => {
        f = await ContractFixture.start({ rateLimitScale: 10_000 });
        t = await f.newTenant();
        registerToken = await f.token(f.register);
        add("tenantId", t.id);
        const req = (method: string, path: string, extra: Record<string, unknown> = {}) =>
            f.req(t, method, path, { requestBody: "any", ...extra });
        const space = await req("POST", "/api/v1/spaces", { body: { name: "Fuzz shared", type: "shared" } });
        const managed = await req("POST", "/api/v1/spaces", { body: { name: "Fuzz managed", type: "managed" } });
        add("spaceId", space.body.id);
        add("spaceId", managed.body.id);
        const group = await req("POST", "/api/v1/groups", { body: { name: "Fuzz group", status: "active" } });
        add("groupId", group.body.id);
        const user = await req("POST", "/api/v1/users", {
            body: { subject: "fuzz\\user", name: "Fuzz User", email: "fuzz@x.example" },
        });
        add("userId", user.body.id);
        const assignment = await req("POST", `/api/v1/spaces/${managed.body.id}/assignments`, {
            body: { type: "group", assigneeId: group.body.id, roles: ["consumer"] },
        });
        add("assignmentId", assignment.body.id);
        const app = await req("POST", "/api/v1/apps", {
            body: { attributes: { name: "Fuzz app", spaceId: space.body.id } },
        });
        add("appId", app.body.attributes.id);
        await req("POST", `/api/v1/apps/${app.body.attributes.id}/scripts`, {
            body: { script: SCRIPT, versionMessage: "fuzz" },
        });
        const scripts = await req("GET", `/api/v1/apps/${app.body.attributes.id}/scripts`);
        for (const s of scripts.body.scripts) add("id", s.scriptId);
        const reload = await req("POST", "/api/v1/reloads", { body: { appId: app.body.attributes.id } });
        add("reloadId", reload.body.id);
        const items = await req("GET", `/api/v1/items?resourceType=app&resourceId=${app.body.attributes.id}`);
        add("itemId", items.body.data[0]?.id);
        const dc = await req("POST", "/api/v1/data-connections", {
            body: {
                qName: "fuzz-dc",
                datasourceID: "sqlite",
                space: space.body.id,
                connectionProperties: { database: "/tmp/none.sqlite" },
            },
        });
        add("qID", dc.body.qID);
        const tc = await req("POST", "/api/v1/temp-contents?filename=fuzz.csv", { raw: Buffer.from("a,b\n1,2\n") });
        add(
            "id",
            String(tc.headers.location ?? "")
                .split("/")
                .pop(),
        );
        // A non-ASCII file name: downloading it used to crash on the Content-Disposition header.
        const euro = await req("POST", `/api/v1/temp-contents?filename=${encodeURIComponent("€-report.qvf")}`, {
            raw: Buffer.from("qvf"),
        });
        add(
            "id",
            String(euro.headers.location ?? "")
                .split("/")
                .pop(),
        );
        const roles = await req("GET", "/api/v1/roles");
        add("roleId", roles.body.data[0]?.id);
        add("id", "current");
    });
    after(async () => {
        await f?.close();
    });

    it("answers every generated request below 500 and as its spec documents", async () => {
        const routes = allRoutes
            .filter((r) => r.host !== "admin" && f.c.spec.get(r.method, r.path))
            .sort((a, b) => rank(a) - rank(b));
        expect(routes.length, "routed operations with a spec operation").to.be.greaterThan(80);
        const strings = interestingStrings(all);
        let requests = 0;
        const failures: string[] = [];
        for (const route of routes) {
            const op = f.c.spec.get(route.method, route.path) as SpecOperation;
            const host = route.host === "register" ? f.register : t.host;
            const token = route.host === "register" ? registerToken : t.token;
            const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
            const pathArb = fc
                .tuple(
                    ...names.map((n) =>
                        fc.oneof(
                            { weight: 4, arbitrary: fc.constantFrom(...(ids[n] ?? all)) },
                            {
                                weight: 1,
                                arbitrary: fc.constantFrom(
                                    "000000000000000000000000",
                                    "00000000-0000-0000-0000-000000000000",
                                ),
                            },
                            { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
                        ),
                    ),
                )
                .map((vals) => {
                    let i = 0;
                    return route.path.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(vals[i++]));
                });
            const authArb = fc.oneof(
                { weight: 12, arbitrary: fc.constant<string | undefined>(token) },
                {
                    weight: 1,
                    arbitrary: fc.constantFrom<string | undefined>(
                        undefined,
                        "garbage",
                        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
                    ),
                },
            );
            const arb = fc.record({
                path: pathArb,
                query: queryArbitrary(op.doc, op.parameters, strings),
                body: bodyArbitrary(op.doc, op.requestSchema, strings),
                token: authArb,
                confirm: fc.boolean(),
            });
            const label = `${route.method} ${route.path}`;
            await fc
                .assert(
                    fc.asyncProperty(arb, async (x) => {
                        const qs = new URLSearchParams(x.query).toString();
                        const path = `${x.path}${qs ? `?${qs}` : ""}`;
                        // A generated id that happens to equal a literal segment (e.g. "me") addresses another operation.
                        fc.pre(f.c.spec.match(route.method, x.path)?.key === op.key);
                        const b: FuzzBody = x.body;
                        requests++;
                        try {
                            const r = await f.c.request({
                                method: route.method,
                                host,
                                path,
                                token: x.token,
                                requestBody: "any",
                                undocumentedErrors: "api-error-schema",
                                headers: x.confirm ? { "qlik-confirm-hostname": host } : {},
                                ...(b.kind === "json"
                                    ? { body: b.value }
                                    : b.kind === "raw"
                                      ? { raw: Buffer.from(b.text, "latin1"), contentType: b.contentType }
                                      : {}),
                            });
                            if (r.status >= 500)
                                throw new ContractError(`${label} -> ${r.status}: ${r.text.slice(0, 300)}`);
                        } catch (e) {
                            if (e instanceof ContractError)
                                throw new Error(
                                    `${e.message}\n  request: ${route.method} ${path} body ${JSON.stringify(b).slice(0, 300)}`,
                                );
                            throw e;
                        }
                    }),
                    { seed: SEED, numRuns: RUNS, endOnFailure: true },
                )
                .catch((e: Error) => {
                    const cause = (e as Error & { cause?: unknown }).cause;
                    failures.push(
                        `fuzz ${label} failed (seed ${SEED}; replay with QLIK_FUZZ_SEED=${SEED}):\n${e.message}` +
                            (cause instanceof Error ? `\nCause: ${cause.message}` : ""),
                    );
                });
        }
        // Every operation runs even after one fails, so one run reports all of them.
        expect(failures, failures.join("\n\n")).to.deep.equal([]);
        expect(requests, "requests sent (fc.pre skips a few)").to.be.greaterThan(routes.length * RUNS * 0.5);
    });
});
