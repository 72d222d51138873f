// `fleet status`: per customer the plan and ring (master database, through the program's reader), the template version deployed and its last
// reload (the AppCopy in the stack's state), and the last health gate (customer_health; "never checked" until a
// rollout ran), across every shard stack of the fleet. Works on stacks that a plain `pulumi up` made.
import type { OpsContext } from "./context";
import { nameOfUrn } from "./stack";
import { textTable } from "./report";

export interface CustomerStatus {
    alias: string;
    /** The shard whose stack holds the customer (undefined in a context without shards, e.g. unit tests). */
    shard?: number;
    plan: string;
    ring: string;
    /** What the master database asks for (customers.template_version, else fleet:templateVersion). */
    wantedVersion: string;
    /** What the stack deployed (null: not deployed yet). */
    templateVersion: string | null;
    reloadStatus: string | null;
    publishedAppId: string | null;
    lastGate: { templateVersion: string; gate: "passed" | "failed"; detail: string; checkedAt: string } | null;
}

export interface FleetStatus {
    stack: string;
    customers: CustomerStatus[];
    rollout: { id: number; version: string; state: string; currentRing: string | null; message: string } | null;
}

export async function fleetStatus(ctx: OpsContext): Promise<FleetStatus> {
    // The program's own reader (plan, ring, last gate): it also reads a schema-1 database, as plan standard in ring
    // general with no gates (docs/master-database.md), so status works wherever the stack does.
    const [customers, resources, rollout, layout] = await Promise.all([
        ctx.customers(),
        ctx.stack.resources(),
        ctx.store.lastRollout().catch((e: Error) => {
            if (/no such table|does not exist/i.test(e.message)) return undefined;
            throw e;
        }),
        ctx.fleet?.layout(),
    ]);
    const shardOf = new Map([...(layout?.byShard ?? [])].flatMap(([k, aliases]) => aliases.map((a) => [a, k])));
    const out = (name: string, type: string) =>
        resources.find((r) => r.type.endsWith(`:${type}`) && nameOfUrn(r.urn) === name)?.outputs;
    return {
        stack: ctx.stack.name,
        customers: customers.map((c) => {
            const app = out(`${c.alias}-app`, "AppCopy");
            const publish = out(`${c.alias}-publish`, "ManagedSpacePublish");
            return {
                alias: c.alias,
                ...(shardOf.has(c.alias) ? { shard: shardOf.get(c.alias) } : {}),
                plan: c.plan.name,
                ring: c.ring,
                wantedVersion: c.templateVersion ?? ctx.fleetDefaultVersion,
                templateVersion: app ? String(app.templateVersion ?? "") : null,
                reloadStatus: app ? String(app.reloadStatus ?? "") : null,
                publishedAppId: publish ? String(publish.publishedAppId ?? "") : null,
                lastGate: c.lastGate ?? null,
            };
        }),
        rollout: rollout ?? null,
    };
}

const label = (v: string | null) => (v === null ? "(not deployed)" : v === "" ? "(fleet default)" : v);

export function statusTable(s: FleetStatus): string {
    const rows = s.customers.map((c) => [
        c.alias,
        c.plan,
        c.ring,
        c.shard === undefined ? "-" : String(c.shard),
        label(c.templateVersion) +
            (c.templateVersion !== null && c.templateVersion !== c.wantedVersion
                ? ` (wanted ${label(c.wantedVersion)})`
                : ""),
        c.reloadStatus || "-",
        c.lastGate ? `${c.lastGate.gate} at ${label(c.lastGate.templateVersion)}` : "never checked",
        c.lastGate?.detail ?? "",
    ]);
    const head = `stack ${s.stack}: ${s.customers.length} customer(s)`;
    const roll = s.rollout
        ? `last rollout ${s.rollout.id}: ${s.rollout.version} ${s.rollout.state}${s.rollout.currentRing ? ` at ring ${s.rollout.currentRing}` : ""} (${s.rollout.message})`
        : "no rollout yet";
    return [
        head,
        textTable(["customer", "plan", "ring", "shard", "template", "reload", "last gate", "detail"], rows),
        roll,
    ].join("\n");
}
