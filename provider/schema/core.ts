// The one place a resource's input rules live (issue 13 item 2). Each resource module in this folder declares its
// inputs once as a zod shape: the zod type and its messages drive check(), the field metadata (type label, default,
// what a change does, secret) and the JSDoc above each field drive the generated docs tables
// (scripts/gen-resource-docs.ts), and the SDK's args types are derived from the same shape (ArgsOf below), so the
// JSDoc shows up on the SDK's args in an editor.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Failures, type Props, isUnknown } from "../resources/handlers";

/** What the docs say about a field; `replace` also feeds diff() where the resource takes its replace keys from here. */
export interface FieldMeta {
    /** The type as the docs table shows it. */
    type: string;
    /** The default as the docs table shows it ("required" for required fields). */
    default: string;
    /** What changing the field does, as the docs table shows it. */
    change: string;
    /** A change replaces the resource. */
    replace?: boolean;
    /** A credential: pass it as a secret; never stored or printed in plain text. */
    secret?: boolean;
}

/** Attaches the docs metadata to a field's zod type (kept in zod's registry, read by fieldMeta). */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
    return schema.meta({ qtf: meta }) as T;
}

export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
    const m = z.globalRegistry.get(schema) as { qtf?: FieldMeta } | undefined;
    return m?.qtf;
}

/** zod's custom error for every way a field can be wrong: one message naming the fix. */
export const says = (message: string) => ({ error: message });

export type Shape = Record<string, z.ZodType>;

/** A resource's inputs: the shape (what the SDK and the docs see) plus the object type check() parses with. */
export interface ResourceSchema<S extends Shape = Shape> {
    kind: string;
    inputs: S;
    /** Loose: Pulumi's own and the provider's derived keys (e.g. contentVersion) pass through untouched. */
    object: z.ZodObject<S, z.core.$loose>;
}

/** The inputs check() accepted, as the resource's handlers see them (the schema has no defaults or transforms). */
export type CheckedInputs<S extends Shape> = z.output<z.ZodObject<S, z.core.$loose>>;

/**
 * The checked inputs Pulumi hands create() and update(), typed by parsing them again: check() accepted exactly these
 * (a parse failure here means Pulumi skipped check(), and says which field is wrong).
 */
export function checkedInputs<S extends Shape>(s: ResourceSchema<S>): (props: Props) => CheckedInputs<S> {
    return (props) => {
        s.object.parse(props);
        // The inputs as check() accepted them, not zod's copy: nested objects are z.object, whose copy drops keys it
        // does not name, and check() derived values from the originals (AppCopy's contentVersion digests `source`),
        // so a copy would diff against the stored inputs on every run. The parse above proved the shape.
        return props as CheckedInputs<S>;
    };
}

export function resourceSchema<S extends Shape>(kind: string, inputs: S): ResourceSchema<S> {
    return { kind, inputs, object: z.looseObject(inputs) };
}

/**
 * A parser of a resource's stored state (outputs of this or an older provider version, or the partial outputs of a
 * failed create): keys the schema does not name pass through; a state of another shape fails with the fields named.
 */
export function stateParser<O>(kind: string, schema: z.ZodType<O>): (props: Props) => O {
    return (props) => {
        const r = schema.safeParse(props);
        if (r.success) return r.data;
        const why = r.error.issues.map((i) => `${fieldPath(i.path) || "(state)"}: ${i.message}`).join("; ");
        throw new Error(
            `${kind}: the stored state is not one this provider version can read (${why}); upgrade qlik-tenant-fleet, ` +
                "or drop the resource from the state (`pulumi state delete <urn>`) and let the next up adopt its objects",
        );
    };
}

/** The fields whose change replaces the resource, for diff(). */
export function replaceKeys(s: ResourceSchema): string[] {
    return Object.entries(s.inputs)
        .filter(([, t]) => fieldMeta(t)?.replace === true)
        .map(([k]) => k);
}

/** `groups[0].name`, `assignments.auth0|x`: the field path the way check() failures name it. */
function fieldPath(path: readonly PropertyKey[]): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** A value at `path`, or any value on the way to it, is Pulumi's unknown (a preview): nothing to say yet. */
function underUnknown(inputs: unknown, path: readonly PropertyKey[]): boolean {
    let v: unknown = inputs;
    for (const p of path) {
        if (isUnknown(v)) return true;
        if (v === null || typeof v !== "object") return false;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return isUnknown(v);
}

/**
 * Validates `inputs` against the resource's schema, without any API call, and adds one failure per field (the
 * first message zod reports for it). Values unknown during a preview are skipped, as are fields inside them.
 */
export function schemaFailures(s: ResourceSchema, inputs: Props, f = new Failures()): Failures {
    const r = s.object.safeParse(inputs);
    if (r.success) return f;
    const named = new Set<string>();
    for (const issue of r.error.issues) {
        if (underUnknown(inputs, issue.path)) continue;
        const at = fieldPath(issue.path);
        if (named.has(at)) continue;
        named.add(at);
        f.add(at, issue.message);
    }
    return f;
}

/** An SDK input: every level may be a pulumi.Input (a plain value, a promise or an Output). */
export type InputOf<T> = T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? pulumi.Input<InputOf<U>>[]
      : { [K in keyof T]: pulumi.Input<InputOf<T[K]>> };

/** The SDK's args type of a resource, derived from its schema (the field JSDoc carries over). */
export type ArgsOf<S extends Shape> = {
    [K in keyof z.input<z.ZodObject<S>>]: pulumi.Input<InputOf<z.input<z.ZodObject<S>>[K]>>;
};
