// Everything a fleet command works with, resolved from the stack the way the program resolves it: the master
// database from fleet:masterDb (+ fleet:masterDbPassword), the fleet default template version, the Qlik API
// client from the qlik:* settings (provider/config.ts), and where the tenants answer for the health-check user.
import { QlikClient, type HostClient } from "../../../provider/qlik";
import { getProviderConfig } from "../../../provider/config";
import { loadCustomers, type CustomerRecord } from "../masterDb";
import { checkCustomer, type GateInput, type GateResult } from "./gates";
import { FleetProject, FleetStack, type RunResult, type StackTarget, type StateResource } from "./stack";
import { FleetStore, openMasterSql } from "./store";
import { ShardedFleet } from "./shardedFleet";
import { recordLayout } from "./shardRecords";

/**
 * What the commands use of "the fleet's stack": the base stack and its shard stacks as one (shardedFleet.ts);
 * tests/unit/ops/rollout.test.ts drives the rings with a stand-in.
 */
export interface StackOps {
    readonly name: string;
    readonly cwd: string;
    /** `up` of the shards that hold `customers` (default: every shard). */
    up(log: (line: string) => void, opts?: { customers?: string[] }): Promise<RunResult>;
    preview(log: (line: string) => void, opts?: { refresh?: boolean; diff?: boolean }): Promise<RunResult>;
    resources(): Promise<StateResource[]>;
    outputs(): Promise<Record<string, unknown>>;
}

export interface OpsContext {
    stack: StackOps;
    /** The shard stacks themselves (the CLI's preview/up/drift/... run over them); absent in unit tests. */
    fleet?: ShardedFleet;
    store: FleetStore;
    /** Progress lines (the engine's output, ring by ring). */
    log: (line: string) => void;
    /** fleet:templateVersion: the version of a customer whose customers.template_version is NULL. */
    fleetDefaultVersion: string;
    customers(): Promise<CustomerRecord[]>;
    api(hostname: string): HostClient;
    origin(hostname: string): string;
    /**
     * How many apps of exactly this name the ISV's source tenant holds (where: that tenant), as the program's
     * AppCopy looks a release up by name; count undefined when no source tenant is configured to ask.
     */
    templateApps(appName: string): Promise<{ count?: number; where: string }>;
    /** The health gates of one customer (gates.ts). */
    gate(input: GateInput): Promise<GateResult>;
    close(): Promise<void>;
}

export async function openContext(target: StackTarget, log: (line: string) => void): Promise<OpsContext> {
    const project = await FleetProject.open(target.cwd);
    const base = await FleetStack.open(target, project);
    const config = await base.allConfig();
    const masterDb = config["fleet:masterDb"];
    const password = config["fleet:masterDbPassword"];
    const sql = await openMasterSql(masterDb, base.cwd, password);
    // The provider reads the whole stack config from PULUMI_CONFIG in its own process; the same here.
    const providerEnv = { PULUMI_CONFIG: JSON.stringify(config) };
    let client: QlikClient | undefined;
    const endpoint = config["qlik:endpointOverride"];
    const customers = () => loadCustomers(masterDb, { cwd: base.cwd, password });
    const fleet = new ShardedFleet(project, base, customers, log, (layout) => recordLayout(sql, layout));
    return {
        stack: fleet,
        fleet,
        store: new FleetStore(sql),
        log,
        fleetDefaultVersion: config["fleet:templateVersion"] ?? "",
        customers,
        api: (hostname) => {
            client ??= new QlikClient({ getConfig: () => getProviderConfig({ env: providerEnv }) });
            return client.forHost(hostname);
        },
        origin: (hostname) => endpoint || `https://${hostname}`,
        templateApps: async (appName) => {
            const host = getProviderConfig({ env: providerEnv }).sourceTenantHost;
            if (!host) return { where: "(qlik:sourceTenantHost not set)" };
            client ??= new QlikClient({ getConfig: () => getProviderConfig({ env: providerEnv }) });
            // The items search by name is case-insensitive and partial: exact matches only, as AppCopy counts them.
            const items = await client.forHost(host).paginateAll<{ name: string }>("/api/v1/items", {
                purpose: `find the release app "${appName}"`,
                query: { resourceType: "app", name: appName },
            });
            return { count: items.filter((i) => i.name === appName).length, where: host };
        },
        gate: checkCustomer,
        close: async () => {
            // Best effort: a selection left on a shard stack is an inconvenience, never a reason to fail the command.
            await project.restoreSelection().catch(() => undefined);
            await sql.close();
        },
    };
}
