// The health gates of one customer after its ring's `up` (docs/rollouts.md "Health gates"):
//   (a) the main AppCopy's reload SUCCEEDED at the target version (the exported stack state); when it did not, the
//       reason is the error line of the failed reload's log, GET /api/v1/apps/{appId}/reloads/logs/{reloadId}
//       (tests/contract/qlik-openapi/qliksense-apps-api-openapi.yml);
//   (b) the synthetic user fleet-health-check logs in with a JWT and opens the published app over the engine;
//   (c) the app holds orders, exactly as many as the customer's SQLite database when it is readable from here.
import type { HostClient } from "../../../provider/qlik";
import { nameOfUrn, type ResourceError, type StateResource } from "./stack";
import { ordersInBusinessDb, ordersSeenByHealthUser } from "./healthUser";
import type { JwtSigner } from "../../../scripts/userSession";

export interface GateInput {
    alias: string;
    /** The template version the customer must run after this `up`. */
    version: string;
    resources: StateResource[];
    /** Errors the `up` reported per resource. */
    errors: ResourceError[];
    /** The `up`'s own failure when it failed (e.g. a guard refused the whole plan, before any resource ran). */
    upFailure?: string;
    tenant?: { hostname: string; publishedAppId: string };
    signer?: JwtSigner;
    groups: string[];
    connection?: { datasourceId: string; database?: string };
    origin: (hostname: string) => string;
    api: (hostname: string) => HostClient;
}

export interface GateResult {
    passed: boolean;
    /** Why it failed (one line), or what passed. */
    detail: string;
}

/** The line after Qlik's "The following error occurred:" in a reload log, else its last meaningful line. */
export function reloadLogErrorLine(log: string): string | undefined {
    const lines = log.split(/\r?\n/).map((l) => l.trim());
    const at = lines.findIndex((l) => /^The following error occurred:?$/i.test(l));
    if (at >= 0) {
        const next = lines.slice(at + 1).find((l) => l.length > 0);
        if (next) return next;
    }
    const noise = /^(Execution Failed|Data has not been loaded.*)$/i;
    return [...lines].reverse().find((l) => l.length > 0 && !noise.test(l));
}

/** The reload and app ids in AppCopy's failure message (provider/resources/appCopyDeploy.ts, configure()). */
export function failedReloadOf(message: string): { reloadId: string; appId: string; host: string } | undefined {
    const m = /reload (\S+) of app "[^"]*" \(([^)\s]+)\) on (\S+) [A-Z_]+:/.exec(message);
    return m ? { reloadId: m[1], appId: m[2], host: m[3] } : undefined;
}

async function reloadFailureDetail(input: GateInput, appErrors: ResourceError[]): Promise<string | undefined> {
    for (const e of appErrors) {
        const ids = failedReloadOf(e.message);
        if (!ids) continue;
        try {
            const res = await input.api(ids.host).send<string>({
                method: "GET",
                path: `/api/v1/apps/${ids.appId}/reloads/logs/${ids.reloadId}`,
                responseType: "text",
                purpose: "read the failed reload's log",
            });
            const line = reloadLogErrorLine(String(res.body));
            if (line) return `reload ${ids.reloadId} failed: ${line}`;
        } catch {
            // The log is gone (AppCopy deletes the failed app of a rollout) or unreadable: AppCopy's message carries
            // the log's last lines (provider/resources/appCopyDeploy.ts, configure()).
        }
        const tail = e.message.split(/last lines of the reload log:\r?\n/)[1];
        const line = tail ? reloadLogErrorLine(tail.split(/\nFIX:/)[0]) : undefined;
        if (line) return `reload ${ids.reloadId} failed: ${line}`;
    }
    const first = appErrors[0]?.message.split("\n").find((l) => l.trim().length > 0);
    return first?.trim();
}

/** The first "error:" line of a failed engine run (Pulumi prints diagnostics as "error: ..."). */
export function engineErrorLine(failure: string | undefined): string | undefined {
    if (!failure) return undefined;
    const m = /\berror:.*$/im.exec(failure);
    return m ? `up failed: ${m[0].trim()}` : undefined;
}

