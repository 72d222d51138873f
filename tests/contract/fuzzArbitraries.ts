// fast-check arbitraries built from Qlik's OpenAPI schemas: request bodies that follow the documented schema
// (with real ids mixed into the strings so valid requests reach real objects), and the malformed inputs a client
// can send anyway (wrong types, nulls, extra fields, broken JSON). The fuzzer validates only the responses.
import fc from "fast-check";
import { resolveRef, type SpecParameter } from "./spec";

type Json = Record<string, unknown>;

/** Strings worth trying everywhere: real ids of the fixture, edge values, and values that broke the emulator once. */
export function interestingStrings(ids: string[]): fc.Arbitrary<string> {
    return fc.oneof(
        { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
        { weight: 3, arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : fc.constant("x") },
        {
            weight: 2,
            arbitrary: fc.constantFrom(
                "",
                " ",
                "null",
                "true",
                "0",
                "-1",
                "€-report.qvf",
                'a"b',
                "../x",
                "*",
                "/name",
                "2024-01-01T00:00:00Z",
                'name eq "x"',
                "shared",
                "managed",
                "consumer",
                "professional",
                "TenantAdmin",
                "qlik.api/login/jwt-session",
            ),
        },
    );
}

/** Any JSON value, including the shapes that crashed handlers (null items, arrays of scalars). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 12 }),
    fc.array(fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 6 })), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 6 })), {
        maxKeys: 3,
    }),
);

/** An arbitrary for a (converted-on-the-fly) OpenAPI schema node of `doc`; depth-limited for recursive schemas. */
export function fromSchema(doc: Json, node: unknown, strings: fc.Arbitrary<string>, depth = 0): fc.Arbitrary<unknown> {
    const s = (node && typeof node === "object" && "$ref" in (node as Json) ? resolveRef(doc, node) : node) as
        Json | undefined;
    if (!s || typeof s !== "object" || depth > 5) return anyJson;
    const nullable = s.nullable === true ? [fc.constant(null)] : [];
    if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
    // Qlik's title-oneOf enums (UsageEnum, NxPatchOperationType): the value is the title.
    const branches = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
    if (Array.isArray(branches) && branches.length > 0) {
        if (
            branches.every(
                (b) =>
                    b &&
                    typeof b === "object" &&
                    typeof (b as Json).title === "string" &&
                    !(b as Json).type &&
                    !(b as Json).properties,
            )
        ) {
            return fc.constantFrom(...branches.map((b) => (b as Json).title as string));
        }
        return fc.oneof(...branches.map((b) => fromSchema(doc, b, strings, depth + 1)), ...nullable);
    }
    if (Array.isArray(s.allOf) && s.allOf.length > 0) {
        const merged: Json = { type: "object", properties: {}, required: [] };
        for (const part of s.allOf) {
            const p = (part && typeof part === "object" && "$ref" in (part as Json) ? resolveRef(doc, part) : part) as
                Json | undefined;
            Object.assign(merged.properties as Json, (p?.properties ?? {}) as Json);
            (merged.required as string[]).push(...((p?.required ?? []) as string[]));
        }
        return fromSchema(doc, merged, strings, depth + 1);
    }
    const type = Array.isArray(s.type) ? (s.type as string[])[0] : (s.type as string | undefined);
    switch (type ?? (s.properties ? "object" : s.items ? "array" : undefined)) {
        case "object": {
            const props = (s.properties ?? {}) as Json;
            const model: Record<string, fc.Arbitrary<unknown>> = {};
            for (const [k, v] of Object.entries(props)) {
                if ((v as Json | undefined)?.readOnly === true) continue;
                model[k] = fromSchema(doc, v, strings, depth + 1);
            }
            const required = ((s.required ?? []) as string[]).filter((k) => k in model);
            const rec = fc.record(model, { requiredKeys: required });
            return Object.keys(model).length === 0
                ? fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 })
                : rec;
        }
        case "array": {
            const min = typeof s.minItems === "number" ? s.minItems : 0;
            return fc.array(fromSchema(doc, s.items, strings, depth + 1), {
                minLength: min,
                maxLength: Math.max(min, 3),
            });
        }
        case "integer": {
            const min = typeof s.minimum === "number" ? s.minimum : -5,
                max = typeof s.maximum === "number" ? s.maximum : 1000;
            return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
        }
        case "number": {
            const min = typeof s.minimum === "number" ? s.minimum : -5,
                max = typeof s.maximum === "number" ? s.maximum : 1000;
            return fc.oneof(
                fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
                fc.double({ min, max, noNaN: true }),
            );
        }
        case "boolean":
            return fc.boolean();
        case "string": {
            if (s.format === "date-time")
                return fc
                    .date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })
                    .map((d) => d.toISOString());
            const example = typeof s.example === "string" ? [fc.constant(s.example)] : [];
            return fc.oneof(strings, ...example, ...nullable);
        }
        default:
            return anyJson;
    }
}

