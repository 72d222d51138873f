import * as pulumi from "@pulumi/pulumi";
import type { ArgsOf } from "../provider/schema/core";
import type { ownershipInputs as ownershipInputSchema } from "../provider/schema/common";

/** The ownership inputs every Qlik resource of this package takes (docs/ownership.md). */
/** The ownership inputs every Qlik resource of this package takes (docs/ownership.md; provider/schema/common.ts). */
export type OwnershipArgs = ArgsOf<typeof ownershipInputSchema>;

/** The owner identity of the running stack: `qlik:owner`, else organization/project/stack. */
export function defaultOwner(): string {
    const qlik = new pulumi.Config("qlik");
    return qlik.get("owner") ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** `owner` and `takeOverFrom` with the stack defaults applied, ready to spread into a resource's inputs. */
export function ownershipInputs(args: OwnershipArgs): Required<Pick<OwnershipArgs, "owner">> & OwnershipArgs {
    const takeOverFrom = args.takeOverFrom ?? new pulumi.Config("qlik").get("takeOverFrom");
    return { owner: args.owner ?? defaultOwner(), ...(takeOverFrom === undefined ? {} : { takeOverFrom }) };
}
