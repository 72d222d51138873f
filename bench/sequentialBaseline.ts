// The baseline: the same provisioning done the way Qlik's platform-operations tutorials do it
// (qlik.dev create-a-tenant -> configure-a-tenant -> deploy-content; the qlik-cloud-examples curl
// scripts): plain REST calls, one after another, one tenant after another. Each tutorial script gets
// its own OAuth tokens, exports the template from the source tenant and polls once a second.
// It does the same Qlik work as one CustomerTenant of the fleet stack (sdk/customerTenant.ts): tenant +
// name/alias, JWT identity provider, group and license settings, license assignments, groups, shared
// staging space + data connection + imported template + reload, managed space + group members + publish.
// Run by bench/fleet.ts against a fresh emulator (`npm run bench -- --skip-trivial ...`).
import * as crypto from "node:crypto";
import type { EmulatorInfo } from "../emulator/index";
import type { CustomerRecord } from "../examples/fleet/masterDb";
import { request, type Reply, type RequestOptions } from "./lib/http";

export interface BaselineOptions {
    info: EmulatorInfo;
    customers: CustomerRecord[];
    /** Name of the template app in the source tenant. */
    templateAppName: string;
    /** Stop starting new tenants after this long and extrapolate (ms); default 10 minutes. */
    budgetMs?: number;
    /** Provision only the first K tenants and extrapolate. */
    sample?: number;
    /** Seconds between reload status polls (the tutorials' retry loops sleep 1 s). */
    pollSeconds?: number;
    log?: (msg: string) => void;
}

export interface BaselineResult {
    /** Tenants really provisioned. */
    done: number;
    /** Tenants asked for. */
    n: number;
    /** Wall time of the tenants really provisioned. */
    measuredMs: number;
    /** measuredMs, or measuredMs / done * n when only a sample ran. */
    totalMs: number;
    extrapolated: boolean;
    perTenantMs: number[];
    calls: number;
    retriedOn429: number;
}

class Rest {
    calls = 0;
    retried = 0;
    constructor(private readonly baseUrl: string) {}

    /** One call; on 429 waits Retry-After and sends it again (a script that did not would simply fail). */
    async call(path: string, o: RequestOptions, expect: number[]): Promise<Reply> {
        for (;;) {
            this.calls++;
            const r = await request(this.baseUrl, path, o);
            if (r.status === 429) {
                this.retried++;
                await sleep(1000 * Number(r.headers["retry-after"] ?? 1));
                continue;
            }
            // The tutorials use `curl -L`: follow redirects (GET /users/me answers 301 to the user resource).
            if ((r.status === 301 || r.status === 302) && r.headers.location && !expect.includes(r.status)) {
                const next = new URL(String(r.headers.location), `https://${o.host}`);
                return this.call(next.pathname + next.search, { host: next.host, token: o.token }, expect);
            }
            if (!expect.includes(r.status)) {
                throw new Error(
                    `${o.method ?? "GET"} https://${o.host}${path}: ${r.status} ${r.body.toString("utf8").slice(0, 400)}`,
                );
            }
            return r;
        }
    }