/** A body for the operation: mostly schema-shaped, sometimes mutated or any JSON, rarely broken JSON text. */
export type FuzzBody =
    { kind: "none" } | { kind: "json"; value: unknown } | { kind: "raw"; text: string; contentType: string };

export function bodyArbitrary(doc: Json, schema: unknown, strings: fc.Arbitrary<string>): fc.Arbitrary<FuzzBody> {
    const shaped = schema === undefined ? anyJson : fromSchema(doc, schema, strings);
    const mutated = fc
        .tuple(shaped, fc.string({ maxLength: 8 }), anyJson)
        .map(([v, k, x]) =>
            v && typeof v === "object" && !Array.isArray(v)
                ? { ...(v as Json), [k]: x }
                : Array.isArray(v)
                  ? [...v, x]
                  : x,
        );
    // Poisoned: a documented field (or an array item) replaced by a value of the wrong shape, the kind of input
    // that crashed handlers (null JSON-Patch items, an object as a licence subject).
    const poison = fc.oneof(
        { weight: 3, arbitrary: fc.constant<unknown>(null) },
        { weight: 3, arbitrary: fc.constantFrom<unknown>(0, "x", true, [], {}, [null], { a: 1 }) },
    );
    const poisoned = fc.tuple(shaped, fc.nat(), poison).map(([v, n, bad]) => {
        if (Array.isArray(v)) {
            const out = [...v];
            out.splice(v.length === 0 ? 0 : n % (v.length + 1), 0, bad);
            return out;
        }
        if (v && typeof v === "object") {
            const keys = Object.keys(v as Json);
            if (keys.length === 0) return bad;
            const key = keys[n % keys.length];
            const inner = (v as Json)[key];
            // One level deeper for bodies like {add: [...]} / {connections: [...]}: poison an item of the array.
            if (Array.isArray(inner) && inner.length > 0)
                return { ...(v as Json), [key]: inner.map((it, i) => (i === n % inner.length ? bad : it)) };
            return { ...(v as Json), [key]: bad };
        }
        return bad;
    });
    return fc.oneof(
        { weight: 5, arbitrary: shaped.map((value): FuzzBody => ({ kind: "json", value })) },
        { weight: 3, arbitrary: poisoned.map((value): FuzzBody => ({ kind: "json", value })) },
        { weight: 2, arbitrary: mutated.map((value): FuzzBody => ({ kind: "json", value })) },
        { weight: 2, arbitrary: anyJson.map((value): FuzzBody => ({ kind: "json", value })) },
        { weight: 1, arbitrary: fc.constant<FuzzBody>({ kind: "none" }) },
        {
            weight: 1,
            arbitrary: fc
                .constantFrom("{not json", "[1,", "\u0000", "null", "€")
                .map((text): FuzzBody => ({ kind: "raw", text, contentType: "application/json" })),
        },
        {
            weight: 1,
            arbitrary: fc.uint8Array({ maxLength: 64 }).map((b): FuzzBody => ({
                kind: "raw",
                text: Buffer.from(b).toString("latin1"),
                contentType: "application/octet-stream",
            })),
        },
    );
}

/** Query string values for the documented query parameters: valid per schema, or any string (e.g. "null"). */
export function queryArbitrary(
    doc: Json,
    params: SpecParameter[],
    strings: fc.Arbitrary<string>,
): fc.Arbitrary<Record<string, string>> {
    const model: Record<string, fc.Arbitrary<string>> = {};
    for (const p of params.filter((x) => x.in === "query")) {
        const valid = fromSchema(doc, p.schema, strings).map((v) =>
            typeof v === "string" ? v : (JSON.stringify(v) ?? ""),
        );
        model[p.name] = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: strings });
    }
    return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}
