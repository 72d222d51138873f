// The stack program of the "independent platform team" tenancy suite, as a platform team would write it: a
// TypeScript `index.ts` (run by `pulumi` as is, not precompiled) that is not one of this project's examples.
// Customer shapes:
//   - "direct": QlikTenant + JwtIdentityProvider + LicenseAssignment + GroupSet declared one by one, the
//     dependents addressing the tenant by its system hostname or its alias hostname (config `addressBy`);
//   - "existing": JwtIdentityProvider + LicenseAssignment + GroupSet in a tenant made OUTSIDE the stack (the
//     tenant also holds objects made by hand, which destroy must leave alone);
//   - `customers`: CustomerTenant per entry, with a generated key or the ISV's own key, different users/groups.
// Everything a test changes comes from the stack config `tenancy` (JSON), so every change is a config change
// followed by a preview.
//
// It is kept as text (not a .ts file of this repository) because the repository's tsc must not precompile it.

export interface DirectConfig {
    alias: string;
    displayName: string;
    enableAppOpeningFeedback: boolean;
    addressBy: "system" | "alias";
    issuer: string;
    idpDescription: string;
    clockToleranceSec: number;
    assignments: Record<string, "professional" | "analyzer">;
    autoAssignAnalyzer: boolean;
    groups: { name: string; roles: string[]; description?: string }[];
    autoCreateGroups: boolean;
}

export interface ExistingConfig {
    host: string;
    issuer: string;
    assignments: Record<string, "professional" | "analyzer">;
    groups: { name: string; roles: string[] }[];
}

export interface CustomerConfig {
    /** The component's name (stable); the alias can be renamed. */
    key: string;
    alias: string;
    name: string;
    users: { subject: string; licenseType: "professional" | "analyzer" }[];
    groups: { name: string; roles?: string[]; spaceRole?: string }[];
    jwtKey?: { keyId: string; publicKey: string };
}

export interface TenancyConfig {
    direct: DirectConfig;
    existing: ExistingConfig;
    customers: CustomerConfig[];
    templateAppId: string;
    dbPath: string;
}

export const INDEX_TS = `import * as pulumi from "@pulumi/pulumi";
import { CustomerTenant, GroupSet, JwtIdentityProvider, LicenseAssignment, QlikTenant } from "qlik-tenant-fleet";

interface Direct {
    alias: string;
    displayName: string;
    enableAppOpeningFeedback: boolean;
    addressBy: "system" | "alias";
    issuer: string;
    idpDescription: string;
    clockToleranceSec: number;
    assignments: Record<string, "professional" | "analyzer">;
    autoAssignAnalyzer: boolean;
    groups: { name: string; roles: string[]; description?: string }[];
    autoCreateGroups: boolean;
}

interface Existing {
    host: string;
    issuer: string;
    assignments: Record<string, "professional" | "analyzer">;
    groups: { name: string; roles: string[] }[];
}

interface Customer {
    key: string;
    alias: string;
    name: string;
    users: { subject: string; licenseType: "professional" | "analyzer" }[];
    groups: { name: string; roles?: string[]; spaceRole?: string }[];
    jwtKey?: { keyId: string; publicKey: string };
}

interface Tenancy {
    direct: Direct;
    existing: Existing;
    customers: Customer[];
    templateAppId: string;
    dbPath: string;
}

const cfg: Tenancy = new pulumi.Config().requireObject<Tenancy>("tenancy");

// --- "direct": the four resources one by one ---
const d: Direct = cfg.direct;
const tenant = new QlikTenant("direct-tenant", {
    alias: d.alias,
    displayName: d.displayName,
    enableAppOpeningFeedback: d.enableAppOpeningFeedback,
    allowDeactivation: true,
});
const host: pulumi.Output<string> = d.addressBy === "system" ? tenant.systemHostname : tenant.hostname;
const idp = new JwtIdentityProvider("direct-jwt", {
    tenantHost: host,
    issuer: d.issuer,
    description: d.idpDescription,
    clockToleranceSec: d.clockToleranceSec,
    generateKeyPair: true,
});
const licenses = new LicenseAssignment("direct-licenses", { tenantHost: host, assignments: d.assignments, autoAssignAnalyzer: d.autoAssignAnalyzer });
const groups = new GroupSet("direct-groups", { tenantHost: host, groups: d.groups, autoCreateGroups: d.autoCreateGroups });

// --- "existing": a tenant the stack did not make ---
const e: Existing = cfg.existing;
const existingIdp = new JwtIdentityProvider("existing-jwt", { tenantHost: e.host, issuer: e.issuer, generateKeyPair: true });
const existingLicenses = new LicenseAssignment("existing-licenses", { tenantHost: e.host, assignments: e.assignments });
const existingGroups = new GroupSet("existing-groups", { tenantHost: e.host, groups: e.groups });

// --- customers through the component ---
interface CustomerOutputs {
    hostname: string;
    systemHostname: string;
    tenantId: string;
    keyId: string;
    issuer: string;
    privateKey: string | undefined;
    idpId: string;
}
const customers: Record<string, pulumi.Output<CustomerOutputs>> = {};
for (const c of cfg.customers) {
    const ct = new CustomerTenant(c.key, {
        customerName: c.name,
        alias: c.alias,
        allowDeactivation: true,
        users: c.users,
        groups: c.groups,
        ...(c.jwtKey ? { jwtKey: c.jwtKey } : {}),
        template: { appId: cfg.templateAppId },
        dataConnection: { name: "CustomerDB", datasourceID: "sqlite", connectionProperties: { database: cfg.dbPath } },
    });
    customers[c.key] = pulumi
        .all([ct.hostname, ct.systemHostname, ct.tenantId, ct.jwtKeyId, ct.jwtIssuer, ct.jwtPrivateKey, ct.identityProvider.id])
        .apply(([hostname, systemHostname, tenantId, keyId, issuer, privateKey, idpId]) => ({ hostname, systemHostname, tenantId, keyId, issuer, privateKey, idpId }));
}

export const direct = {
    tenantId: tenant.tenantId,
    hostname: tenant.hostname,
    systemHostname: tenant.systemHostname,
    idpId: idp.id,
    keyId: idp.keyId,
    privateKey: pulumi.secret(idp.privateKeyPem),
    licensesId: licenses.id,
    groupIds: groups.groupIds,
};
export const existing = { idpId: existingIdp.id, keyId: existingIdp.keyId, groupIds: existingGroups.groupIds, licensesId: existingLicenses.id };
export const customerOutputs = pulumi.secret(customers);
`;

/** What \`pulumi new typescript\` writes, trimmed. */
export const TSCONFIG = JSON.stringify(
    {
        compilerOptions: {
            strict: true,
            target: "es2020",
            module: "commonjs",
            moduleResolution: "node",
            skipLibCheck: true,
        },
    },
    null,
    2,
);
