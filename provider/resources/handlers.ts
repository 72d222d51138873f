// The contract every resource module in provider/resources/ implements, and small helpers that
// all of them need (Pulumi's unknown-value sentinel during preview, check failures).
import type * as pulumi from "@pulumi/pulumi";

// Pulumi hands every handler a property bag of any shape (inputs, outputs of older versions, unknowns in previews);
// check() validates it against the resource's schema (provider/schema/), the other handlers read it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typing each handler's bag is the follow-up (148 sites)
export type Props = Record<string, any>;

export interface ResourceHandlers {
    check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: Props): Promise<pulumi.dynamic.CreateResult>;
    read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
    update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
    delete(id: string, props: Props): Promise<void>;
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
export function checkWith(validate: (inputs: Props) => Failures): ResourceHandlers["check"] {
    return async (_olds, news) => {
        const inputs = withoutProviderKey(news);
        const f = validate(inputs);
        return f.ok ? { inputs } : { failures: f.list };
    };
}

/** Strips Pulumi's own bookkeeping keys before comparing or storing inputs. */
export function withoutProviderKey(props: Props): Props {
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
    olds: Props,
    news: Props,
    updateKeys: readonly string[],
    replaceKeys: readonly string[],
    deleteBeforeReplace = false,
): pulumi.dynamic.DiffResult {
    const changed = (k: string) => isUnknown(news[k]) || stableJson(olds[k] ?? null) !== stableJson(news[k] ?? null);
    const replaces = replaceKeys.filter(changed);
    const updates = updateKeys.filter(changed);
    return {
        changes: replaces.length + updates.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace,
    };
}
