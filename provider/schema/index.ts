// Every resource's schema, in the order the docs list them (provider/schema/core.ts says what a schema drives).
import { appCopySchema } from "./appCopy";
import { groupSetSchema } from "./groupSet";
import { jwtIdentityProviderSchema } from "./jwtIdentityProvider";
import { licenseAssignmentSchema } from "./licenseAssignment";
import { managedSpacePublishSchema } from "./managedSpacePublish";
import { qlikTenantSchema } from "./qlikTenant";
import { sharedSpaceSchema } from "./sharedSpace";
import type { ResourceSchema } from "./core";

export const resourceSchemas: readonly ResourceSchema[] = [
    qlikTenantSchema,
    jwtIdentityProviderSchema,
    licenseAssignmentSchema,
    groupSetSchema,
    appCopySchema,
    managedSpacePublishSchema,
    sharedSpaceSchema,
];

export { schemaFailures, replaceKeys, fieldMeta, type ArgsOf, type FieldMeta, type ResourceSchema } from "./core";
