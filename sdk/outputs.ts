import type * as pulumi from "@pulumi/pulumi";
import { type OwnershipArgs, ownershipInputs } from "./owner";

/**
 * An SDK resource's outputs, derived from the provider's state type of that resource (the field JSDoc carries
 * over; issue 13 item 2). A state field is optional because a failed create stores a partial state, yet every
 * up that succeeds sets it, so it is a plain output here; the MaybeAbsent fields stay `| undefined`, since the
 * provider leaves them out of some successful states too.
 */
export type OutputsOf<S, MaybeAbsent extends keyof S = never> = {
    readonly [K in keyof S]-?: pulumi.Output<
        K extends MaybeAbsent ? Exclude<S[K], null> | undefined : NonNullable<S[K]>
    >;
};

/**
 * The props naming the outputs the provider computes, each undefined: a dynamic resource only exposes the
 * props it was given as outputs (pulumi.CustomResource creates one Output per prop name).
 */
export function outputSlots<K extends string>(names: readonly K[]): Record<K, undefined> {
    return Object.fromEntries(names.map((name) => [name, undefined])) as Record<K, undefined>;
}

/** A resource's props: its computed outputs' slots, then the args, then the ownership inputs with the stack defaults. */
export function ownedProps<A extends OwnershipArgs, K extends string>(computed: readonly K[], args: A) {
    return { ...outputSlots(computed), ...args, ...ownershipInputs(args) };
}
