import * as pulumi from "@pulumi/pulumi";

/** The ownership inputs every Qlik resource of this package takes (docs/ownership.md). */
export interface OwnershipArgs {
    /**
     * Who manages the objects of this resource, recorded in Qlik itself. Default: stack config
     * `qlik:owner`, else `<organization>/<project>/<stack>`. Objects marked by another owner are
     * never adopted or changed unless `takeOverFrom` names that owner.
     */
    owner?: pulumi.Input<string>;
    /**
     * Explicit take-over: the owner (as the ownership error names it) whose objects this resource
     * may adopt and re-mark, or "*" for any owner. Default: stack config `qlik:takeOverFrom`.
     * Remove it again after the `pulumi up` that took the objects over.
     */
    takeOverFrom?: pulumi.Input<string>;
}

/** The owner identity of the running stack: `qlik:owner`, else organization/project/stack. */
export function defaultOwner(): string {
    const qlik = new pulumi.Config("qlik");
    return qlik.get("owner") ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** `owner` and `takeOverFrom` with the stack defaults applied, ready to spread into a resource's inputs. */
export function ownershipInputs(args: OwnershipArgs): {
    owner: pulumi.Input<string>;
    takeOverFrom?: pulumi.Input<string>;
} {
    const takeOverFrom = args.takeOverFrom ?? new pulumi.Config("qlik").get("takeOverFrom");
    return { owner: args.owner ?? defaultOwner(), ...(takeOverFrom === undefined ? {} : { takeOverFrom }) };
}
