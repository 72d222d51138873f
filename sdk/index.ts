export { LocalMarker, LocalMarkerArgs } from "./localMarker";
export { AppCopy, AppCopyArgs, AppCopySource, AppCopyDataConnection } from "./appCopy";
export { ManagedSpacePublish, ManagedSpacePublishArgs, ManagedSpaceMember } from "./managedSpacePublish";
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
} from "./customerTenant";
export { FleetGuard, FleetGuardArgs, FleetGuardCustomer } from "./fleetGuard";
export { OwnershipArgs, defaultOwner, ownershipInputs } from "./owner";
