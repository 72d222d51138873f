// The stack program of the "independent platform team" apps suite, as a platform team would write it: a
// TypeScript `index.ts` (run by `pulumi` as is, not precompiled) that is not one of this project's examples. It
// uses AppCopy and ManagedSpacePublish directly for one customer ("north": a tenant made outside the stack, groups
// by id, its own load script and database) and through CustomerTenant for another ("south": a tenant the stack
// creates, groups by name, the template's script). Everything a test changes comes from stack config, so every
// change is a `pulumi config set` followed by a preview.
//
// It is kept as text (not a .ts file of this repository) because the repository's tsc must not precompile it.

/** Stack config `north` (JSON). */
export interface NorthConfig {
    host: string;
    source: { appName?: string; appId?: string };
    appName: string;
    templateVersion: string;
    spaceName: string;
    dbFile: string;
    /** Appended to the load script: a change is a load-script change. */
    scriptExtra: string;
    reload?: boolean;
    reloadTimeoutSeconds?: number;
    pub: {
        spaceName: string;
        spaceDescription?: string;
        publishedAppName?: string;
        members: { groupId: string; roles: string[] }[];
    };
}

/** Stack config `south` (JSON). */
export interface SouthConfig {
    customerName: string;
    alias: string;
    templateVersion: string;
    dbFile: string;
    groups: { name: string; roles?: string[]; spaceRole?: string }[];
}

export const INDEX_TS = `import * as pulumi from "@pulumi/pulumi";
import { AppCopy, CustomerTenant, ManagedSpacePublish } from "qlik-tenant-fleet";

interface North {
    host: string;
    source: { appName?: string; appId?: string };
    appName: string;
    templateVersion: string;
    spaceName: string;
    dbFile: string;
    scriptExtra: string;
    reload?: boolean;
    reloadTimeoutSeconds?: number;
    pub: { spaceName: string; spaceDescription?: string; publishedAppName?: string; members: { groupId: string; roles: string[] }[] };
}

interface South {
    customerName: string;
    alias: string;
    templateVersion: string;
    dbFile: string;
    groups: { name: string; roles?: string[]; spaceRole?: string }[];
}

const cfg = new pulumi.Config();
const north = cfg.requireObject<North>("north");
const south = cfg.requireObject<South>("south");

// North: the resources used directly.
const script: string = [
    \`LIB CONNECT TO '\${north.spaceName}:north_db';\`,
    "Sales:",
    "SQL SELECT region, amount FROM sales;",
    north.scriptExtra,
].join("\\n");

const northApp = new AppCopy("north-app", {
    tenantHost: north.host,
    source: north.source,
    name: north.appName,
    templateVersion: north.templateVersion,
    spaceName: north.spaceName,
    dataConnections: [{
        name: "north_db",
        datasourceID: "sqlite",
        connectionProperties: { database: north.dbFile, password: cfg.requireSecret("northDbPassword") },
    }],
    loadScript: script,
    ...(north.reload === undefined ? {} : { reload: north.reload }),
    ...(north.reloadTimeoutSeconds === undefined ? {} : { reloadTimeoutSeconds: north.reloadTimeoutSeconds }),
});

const northPub = new ManagedSpacePublish("north-pub", {
    tenantHost: north.host,
    spaceName: north.pub.spaceName,
    ...(north.pub.spaceDescription === undefined ? {} : { spaceDescription: north.pub.spaceDescription }),
    ...(north.pub.publishedAppName === undefined ? {} : { publishedAppName: north.pub.publishedAppName }),
    members: north.pub.members,
    sourceAppId: northApp.appId,
    contentVersion: northApp.contentVersion,
});

// South: the same two resources through the component, in a tenant the stack creates.
const southCustomer = new CustomerTenant("south", {
    customerName: south.customerName,
    alias: south.alias,
    users: [{ subject: "south\\\\ana", licenseType: "analyzer" }],
    groups: south.groups,
    template: { appName: "Sales Template", version: south.templateVersion },
    dataConnection: {
        name: "south_db",
        datasourceID: "sqlite",
        connectionProperties: { database: south.dbFile, password: cfg.requireSecret("southDbPassword") },
    },
    allowDeactivation: true,
});

export const northStagedAppId = northApp.appId;
export const northStagingSpaceId = northApp.spaceId;
export const northConnectionId = northApp.connectionIds.apply((ids) => ids["north_db"]);
export const northPublishedAppId = northPub.publishedAppId;
export const northSpaceId = northPub.spaceId;
export const southHostname = southCustomer.hostname;
export const southTenantId = southCustomer.tenantId;
export const southPublishedAppId = southCustomer.publishedAppId;
export const southStagedAppId = southCustomer.app.appId;
export const southConnectionId = southCustomer.app.connectionIds.apply((ids) => ids["south_db"]);
`;

/** What \`pulumi new typescript\` gives a team, trimmed. */
export const TSCONFIG = JSON.stringify(
    {
        compilerOptions: {
            strict: true,
            outDir: "bin",
            target: "es2020",
            module: "commonjs",
            moduleResolution: "node",
            sourceMap: true,
            skipLibCheck: true,
        },
        files: ["index.ts"],
    },
    null,
    2,
);