    async token(host: string, info: EmulatorInfo): Promise<string> {
        const r = await this.call(
            "/oauth/token",
            {
                method: "POST",
                host,
                body: {
                    client_id: info.oauthClient.clientId,
                    client_secret: info.oauthClient.clientSecret,
                    grant_type: "client_credentials",
                },
            },
            [200],
        );
        return r.json<{ access_token: string }>().access_token;
    }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A JWT signing certificate stand-in: the IdP takes a PEM public key on one line, as the tutorial sends it. */
function oneLinePublicKey(): string {
    const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    return publicKey.export({ type: "spki", format: "pem" }).toString().replace(/\n/g, "");
}

async function provisionOne(
    rest: Rest,
    info: EmulatorInfo,
    c: CustomerRecord,
    templateAppName: string,
    pollMs: number,
): Promise<void> {
    const source = info.sourceTenant.hostname;
    const register = info.registerHost;
    const domainSuffix = `${info.region}.${info.domain}`;

    // 1. create-a-tenant (tenant_create.sh)
    const sourceToken = await rest.token(source, info);
    const overview = (await rest.call("/api/v1/licenses/overview", { host: source, token: sourceToken }, [200])).json<{
        licenseKey: string;
    }>();
    const registerToken = await rest.token(register, info);
    const tenant = (
        await rest.call(
            "/api/v1/tenants",
            { method: "POST", host: register, token: registerToken, body: { licenseKey: overview.licenseKey } },
            [201],
        )
    ).json<{ id: string; hostnames: string[] }>();
    const host = tenant.hostnames[0];
    const token = await rest.token(host, info);
    const me = (await rest.call("/api/v1/users/me", { host, token }, [200])).json<{ tenantId: string }>();
    if (me.tenantId !== tenant.id)
        throw new Error(`users/me on ${host} says tenant ${me.tenantId}, expected ${tenant.id}`);
    const t = { host, token };

    // update-tenants: display name and alias
    await rest.call(
        `/api/v1/tenants/${tenant.id}`,
        {
            method: "PATCH",
            ...t,
            body: [
                { op: "replace", path: "/name", value: c.name },
                { op: "replace", path: "/hostnames/1", value: `${c.alias}.${domainSuffix}` },
            ],
        },
        [204],
    );

    // 2. configure-a-tenant (tenant_configure.sh)
    await rest.call(
        "/api/v1/groups/settings",
        {
            method: "PATCH",
            ...t,
            body: [
                { op: "replace", path: "/autoCreateGroups", value: true },
                { op: "replace", path: "/syncIdpGroups", value: true },
            ],
        },
        [204],
    );
    await rest.call(
        "/api/v1/licenses/settings",
        { method: "PUT", ...t, body: { autoAssignProfessional: false, autoAssignAnalyzer: false } },
        [200],
    );
    await rest.call(
        "/api/v1/identity-providers",
        {
            method: "POST",
            ...t,
            body: {
                provider: "external",
                protocol: "jwtAuth",
                interactive: false,
                active: true,
                tenantIds: [tenant.id],
                description: `Single sign-on of ${c.name} users`,
                options: {
                    jwtLoginEnabled: true,
                    issuer: `https://login.${c.alias}.fleet.example/`,
                    staticKeys: [{ kid: `${c.alias}-1`, pem: oneLinePublicKey() }],
                },
            },
        },
        [201],
    );
    if (c.users.length > 0) {
        await rest.call(
            "/api/v1/licenses/assignments/actions/add",
            {
                method: "POST",
                ...t,
                body: { add: c.users.map((u) => ({ subject: u.subject, type: u.licenseType })) },
            },
            [200, 207],
        );
    }
    const groupIds = new Map<string, string>();
    for (const g of c.groups) {
        const body: Record<string, unknown> = { name: g.name, status: "active" };
        if (g.roles.length) body.assignedRoles = g.roles.map((name) => ({ name }));
        const created = (await rest.call("/api/v1/groups", { method: "POST", ...t, body }, [201])).json<{
            id: string;
        }>();
        groupIds.set(g.name, created.id);
    }
    const staging = (
        await rest.call("/api/v1/spaces", { method: "POST", ...t, body: { name: "Staging", type: "shared" } }, [201])
    ).json<{ id: string }>();
    const managed = (
        await rest.call(
            "/api/v1/spaces",
            { method: "POST", ...t, body: { name: `${c.name} Analytics`, type: "managed" } },
            [201],
        )
    ).json<{ id: string }>();
    for (const g of c.groups) {
        await rest.call(
            `/api/v1/spaces/${managed.id}/assignments`,
            {
                method: "POST",
                ...t,
                body: { type: "group", assigneeId: groupIds.get(g.name), roles: [g.spaceRole || "consumer"] },
            },
            [201],
        );
    }
    for (const conn of c.connections) {
        const props: Record<string, unknown> = {};
        for (const k of ["database", "host", "port", "username", "password"] as const)
            if (conn[k] !== undefined) props[k] = conn[k];
        await rest.call(
            "/api/v1/data-connections",
            {
                method: "POST",
                ...t,
                body: {
                    qName: conn.name,
                    datasourceID: conn.datasourceId,
                    space: staging.id,
                    connectionProperties: props,
                },
            },
            [201],
        );
    }

    // 3. deploy-content (tenant_deploy_content.sh): export from the source, import into the staging space
    const items = (
        await rest.call(
            `/api/v1/items?resourceType=app&name=${encodeURIComponent(templateAppName)}`,
            { host: source, token: sourceToken },
            [200],
        )
    ).json<{ data: { resourceId: string; name: string }[] }>();
    const template = items.data.find((i) => i.name === templateAppName);
    if (!template) throw new Error(`template app "${templateAppName}" not found in ${source}`);
    const exported = await rest.call(
        `/api/v1/apps/${template.resourceId}/export`,
        { method: "POST", host: source, token: sourceToken },
        [201],
    );
    const location = String(exported.headers.location ?? "");
    const qvf = (
        await rest.call(new URL(location, `https://${source}`).pathname, { host: source, token: sourceToken }, [200])
    ).body;
    const staged = (
        await rest.call(`/api/v1/apps/import?spaceId=${staging.id}`, { method: "POST", ...t, body: qvf }, [200, 201])
    ).json<{ attributes: { id: string } }>();

    // reload with the customer's data (not in the tutorial; the fleet's AppCopy does it), polled once per pollMs
    let reload = (
        await rest.call("/api/v1/reloads", { method: "POST", ...t, body: { appId: staged.attributes.id } }, [201])
    ).json<{ id: string; status: string }>();
    while (["QUEUED", "RELOADING", "CANCELING"].includes(reload.status)) {
        await sleep(pollMs);
        reload = (await rest.call(`/api/v1/reloads/${reload.id}`, t, [200])).json<{ id: string; status: string }>();
    }
    if (reload.status !== "SUCCEEDED") throw new Error(`reload of ${c.alias} ended ${reload.status}`);

    // publish into the managed space
    await rest.call(
        `/api/v1/apps/${staged.attributes.id}/publish`,
        {
            method: "POST",
            ...t,
            body: { spaceId: managed.id, attributes: { name: templateAppName } },
        },
        [200, 201],
    );
}

export async function runSequentialBaseline(o: BaselineOptions): Promise<BaselineResult> {
    const rest = new Rest(o.info.httpUrl);
    const n = o.customers.length;
    const limit = Math.min(n, o.sample ?? n);
    const budget = o.budgetMs ?? 600_000;
    const perTenantMs: number[] = [];
    const started = Date.now();
    for (let i = 0; i < limit; i++) {
        // Keep the run bounded: after the budget, extrapolate from the tenants done so far.
        if (i > 0 && Date.now() - started > budget) break;
        const t0 = Date.now();
        await provisionOne(rest, o.info, o.customers[i], o.templateAppName, (o.pollSeconds ?? 1) * 1000);
        perTenantMs.push(Date.now() - t0);
        o.log?.(`baseline: tenant ${i + 1}/${limit} (${o.customers[i].alias}) in ${perTenantMs[i]} ms`);
    }
    const measuredMs = Date.now() - started;
    const done = perTenantMs.length;
    return {
        done,
        n,
        measuredMs,
        totalMs: done === n ? measuredMs : (measuredMs / done) * n,
        extrapolated: done < n,
        perTenantMs,
        calls: rest.calls,
        retriedOn429: rest.retried,
    };
}
