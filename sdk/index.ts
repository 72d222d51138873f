export { LocalMarker, LocalMarkerArgs } from "./localMarker";
export { AppCopy, AppCopyArgs, AppCopySource, AppCopyDataConnection } from "./appCopy";
export { ManagedSpacePublish, ManagedSpacePublishArgs, ManagedSpaceMember } from "./managedSpacePublish";
export { SharedSpace, SharedSpaceArgs, SharedSpaceMember } from "./sharedSpace";
export { QlikTenant, QlikTenantArgs } from "./qlikTenant";
export { JwtIdentityProvider, JwtIdentityProviderArgs } from "./jwtIdentityProvider";
export { LicenseAssignment, LicenseAssignmentArgs } from "./licenseAssignment";
export { GroupSet, GroupSetArgs, GroupSpec } from "./groupSet";
export {
    CustomerTenant,
    CustomerTenantArgs,
    CustomerTenantUser,
    CustomerTenantGroup,
    CustomerTenantJwtKey,
    CustomerTenantTemplate,
    CustomerTenantExtraApp,
    CustomerTenantAuthorsSpace,
    CustomerTenantSettings,
    CustomerTenantLicenseSettings,
    CustomerTenantExtraAppOutputs,
} from "./customerTenant";
export { FleetGuard, FleetGuardArgs, FleetGuardCustomer } from "./fleetGuard";
export { OwnershipArgs, defaultOwner, ownershipInputs } from "./owner";
