// Staged rollouts of a template release (docs/rollouts.md): ring by ring (canary -> early -> general), each ring's
// customers moved to the release in the master database, one `up`, then the health gates of every customer of the
// ring; a failed gate stops the rollout with the later rings untouched. Every step is recorded in the rollout
// tables first, so a rerun after a crash continues where the rollouts row says it was.
import type { CustomerRecord } from "../masterDb";
import type { OpsContext } from "./context";
import type { GateResult } from "./gates";
import type { RunResult } from "./stack";
import { RINGS, type CustomerRing, type Ring, type Rollout } from "./store";
import type { JwtSigner } from "../../../scripts/userSession";

/** A refusal the operator can fix; the message says how. */
export class RolloutRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RolloutRefused";
    }
}

export interface RolloutOutcome {
    rollout: Rollout;
    /** The gate results of this run, by alias. */
    gates: Record<string, GateResult>;
    /** Whether a last `up` put the gate results into the stack outputs. */
    finalUp: "done" | "skipped" | "failed";
}

interface StackOutputs {
    tenants?: Record<string, { hostname: string; publishedAppId: string }>;
    jwt?: Record<string, JwtSigner>;
}

const releaseHint = (version: string) =>
    `template release "${version}" is not in the master database's template_releases table: add it first, e.g. ` +
    `INSERT INTO template_releases(version, app_name) VALUES ('${version}', '<the template app of that release in the source tenant>') ` +
    "(docs/rollouts.md)";

async function requireRelease(ctx: OpsContext, version: string): Promise<void> {
    if (!(await ctx.store.release(version))) throw new RolloutRefused(releaseHint(version));
}

/** `up`, then every gate of `members` against the version each must run; results recorded as they come. */
async function upAndGate(
    ctx: OpsContext,
    rolloutId: number,
    members: { id: string; alias: string; version: string }[],
    passState: "passed" | "rolled_back",
): Promise<Record<string, GateResult>> {
    ctx.log(`--- up (${members.map((m) => m.alias).join(", ")}) ---`);
    const up = await ctx.stack.up(ctx.log);
    const [resources, outputs, records] = await Promise.all([
        ctx.stack.resources(),
        ctx.stack.outputs() as Promise<StackOutputs>,
        ctx.customers(),
    ]);
    const results: Record<string, GateResult> = {};
    for (const m of members) {
        const record = records.find((r) => r.id === m.id);
        const result = await gateOne(ctx, m.alias, m.version, up, resources, outputs, record);
        results[m.alias] = result;
        ctx.log(`gate ${m.alias}: ${result.passed ? "passed" : "FAILED"}: ${result.detail}`);
        await ctx.store.recordGate(
            rolloutId,
            m.id,
            m.version,
            result.passed,
            result.detail,
            result.passed ? passState : "failed",
        );
    }
    return results;
}

function gateOne(
    ctx: OpsContext,
    alias: string,
    version: string,
    up: RunResult,
    resources: Awaited<ReturnType<OpsContext["stack"]["resources"]>>,
    outputs: StackOutputs,
    record: CustomerRecord | undefined,
): Promise<GateResult> {
    const conn = record?.connections[0];
    return ctx.gate({
        alias,
        version,
        resources,
        errors: up.errors,
        upFailure: up.failure,
        tenant: outputs.tenants?.[alias],
        signer: outputs.jwt?.[alias],
        groups: record?.groups.map((g) => g.name) ?? [],
        connection: conn ? { datasourceId: conn.datasourceId, database: conn.database } : undefined,
        origin: ctx.origin,
        api: ctx.api,
    });
}

const ringsFrom = (ring: Ring | null): Ring[] => RINGS.slice(ring ? RINGS.indexOf(ring) : 0);

/** Runs the rings from the rollout's current one; stops at the first ring with a failed gate. */
async function runRings(ctx: OpsContext, start: Rollout): Promise<RolloutOutcome> {
    const gates: Record<string, GateResult> = {};
    const all = await ctx.store.customers();
    for (const ring of ringsFrom(start.currentRing)) {
        const members = all.filter((c) => c.ring === ring);
        await ctx.store.updateRollout(start.id, { currentRing: ring, message: `ring ${ring}` });
        if (members.length === 0) continue;
        ctx.log(`=== ring ${ring}: ${members.map((c) => c.alias).join(", ")} -> ${start.version} ===`);
        await ctx.store.applyRing(start.id, ring, members, start.version);
        const results = await upAndGate(
            ctx,
            start.id,
            members.map((c) => ({ id: c.id, alias: c.alias, version: start.version })),
            "passed",
        );
        Object.assign(gates, results);
        const failed = Object.entries(results).filter(([, r]) => !r.passed);
        if (failed.length) {
            const message = `stopped at ring ${ring}: ${failed.map(([a]) => a).join(", ")} failed the health gates`;
            await ctx.store.updateRollout(start.id, { state: "stopped", message });
            // No last `up` here: it would deploy the failing release again; `fleet status` reads the gates live.
            return { rollout: await current(ctx, start.id), gates, finalUp: "skipped" };
        }
    }
    await ctx.store.updateRollout(start.id, { state: "done", message: "every ring passed its health gates" });
    return { rollout: await current(ctx, start.id), gates, finalUp: await finalUp(ctx) };
}

