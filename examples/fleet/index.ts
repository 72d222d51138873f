// The fleet stack: one CustomerTenant per row of the ISV's master database. Adding a row onboards a
// customer, deleting one offboards it (guarded: see docs/master-database.md), editing users or groups
// updates that tenant only. Run it with `npm start` (emulator) or `npm run pulumi -- up`.
//
// Config: fleet:masterDb: a SQLite file or a postgres:// URL (default env QLIK_FLEET_MASTER_DB, then
//         .data/master.sqlite); fleet:masterDbPassword (secret) for a URL without its password,
//         fleet:templateAppName / fleet:templateAppId (the template in the source tenant),
//         fleet:templateVersion (release label; bump it to roll a template change out),
//         fleet:maxDeletions (most customers one plan may offboard: "1" by default, a count or "10%"),
//         fleet:confirmDeletions / env QLIK_FLEET_CONFIRM_DELETIONS (customers confirmed for this run),
//         fleet:confirmDowngrades / env QLIK_FLEET_CONFIRM_DOWNGRADES (plan downgrades confirmed for this run),
//         fleet:shard (which shard this stack is, default 0) and fleet:shardSize (customers per shard, default 50):
//         the stack declares only its shard's customers (docs/master-database.md#shards).
// Plans (docs/plans.md): each customer's plan row adds extra apps, an authors space, tenant and license settings;
// the plan pieces a downgrade would delete go to the FleetGuard, which refuses that at preview unless confirmed.
// Guards (docs/recovery.md#guards): every row is validated first (all problems in one message, before any
// change), an empty or broken master database is an error, and the FleetGuard refuses at preview an
// offboarding without the deactivation opt-in or one larger than fleet:maxDeletions.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CustomerTenant, FleetGuard } from "qlik-tenant-fleet";
import { loadCustomers, masterDbLocation, type CustomerRecord } from "./masterDb";
import { assertValidCustomers } from "./validate";
import { DEFAULT_SHARD_SIZE, assignShards, parseShardSetting } from "./shards";
import { HEALTH_CHECK_SUBJECT, planArgs, planPieces } from "./plans";

const config = new pulumi.Config("fleet");
const templateAppId = config.get("templateAppId");
const templateAppName = config.get("templateAppName") ?? (templateAppId ? undefined : "Customer Sales Analytics");
const fleetTemplateVersion = config.get("templateVersion") ?? "";

function connectionOf(c: CustomerRecord) {
    const conn = c.connections[0];
    if (!conn) throw new Error(`customer ${c.alias} has no row in customer_connections`);
    const props: Record<string, pulumi.Input<string | number | boolean>> = {};
    if (conn.database !== undefined) props.database = conn.database;
    if (conn.host !== undefined) props.host = conn.host;
    if (conn.port !== undefined) props.port = conn.port;
    if (conn.username !== undefined) props.username = conn.username;
    if (conn.password !== undefined) props.password = pulumi.secret(conn.password);
    return { name: conn.name, datasourceID: conn.datasourceId, connectionProperties: props };
}

/** Pulumi runs the program in main's folder (dist/examples/fleet): relative paths mean the project's. */
function projectRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const parent = path.dirname(dir);
        if (parent === dir) return process.cwd();
        dir = parent;
    }
    return dir;
}

/** The secret password of a PostgreSQL master database, when the URL leaves it out. */
function masterDbPassword(): Promise<string | undefined> {
    const secret = config.getSecret("masterDbPassword");
    // Secret config is known in previews too, so the apply always runs.
    return secret
        ? new Promise((resolve) =>
              pulumi.unsecret(secret).apply((v) => {
                  resolve(v);
                  return v;
              }),
          )
        : Promise.resolve(undefined);
}

/**
 * The customer's main template: a customer pinned to a release (customers.template_version, as a staged rollout
 * sets it) gets that release's app; one following the fleet default keeps fleet:templateAppId/Name as before,
 * so registering a release never redeploys a tenant that did not move (AppCopy redeploys on a source change).
 */
function mainTemplate(c: CustomerRecord) {
    const version = c.templateVersion ?? fleetTemplateVersion;
    const release = c.templateRelease;
    if (release && (c.templateVersion !== undefined || (!templateAppId && !config.get("templateAppName"))))
        return { appName: release.appName, version };
    return { appId: templateAppId, appName: templateAppName, version };
}

// An async program (Pulumi awaits the exported function): a PostgreSQL master database is read over the network.
/** Expected failures (bad rows, unreadable database) end the program with their message alone, no stack trace. */
interface ShardOfFleet {
    shard: number;
    customers: CustomerRecord[];
    /** Customers the other shard stacks declare, alias -> shard (for the FleetGuard). */
    otherShards: Record<string, number>;
}

