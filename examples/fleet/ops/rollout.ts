// Staged rollouts of a template release (docs/rollouts.md): ring by ring (canary -> early -> general), each ring's
// customers moved to the release in the master database, one `up`, then the health gates of every customer of the
// ring; a failed gate stops the rollout with the later rings untouched. Every step is recorded in the rollout
// tables first, so a rerun after a crash continues where the rollouts row says it was.
import * as path from "path";
import type { CustomerRecord } from "../masterDb";
import { REPO_ROOT } from "../../../scripts/lib/repo";
import type { OpsContext } from "./context";
import type { GateResult } from "./gates";
import { isStackLocked, type RunResult } from "./stack";
import { RINGS, type CustomerRing, type Ring, type Rollout } from "./store";
import { jwtSignerFromState } from "../../../scripts/userSession";

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
}

const releaseHint = (version: string) =>
    `template release "${version}" is not in the master database's template_releases table: add it first, e.g. ` +
    `INSERT INTO template_releases(version, app_name) VALUES ('${version}', '<the template app of that release in the source tenant>') ` +
    "(docs/rollouts.md)";

/**
 * The release's row, and its app in the source tenant: the program deploys a pinned release by app name, which must
 * name exactly one app (provider/resources/appCopyTemplate.ts), so a typo is refused here, before any ring moves.
 */
async function requireRelease(ctx: OpsContext, version: string): Promise<void> {
    const release = await ctx.store.release(version);
    if (!release) throw new RolloutRefused(releaseHint(version));
    const found = await ctx.templateApps(release.appName);
    if (found.count !== undefined && found.count !== 1)
        throw new RolloutRefused(
            `template release "${version}" names the app "${release.appName}" (template_releases.app_name), but the ` +
                `source tenant ${found.where} holds ${found.count === 0 ? "no app" : `${found.count} apps`} of that name: ` +
                "place the release's app there under that exact name (or correct app_name), then run the command again. " +
                "Nothing was changed.",
        );
}

/** A stack left locked by a killed run: nothing deployed, no gate recorded; the message says how to clear it. */
function lockedRefusal(ctx: OpsContext, what: string): RolloutRefused {
    const name = ctx.stack.name;
    // `npm run pulumi` runs the same CLI with the same environment as this command (scripts/pulumi.js).
    const cwd = path.resolve(ctx.stack.cwd) === REPO_ROOT ? "" : ` --cwd ${ctx.stack.cwd}`;
    return new RolloutRefused(
        `stack ${name} is locked by an earlier Pulumi run that did not finish (a killed \`npm run fleet\` or \`pulumi up\` ` +
            "leaves its lock behind); nothing was deployed and no gate was recorded. If no other Pulumi command is " +
            `running on this stack, remove the lock with \`npm run pulumi -- cancel --yes --stack ${name}${cwd}\`, ` +
            `then run the same command again: ${what}.`,
    );
}

/** `up`, then every gate of `members` against the version each must run; results recorded as they come. */
async function upAndGate(
    ctx: OpsContext,
    rolloutId: number,
    members: { id: string; alias: string; version: string }[],
    passState: "passed" | "rolled_back",
    again: string,
): Promise<Record<string, GateResult>> {
    ctx.log(`--- up (${members.map((m) => m.alias).join(", ")}) ---`);
    // Only the shards holding the ring's customers run: the other shards' customers are not part of this ring.
    const up = await ctx.stack.up(ctx.log, { customers: members.map((m) => m.alias) });
    // A lock is no verdict on the customers: recording it as failed gates would stop the rollout for nothing.
    if (isStackLocked(up)) throw lockedRefusal(ctx, again);
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
        // The private key's one stored copy is the identity provider's state (docs/state-size.md).
        signer: jwtSignerFromState(resources, alias),
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
    for (const ring of ringsFrom(start.currentRing)) {
        // Read per ring: a customer added to the master database during the rollout moves with its ring.
        const members = (await ctx.store.customers()).filter((c) => c.ring === ring);
        await ctx.store.updateRollout(start.id, { currentRing: ring, message: `ring ${ring}` });
        if (members.length === 0) continue;
        ctx.log(`=== ring ${ring}: ${members.map((c) => c.alias).join(", ")} -> ${start.version} ===`);
        await ctx.store.applyRing(start.id, ring, members, start.version);
        const results = await upAndGate(
            ctx,
            start.id,
            members.map((c) => ({ id: c.id, alias: c.alias, version: start.version })),
            "passed",
            `it continues rollout ${start.id} at ring ${ring}`,
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

/**
 * `fleet rollout resume [--version <newer>]`: the stopped ring again (after a fix), then the rings after it. A newer
 * release starts over at the first ring: the rings that passed did so with the old release, and a release reaches
 * a ring only after every earlier ring passed it.
 */
export async function resumeRollout(ctx: OpsContext, newVersion?: string): Promise<RolloutOutcome> {
    const active = await requireActive(ctx, "resume");
    const newer = newVersion !== undefined && newVersion !== active.version;
    if (newer) await requireRelease(ctx, newVersion);
    const at = newer ? null : active.currentRing;
    await ctx.store.updateRollout(active.id, {
        state: "running",
        version: newer ? newVersion : active.version,
        currentRing: at,
        message: `resumed at ring ${at ?? RINGS[0]}`,
    });
    ctx.log(`rollout ${active.id}: resuming ${newer ? newVersion : active.version} at ring ${at ?? RINGS[0]}`);
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
        `it finishes the rollback of ring ${ring}`,
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