/** Gate (a): did the main AppCopy land at the version with a successful reload? */
async function deployedGate(input: GateInput): Promise<GateResult> {
    const appName = `${input.alias}-app`;
    const app = input.resources.find((r) => r.type.endsWith(":AppCopy") && nameOfUrn(r.urn) === appName);
    // The main app and its publish decide the gate (names from sdk/customerTenant.ts).
    const names = new Set([appName, `${input.alias}-publish`]);
    const mine = input.errors.filter((e) => names.has(nameOfUrn(e.urn)));
    const appErrors = mine.filter((e) => nameOfUrn(e.urn) === appName);
    const deployed = String(app?.outputs?.templateVersion ?? "");
    const reload = String(app?.outputs?.reloadStatus ?? "");
    if (app && deployed === input.version && reload === "SUCCEEDED" && mine.length === 0)
        return { passed: true, detail: `reload SUCCEEDED at ${input.version || "(fleet default)"}` };
    const why =
        (await reloadFailureDetail(input, appErrors)) ??
        mine[0]?.message.split("\n")[0] ??
        engineErrorLine(input.upFailure) ??
        (app
            ? `the stack holds version "${deployed}" (reload ${reload || "none"}), not "${input.version}"`
            : `the stack has no AppCopy ${appName}`);
    return { passed: false, detail: why };
}

/**
 * Why the health-check user may be refused: none of the customer's groups holds a role in the published app's space
 * (a hand edit; GET /api/v1/apps/{appId}, GET /api/v1/spaces/{spaceId}/assignments, GET /api/v1/groups/{groupId};
 * tests/contract/qlik-openapi/). Undefined when the groups are there or the API cannot tell.
 */
export async function accessDiagnosis(input: GateInput, hostname: string, appId: string): Promise<string | undefined> {
    const get = async <T>(path: string, purpose: string): Promise<T> =>
        (await input.api(hostname).send<T>({ method: "GET", path, purpose })).body;
    try {
        const app = await get<{ attributes?: { spaceId?: string } }>(`/api/v1/apps/${appId}`, "find the app's space");
        const spaceId = app.attributes?.spaceId;
        if (!spaceId) return "the published app is in no space";
        const assignments = await get<{ data?: { type: string; assigneeId: string; roles?: string[] }[] }>(
            `/api/v1/spaces/${spaceId}/assignments?limit=100`,
            "read the space's assignments",
        );
        const groupIds = (assignments.data ?? [])
            .filter((a) => a.type === "group" && (a.roles ?? []).length > 0)
            .map((a) => a.assigneeId);
        const names = await Promise.all(
            groupIds.map((id) =>
                get<{ name?: string }>(`/api/v1/groups/${id}`, "name a space's group").then((g) => g.name),
            ),
        );
        if (names.some((n) => n !== undefined && input.groups.includes(n))) return undefined;
        return (
            `none of the customer's groups (${input.groups.join(", ") || "none"}) has a role in the published app's ` +
            `space ${spaceId}: an assignment removed by hand? \`npm run fleet -- drift\` shows it, and \`npm run pulumi -- ` +
            "up --refresh` puts it back"
        );
    } catch {
        return undefined;
    }
}

/** Every gate of one customer, in order; the first failure is the result. */
export async function checkCustomer(input: GateInput): Promise<GateResult> {
    const a = await deployedGate(input);
    if (!a.passed) return a;
    if (!input.tenant?.publishedAppId || !input.signer)
        return { passed: false, detail: "the stack outputs carry no published app or JWT key for this customer" };
    let seen: number;
    try {
        seen = await ordersSeenByHealthUser({
            origin: input.origin(input.tenant.hostname),
            hostname: input.tenant.hostname,
            signer: input.signer,
            groups: input.groups,
            publishedAppId: input.tenant.publishedAppId,
        });
    } catch (e) {
        const why = await accessDiagnosis(input, input.tenant.hostname, input.tenant.publishedAppId);
        return {
            passed: false,
            detail: `health-check user cannot open the published app: ${(e as Error).message}${why ? `; ${why}` : ""}`,
        };
    }
    if (!(seen > 0)) return { passed: false, detail: `the published app shows ${seen} orders` };
    const truth = input.connection
        ? ordersInBusinessDb(input.connection.datasourceId, input.connection.database)
        : undefined;
    if (truth !== undefined && truth !== seen)
        return {
            passed: false,
            detail: `the published app shows ${seen} orders, the customer's database holds ${truth}`,
        };
    return {
        passed: true,
        detail: `${a.detail}; health-check user sees ${seen} orders${truth !== undefined ? " (= its database)" : ""}`,
    };
}