/** One more `up`: the program reads customer_health, so the stack outputs carry the gates just recorded. */
async function finalUp(ctx: OpsContext): Promise<"done" | "failed"> {
    ctx.log("--- up (stack outputs: the gate results) ---");
    const r = await ctx.stack.up(ctx.log);
    return r.ok ? "done" : "failed";
}

async function current(ctx: OpsContext, id: number): Promise<Rollout> {
    const r = await ctx.store.lastRollout();
    if (!r || r.id !== id) throw new Error(`rollout ${id} is no longer the newest rollout`);
    return r;
}

/** `fleet rollout --version <v>`: a new rollout, or the same one continued after a crash (state still running). */
export async function startRollout(ctx: OpsContext, version: string): Promise<RolloutOutcome> {
    await ctx.store.assertRolloutTables();
    await requireRelease(ctx, version);
    const active = await ctx.store.activeRollout();
    if (active) {
        if (active.state === "running" && active.version === version) {
            ctx.log(
                `rollout ${active.id} of ${version} was interrupted at ring ${active.currentRing ?? "(none)"}: continuing it`,
            );
            return runRings(ctx, active);
        }
        throw new RolloutRefused(
            `rollout ${active.id} of ${active.version} is ${active.state} at ring ${active.currentRing ?? "(none)"} ` +
                `(${active.message}): finish it first with \`npm run fleet -- rollout resume\` (optionally --version <newer release>) ` +
                "or `npm run fleet -- rollout rollback`",
        );
    }
    const rollout = await ctx.store.createRollout(version);
    ctx.log(`rollout ${rollout.id}: template release ${version}, rings ${RINGS.join(" -> ")}`);
    return runRings(ctx, rollout);
}

async function requireActive(ctx: OpsContext, what: string): Promise<Rollout> {
    await ctx.store.assertRolloutTables();
    const active = await ctx.store.activeRollout();
    if (!active) {
        const last = await ctx.store.lastRollout();
        throw new RolloutRefused(
            `no rollout to ${what}: ` +
                (last ? `the last one (${last.id}, ${last.version}) is ${last.state}` : "the rollouts table is empty"),
        );
    }
    return active;
}

/** `fleet rollout resume [--version <newer>]`: the stopped ring again (after a fix), then the rings after it. */
export async function resumeRollout(ctx: OpsContext, newVersion?: string): Promise<RolloutOutcome> {
    const active = await requireActive(ctx, "resume");
    if (newVersion && newVersion !== active.version) await requireRelease(ctx, newVersion);
    await ctx.store.updateRollout(active.id, {
        state: "running",
        version: newVersion ?? active.version,
        message: `resumed at ring ${active.currentRing ?? RINGS[0]}`,
    });
    ctx.log(`rollout ${active.id}: resuming ${newVersion ?? active.version} at ring ${active.currentRing ?? RINGS[0]}`);
    return runRings(ctx, await current(ctx, active.id));
}

/** `fleet rollout rollback`: the stopped ring's customers back to the version they had before, `up`, gates. */
export async function rollbackRollout(ctx: OpsContext): Promise<RolloutOutcome> {
    const active = await requireActive(ctx, "roll back");
    const ring = active.currentRing;
    if (!ring) {
        await ctx.store.updateRollout(active.id, { state: "rolled_back", message: "rolled back before any ring" });
        return { rollout: await current(ctx, active.id), gates: {}, finalUp: "skipped" };
    }
    const members = await ctx.store.restoreRing(active.id, ring);
    ctx.log(`=== rollback of ring ${ring}: ${members.map((m) => m.alias).join(", ")} ===`);
    const gates = await upAndGate(
        ctx,
        active.id,
        members.map((m) => ({
            id: m.customerId,
            alias: m.alias,
            version: m.previousVersion ?? ctx.fleetDefaultVersion,
        })),
        "rolled_back",
    );
    const failed = Object.entries(gates).filter(([, r]) => !r.passed);
    if (failed.length) {
        await ctx.store.updateRollout(active.id, {
            state: "stopped",
            message: `rollback of ring ${ring}: ${failed.map(([a]) => a).join(", ")} failed the health gates`,
        });
        return { rollout: await current(ctx, active.id), gates, finalUp: "skipped" };
    }
    await ctx.store.updateRollout(active.id, { state: "rolled_back", message: `ring ${ring} rolled back` });
    return { rollout: await current(ctx, active.id), gates, finalUp: await finalUp(ctx) };
}

/** What a rollout will touch, for the confirmation question. */
export function planOf(customers: CustomerRing[], version: string): string {
    return RINGS.map((ring) => {
        const m = customers.filter((c) => c.ring === ring);
        return `  ${ring}: ${m.length ? m.map((c) => `${c.alias} (${c.templateVersion ?? "fleet default"} -> ${version})`).join(", ") : "(no customers)"}`;
    }).join("\n");
}
