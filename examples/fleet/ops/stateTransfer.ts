// One customer's resources carried from one shard stack's exported state to another's: what `pulumi state move` does,
// done on the exports because `pulumi state move` refuses every shard pair of this fleet. A dynamic provider's default
// provider records the whole stack config as its inputs, fleet:shard included, so the two stacks' default providers
// always differ and the CLI stops with "provider ... already exists in destination stack" (it reuses the destination's
// provider only when the inputs are equal: pulumi/pulumi#16983, pulumi/pulumi#17076). The rule it applies is the same
// here: the moved resources are re-pointed at the DESTINATION's provider (a dynamic resource carries its own code in
// __provider, so which default provider serves it does not matter), re-parented to the destination's stack, and their
// URNs rewritten to the destination stack; dependencies on what stays behind are re-pointed when the destination has
// the same resource (the FleetGuard) and dropped otherwise.
import { customerUrns, type ExportedState, type StateResource } from "./guardRecords";

const stackPrefix = (stack: string) => `urn:pulumi:${stack}::`;

/** A URN of stack `from` as the same resource's URN in stack `to`. */
export function rewriteUrn(urn: string, from: string, to: string): string {
    return urn.startsWith(stackPrefix(from)) ? stackPrefix(to) + urn.slice(stackPrefix(from).length) : urn;
}

/** `<provider urn>::<id>` split at the last "::". */
function splitProviderRef(ref: string): { urn: string; id: string } {
    const i = ref.lastIndexOf("::");
    return { urn: ref.slice(0, i), id: ref.slice(i + 2) };
}

/**
 * Appends the customer's resources from `src` (exported WITH its secrets in plain text, so that `pulumi stack import`
 * encrypts them with the destination's key) to `dst`; returns how many. Nothing when `dst` holds them already.
 */
export function addCustomerResources(
    src: ExportedState,
    dst: ExportedState,
    alias: string,
    from: string,
    to: string,
): number {
    if (customerUrns(dst, alias).length) return 0;
    const moving = new Set(customerUrns(src, alias));
    if (moving.size === 0) return 0;
    const dstResources = dst.deployment.resources ?? [];
    const dstUrns = new Set(dstResources.map((r) => r.urn));
    const root = dstResources.find((r) => r.type === "pulumi:pulumi:Stack");
    if (!root) throw new Error(`stack ${to} has no root stack resource: run \`up\` on it once first`);
    const providerIn = (urn: string) => {
        const p = dstResources.find((r) => r.urn === urn && r.type.startsWith("pulumi:providers:"));
        return p ? `${p.urn}::${String(p.id)}` : undefined;
    };
    const moved: StateResource[] = [];
    for (const r of (src.deployment.resources ?? []).filter((x) => moving.has(x.urn))) {
        const copy = JSON.parse(JSON.stringify(r)) as StateResource;
        copy.urn = rewriteUrn(r.urn, from, to);
        copy.parent = r.parent && moving.has(r.parent) ? rewriteUrn(r.parent, from, to) : root.urn;
        if (typeof r.provider === "string") {
            const target = rewriteUrn(splitProviderRef(r.provider).urn, from, to);
            const ref = providerIn(target);
            if (!ref)
                throw new Error(
                    `stack ${to} has no provider ${target} for ${copy.urn}: run \`up\` on ${to} once first`,
                );
            copy.provider = ref;
        }
        const keep = (urn: string) => moving.has(urn) || dstUrns.has(rewriteUrn(urn, from, to));
        if (Array.isArray(r.dependencies))
            copy.dependencies = (r.dependencies as string[]).filter(keep).map((u) => rewriteUrn(u, from, to));
        if (r.propertyDependencies && typeof r.propertyDependencies === "object")
            copy.propertyDependencies = Object.fromEntries(
                Object.entries(r.propertyDependencies as Record<string, string[]>).map(([k, deps]) => [
                    k,
                    deps.filter(keep).map((u) => rewriteUrn(u, from, to)),
                ]),
            );
        if (typeof r.deletedWith === "string")
            copy.deletedWith = keep(r.deletedWith) ? rewriteUrn(r.deletedWith, from, to) : undefined;
        moved.push(copy);
    }
    dst.deployment.resources = [...dstResources, ...moved];
    return moved.length;
}