async function readFleet(): Promise<ShardOfFleet> {
    const setting = config.get("masterDb");
    try {
        const shard = parseShardSetting("fleet:shard", config.get("shard"), 0, 0);
        const shardSize = parseShardSetting("fleet:shardSize", config.get("shardSize"), DEFAULT_SHARD_SIZE, 1);
        assertShardOwner(shard);
        const all = await loadCustomers(setting, {
            cwd: projectRoot(),
            password: await masterDbPassword(),
            fleetTemplateVersion,
        });
        // Every customer's shard from the same rows on every machine; a customer not recorded yet lands where the
        // orchestrator will record it (examples/fleet/ops/shardRecords.ts), so a plain `pulumi up` agrees with it.
        const placed = assignShards(all, shardSize);
        const mine = all.filter((c) => placed.get(c.alias) === shard);
        const otherShards = Object.fromEntries([...placed].filter(([, k]) => k !== shard));
        const where = masterDbLocation(setting, projectRoot());
        // Only this shard's rows are validated: a bad row of another shard does not block this one.
        return {
            shard,
            customers: assertValidCustomers(mine, where.kind === "sqlite" ? where.file : "(fleet:masterDb)"),
            otherShards,
        };
    } catch (e) {
        if (process.env.QLIK_DEBUG) throw e;
        throw new pulumi.RunError((e as Error).message);
    }
}

/**
 * All shard stacks are one fleet with one owner (docs/ownership.md): a shard k >= 1 left on its default owner
 * (`<org>/<project>/<base>-<k>`) would see a customer moved into it as marked by another owner.
 */
function assertShardOwner(shard: number): void {
    if (shard === 0 || new pulumi.Config("qlik").get("owner")) return;
    const stack = pulumi.getStack();
    const base = stack.replace(new RegExp(`-${shard}$`), "");
    throw new Error(
        `fleet:shard is ${shard} but qlik:owner is not set: every shard stack must carry the fleet's owner. ` +
            `Fix: \`pulumi config set qlik:owner ${pulumi.getOrganization()}/${pulumi.getProject()}/${base} --stack ${stack}\` ` +
            "(or the base stack's qlik:owner), or create shard stacks with `npm run fleet` (docs/master-database.md#shards)",
    );
}

export = async () => {
    const { shard, customers, otherShards } = await readFleet();
    // Registered before any customer, and every customer depends on it: its check() decides at preview.
    const guard = new FleetGuard("fleet-guard", {
        customers: Object.fromEntries(
            customers.map((c) => [c.alias, { region: c.region, plan: c.plan.name, planPieces: planPieces(c) }]),
        ),
        // A customer whose customers.shard was edited without a move is refused here, not offboarded.
        otherShards,
    });
    const fleet = customers.map((c) => ({
        c,
        alias: c.alias,
        tenant: new CustomerTenant(
            c.alias,
            {
                customerName: c.name,
                alias: c.alias,
                region: c.region,
                users: [
                    ...c.users.map((u) => ({ subject: u.subject, licenseType: u.licenseType })),
                    // The rollout's health gate logs in as this synthetic user (docs/plans.md#the-health-check-user).
                    { subject: HEALTH_CHECK_SUBJECT, licenseType: "analyzer" as const },
                ],
                groups: c.groups.map((g) => ({ name: g.name, roles: g.roles, spaceRole: g.spaceRole })),
                template: mainTemplate(c),
                dataConnection: connectionOf(c),
                managedSpaceName: `${c.name} Analytics`,
                ...planArgs(c),
            },
            { dependsOn: [guard] },
        ),
    }));

    /** Per customer: where its users go and what they open. */
    const tenants = Object.fromEntries(
        fleet.map(({ c, alias, tenant }) => [
            alias,
            {
                hostname: tenant.hostname,
                tenantId: tenant.tenantId,
                publishedAppId: tenant.publishedAppId,
                reloadStatus: tenant.reloadStatus,
                plan: c.plan.name,
                ring: c.ring,
                templateVersion: tenant.templateVersion,
                extraApps: tenant.extraApps,
                lastGate: c.lastGate ?? null,
            },
        ]),
    );

    /**
     * Per customer: the claims the ISV's portal puts in login tokens. The signing key is stored once, in the
     * customer's JwtIdentityProvider state (`<alias>-jwt`; scripts/userSession.ts jwtSignerFromState, docs/state-size.md).
     */
    const jwt = Object.fromEntries(
        fleet.map(({ alias, tenant }) => [alias, { keyId: tenant.jwtKeyId, issuer: tenant.jwtIssuer }]),
    );

    return { tenants, jwt, shard };
};
