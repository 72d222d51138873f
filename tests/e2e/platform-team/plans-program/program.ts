// The stack program of the platform team's plans suite (plans.test.ts), written the way a platform team would and
// not one of this project's examples: a TypeScript `index.ts` run by `pulumi` as is. One customer ("acme") through
// CustomerTenant with the plan features (extraApps, authorsSpace, tenantSettings, licenseSettings), SharedSpaces
// declared directly in a tenant the stack did not create ("ext"), and a FleetGuard whose planPieces are this
// team's own words. Everything a test changes comes from stack config, so every operator action is a
// `pulumi config set` followed by a preview. Kept as text so that the repository's tsc never precompiles it.

/** Stack config `acme` (JSON); absent in a stack that only declares shared spaces. */
export interface AcmeConfig {
    customerName: string;
    alias: string;
    plan: string;
    dbFile: string;
    extraApps: { key: string; template: string; managedSpaceName?: string }[];
    authors?: { role: string };
    tenantSettings: Record<string, boolean>;
    licenseSettings: Record<string, boolean>;
}

/** Stack config `ext` (JSON): shared spaces in an existing tenant, by Pulumi name. */
export interface ExtConfig {
    host: string;
    spaces: Record<string, { name: string; members: { groupId: string; roles: string[] }[] }>;
}

export const INDEX_TS = `import * as pulumi from "@pulumi/pulumi";
import { CustomerTenant, FleetGuard, SharedSpace } from "qlik-tenant-fleet";

interface Acme {
    customerName: string;
    alias: string;
    plan: string;
    dbFile: string;
    extraApps: { key: string; template: string; managedSpaceName?: string }[];
    authors?: { role: string };
    tenantSettings: Record<string, boolean>;
    licenseSettings: Record<string, boolean>;
}
interface Ext {
    host: string;
    spaces: Record<string, { name: string; members: { groupId: string; roles: string[] }[] }>;
}

const cfg = new pulumi.Config();
const acme = cfg.getObject<Acme>("acme");
const ext = cfg.requireObject<Ext>("ext");

// What a downgrade of acme would take away, in our words (the guard compares these lines run to run).
const pieces = (a: Acme): string[] => [
    ...a.extraApps.map((e) => \`the \${e.key} app and every sheet its users made there\`),
    ...(a.authors ? ["the authors' shared space"] : []),
];

const guard = new FleetGuard("fleet", {
    customers: acme ? { [acme.alias]: { plan: acme.plan, planPieces: pieces(acme) } } : {},
});

const customer = acme && new CustomerTenant(
        "acme",
        {
            customerName: acme.customerName,
            alias: acme.alias,
            users: [{ subject: "acme\\\\pat", licenseType: "professional" }],
            groups: [{ name: "acme-sales" }, { name: "acme-finance", spaceRole: "contributor" }],
            template: { appName: "Sales Template", version: "1" },
            dataConnection: {
                name: "acme_db",
                datasourceID: "sqlite",
                connectionProperties: { database: acme.dbFile, password: cfg.requireSecret("acmeDbPassword") },
            },
            extraApps: acme.extraApps.map((e) => ({
                key: e.key,
                template: { appName: e.template, version: "1" },
                ...(e.managedSpaceName ? { managedSpaceName: e.managedSpaceName } : {}),
            })),
            ...(acme.authors ? { authorsSpace: { role: acme.authors.role } } : {}),
            tenantSettings: acme.tenantSettings,
            licenseSettings: acme.licenseSettings,
            allowDeactivation: true,
        },
        { dependsOn: [guard] },
    );
export const acmeHostname = customer?.hostname;
export const acmeTenantId = customer?.tenantId;
export const acmeExtraApps = customer?.extraApps;
export const acmeAuthorsSpaceId = customer?.authorsSpaceId;

const extSpaces: Record<string, pulumi.Output<string>> = {};
for (const [name, s] of Object.entries(ext.spaces)) {
    extSpaces[name] = new SharedSpace(name, { tenantHost: ext.host, name: s.name, members: s.members }).spaceId;
}
export const extSpaceIds = extSpaces;
`;

export const TSCONFIG = JSON.stringify(
    {
        compilerOptions: {
            strict: true,
            outDir: "bin",
            target: "es2020",
            module: "commonjs",
            moduleResolution: "node",
            skipLibCheck: true,
        },
        files: ["index.ts"],
    },
    null,
    2,
);
