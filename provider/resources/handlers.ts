// The contract every resource module in provider/resources/ implements, and small helpers that
// all of them need (Pulumi's unknown-value sentinel during preview, check failures).
import type * as pulumi from "@pulumi/pulumi";

/** What Pulumi hands the provider: a property bag of any shape (inputs, outputs of older versions, unknowns in previews). */
export type Props = Record<string, unknown>;

/** The untyped face every resource kind shows the dispatcher (provider/index.ts) and the shim. */
export interface ResourceHandlers<P extends object = Props> {
    check(olds: P, news: P): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: P, news: P): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: P): Promise<pulumi.dynamic.CreateResult>;
    read(id: string, props: P): Promise<pulumi.dynamic.ReadResult>;
    update(id: string, olds: P, news: P): Promise<pulumi.dynamic.UpdateResult>;
    delete(id: string, props: P): Promise<void>;
}

/**
 * A resource's handlers over its own types: `I` the inputs check() accepted, `O` its outputs (the state). diff()
 * sees the new inputs as a bag because during a preview any value may still be Pulumi's unknown (UNKNOWN below).
 */
export interface TypedHandlers<I, O> {
    check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: O, news: Props): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: I): Promise<pulumi.dynamic.CreateResult<O>>;
    /** `inputs`: the inputs the live object implies (@pulumi/pulumi types them as the outputs, which they are not). */
    read(id: string, props: O): Promise<{ id?: string; props?: O; inputs?: Props }>;
    update(id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>>;
    delete(id: string, props: O): Promise<void>;
}

/**
 * How a resource turns Pulumi's bags into its types: `inputs` the inputs Pulumi hands create() and update() (what
 * check() accepted), `state` a stored state of ANY provider version (an older one, or the partial outputs of a
 * failed create), so it requires only what every state has.
 */
export interface Parsers<I, O> {
    inputs(props: Props): I;
    state(props: Props): O;
}

/** The typed handlers behind the untyped face: every bag goes through the resource's parsers first (a parse failure rejects). */
export function typedHandlers<I, O>(parse: Parsers<I, O>, h: TypedHandlers<I, O>): ResourceHandlers {
    return {
        check: async (olds, news) => h.check(olds, news),
        diff: async (id, olds, news) => h.diff(id, parse.state(olds), news),
        create: async (inputs) => h.create(parse.inputs(inputs)),
        read: async (id, props) => h.read(id, parse.state(props)),
        update: async (id, olds, news) => h.update(id, parse.state(olds), parse.inputs(news)),
        delete: async (id, props) => h.delete(id, parse.state(props)),
    };
}

/** During preview, inputs that depend on not-yet-known outputs arrive as this string (@pulumi/pulumi runtime/rpc). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

/** Collects check() failures; each names the field and how to fix it. */
export class Failures {
    readonly list: CheckFailure[] = [];
    add(property: string, reason: string): void {
        this.list.push({ property, reason });
    }
    get ok(): boolean {
        return this.list.length === 0;
    }
}

/**
 * The check() every resource uses: strip Pulumi's bookkeeping, validate WITHOUT any API call, and
 * hand back either the inputs or the field-named failures.
 */
export function checkWith<P extends Props = Props>(
    validate: (inputs: Omit<P, "__provider">) => Failures,
): ResourceHandlers<P>["check"] {
    return async (_olds, news) => {
        const inputs = withoutProviderKey(news);
        const f = validate(inputs);
        return f.ok ? { inputs } : { failures: f.list };
    };
}

/** Strips Pulumi's own bookkeeping keys before comparing or storing inputs. */
export function withoutProviderKey<P extends Props>(props: P): Omit<P, "__provider"> {
    const { __provider: _ignored, ...rest } = props;
    return rest;
}

/** Deterministic JSON for comparing nested values (objects with keys in any order). */
export function stableJson(value: unknown): string {
    return JSON.stringify(value, (_key, v) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : v,
    );
}

/**
 * A field-by-field diff: `replaceKeys` force a replacement, the rest update in place. Unknown
 * values (preview) count as changes, since the new value cannot be proven equal.
 */
export function diffFields(
    olds: object,
    news: Props,
    updateKeys: readonly string[],
    replaceKeys: readonly string[],
    deleteBeforeReplace = false,
): pulumi.dynamic.DiffResult {
    // A resource's state is its own interface (no index signature): its fields are read by name through a Map.
    const old = new Map<string, unknown>(Object.entries(olds));
    const changed = (k: string) => isUnknown(news[k]) || stableJson(old.get(k) ?? null) !== stableJson(news[k] ?? null);
    const replaces = replaceKeys.filter(changed);
    const updates = updateKeys.filter(changed);
    return {
        changes: replaces.length + updates.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace,
    };
}
