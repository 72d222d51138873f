// CustomerTenant's own input rules (sdk/customerTenant.ts), checked when the program declares the component, before
// anything is registered: each names the field the program set (docs/resources/CustomerTenant.md).
import * as pulumi from "@pulumi/pulumi";
import { ALIAS_RE } from "../provider/naming";
import { SHARED_ROLES } from "../provider/schema/sharedSpace";
import type { CustomerTenantArgs, CustomerTenantAuthorsSpace, CustomerTenantExtraApp } from "./customerTenant";

/** extraApps keys name Pulumi resources: a bad or repeated key fails the program before anything is registered. */
export function checkExtraApps(name: string, extras: CustomerTenantExtraApp[]): void {
    const seen = new Set<string>();
    extras.forEach((e, i) => {
        const at = `CustomerTenant "${name}": extraApps[${i}].key`;
        if (typeof e.key !== "string" || !ALIAS_RE.test(e.key))
            throw new Error(
                `${at} ${JSON.stringify(e.key)} must be 1-63 lowercase letters, digits or "-" (not at either end), e.g. "forecast"`,
            );
        if (seen.has(e.key)) throw new Error(`${at} "${e.key}" is listed twice; give each extra app its own key`);
        seen.add(e.key);
    });
}

/**
 * The authors' role goes to every group as a SharedSpace member: checked here, so that a wrong role fails once, naming
 * the field the program set, instead of once per group as `members[i].roles` of a resource the program never declared.
 * An Output role is left to SharedSpace's check().
 */
export function checkAuthorsSpace(name: string, authors: CustomerTenantAuthorsSpace | undefined): void {
    const role: unknown = authors?.role;
    if (authors === undefined || pulumi.Output.isInstance(role) || role instanceof Promise) return;
    if (typeof role !== "string" || !SHARED_ROLES.includes(role))
        throw new Error(
            `CustomerTenant "${name}": authorsSpace.role ${JSON.stringify(role)} is not a role of a shared space; use one of ${SHARED_ROLES.join(", ")}`,
        );
}

/**
 * Every space the component declares must be its own: a piece given another piece's space name would adopt that
 * space (same owner, docs/ownership.md), e.g. an authors space named like the staging space would make the customer's
 * groups members of the space that holds the data connection. Names that are Outputs are not known here.
 */
export function checkSpaceNames(name: string, args: CustomerTenantArgs, extras: CustomerTenantExtraApp[]): void {
    const customer = typeof args.customerName === "string" ? args.customerName : undefined;
    const plain = (v: unknown) => (typeof v === "string" ? v : undefined);
    // A default follows the customer's name: "<customerName> <suffix>".
    const known = (v: unknown, suffix: string) =>
        v !== undefined ? plain(v) : customer === undefined ? undefined : `${customer} ${suffix}`;
    const spaces: [string, string | undefined][] = [
        ["stagingSpaceName", args.stagingSpaceName === undefined ? "Staging" : plain(args.stagingSpaceName)],
        ["managedSpaceName", known(args.managedSpaceName, "Analytics")],
        ...extras.map((e, i): [string, string | undefined] => [
            `extraApps[${i}].managedSpaceName`,
            known(e.managedSpaceName, e.key),
        ]),
        ...(args.authorsSpace
            ? [["authorsSpace.name", known(args.authorsSpace.name, "Authors")] as [string, string]]
            : []),
    ];
    const seen = new Map<string, string>();
    for (const [field, space] of spaces) {
        if (space === undefined) continue;
        const other = seen.get(space);
        if (other)
            throw new Error(
                `CustomerTenant "${name}": ${field} "${space}" is the space of ${other} too; give each its own space name`,
            );
        seen.set(space, field);
    }
}
