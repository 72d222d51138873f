// QlikTenant's typed inputs and state (provider/resources/handlers.ts TypedHandlers): what its handlers read.
import { z } from "zod";
import type { CheckedInputs } from "../schema/core";
import type { OwnershipOutputs } from "./ownership";
import { TENANT_FLAGS, qlikTenantInputs } from "../schema/qlikTenant";

export type TenantInputs = CheckedInputs<typeof qlikTenantInputs>;
type TenantFlag = (typeof TENANT_FLAGS)[number];

/** The outputs: the live tenant plus the input-only settings; the managed flags carry Qlik's values. */
export interface TenantState extends Partial<OwnershipOutputs>, Partial<Record<TenantFlag, unknown>> {
    /** Tenant id (same as the resource id). */
    tenantId?: string;
    alias?: string;
    displayName?: string;
    /** The alias hostname `<alias>.<region>.<domain>`, where users log in; changes with the alias. */
    hostname?: string;
    /**
     * The system-generated hostname (hostnames[0]); Qlik never changes it. Pass this as `tenantHost`
     * to the other resources, so an alias rename is an update of the tenant alone (docs/resources/QlikTenant.md).
     */
    systemHostname?: string;
    /** All hostnames: [system, alias]. */
    hostnames?: string[];
    /** "active", or "disabled" when refresh found it deactivated (the next up reactivates it). */
    status?: string;
    region?: string;
    datacenter?: string;
    /** ISO timestamp of creation. */
    created?: string;
    purgeAfterDays?: number | null;
    allowDeactivation?: boolean | null;
    /** The datacenter input ("" = not asked), kept as written. */
    requestedDatacenter?: unknown;
}

export const tenantState: z.ZodType<TenantState> = z.looseObject({
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    tenantId: z.string().optional(),
    alias: z.string().optional(),
    displayName: z.string().optional(),
    hostname: z.string().optional(),
    systemHostname: z.string().optional(),
    hostnames: z.array(z.string()).optional(),
    status: z.string().optional(),
    region: z.string().optional(),
    datacenter: z.string().optional(),
    created: z.string().optional(),
    purgeAfterDays: z.number().nullish(),
    allowDeactivation: z.boolean().nullish(),
    requestedDatacenter: z.unknown().optional(),
});

/** The tenant's system hostname as the state records it (every state this provider wrote has it). */
export function systemHostOf(props: TenantState): string {
    const host = props.systemHostname ?? props.hostname;
    if (!host)
        throw new Error(
            `QlikTenant: the state of tenant ${props.tenantId ?? "?"} names no host; drop it from the state (\`pulumi state delete <urn>\`) and let the next up adopt the tenant by its alias`,
        );
    return host;
}
