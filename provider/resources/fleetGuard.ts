// FleetGuard: the fleet-level safety net, decided in check() so that `pulumi preview` already refuses.
//
// Its inputs are the fleet as the program declares it now: one entry per customer (alias -> effective
// region, per-customer deactivation opt-in, plan and the plan's deletable pieces). Pulumi hands check() the inputs of the LAST up as
// `olds` (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/#check), so comparing
// the two tells, before anything runs, which customers this plan would offboard (gone from the program)
// or replace (region changed: a new tenant) or downgrade. Three rules, all with no API call:
//   1. all or nothing: a customer whose tenant may not be deactivated (no qlik:allowTenantDeactivation,
//      no allowDeactivation recorded for it) fails the plan with ONE message for that customer. Pulumi
//      deletes removed resources only after the program finished registering, and a failed check stops
//      the deployment, so none of that customer's resources (IdP, groups, app, ...) is deleted first;
//   2. fleet:maxDeletions (a count or a percentage, default 1 customer): a plan that offboards or
//      replaces more customers fails, listing them, unless the operator confirms exactly those
//      customers for this run (QLIK_FLEET_CONFIRM_DELETIONS or fleet:confirmDeletions).
//   3. plan downgrades (issue 12): a customer still declared whose recorded planPieces (what its plan adds and a
//      downgrade would DELETE, e.g. an extra app with its users' sheets) are not all in the new planPieces is
//      refused, one message per customer, unless confirmed for this run (QLIK_FLEET_CONFIRM_DOWNGRADES or
//      fleet:confirmDowngrades). A record without planPieces (a guard from before plans) has nothing to lose; a
//      customer whose recorded pieces are no longer passed at all loses every one of them.
//   4. shards (issue 11, docs/master-database.md#shards): a customer no longer declared here but declared by
//      another shard stack of the fleet (`otherShards`, from the master database, never recorded) had only its
//      customers.shard edited: its resources are still in THIS stack's state and would be deleted here (and created
//      again there), so it is refused whatever the opt-ins; `npm run fleet -- rebalance` moves it instead. A rebalance
//      in progress marks the customer's record `moving` in both stacks (examples/fleet/ops/rebalance.ts) and every run
//      of those stacks is refused until the rebalance finishes (a rerun of it converges).
// The resource has no remote object; its stored INPUTS are the record of the fleet at the last up (it never
// previews as a change, see diff()).
import { Failures, Props, ResourceHandlers, isUnknown, withoutProviderKey } from "./handlers";
import { getProviderConfig } from "../config";

export interface GuardCustomer {
    region?: string;
    allowDeactivation?: boolean;
    plan?: string;
    planPieces?: string[];
    /** Set only by a rebalance that has not finished: the customer's move between two shard stacks. */
    moving?: { from: string; to: string; shard: number };
}

const DEFAULT_MAX_DELETIONS = "1";

/** "3" -> 3 customers; "25%" -> a quarter of the fleet at the last up, rounded down. */
function parseMaxDeletions(v: unknown): { ok: true; count?: number; percent?: number } | { ok: false } {
    const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
    let m = /^(\d+)$/.exec(s);
    if (m) return { ok: true, count: Number(m[1]) };
    m = /^(\d+(?:\.\d+)?)%$/.exec(s);
    if (m && Number(m[1]) <= 100) return { ok: true, percent: Number(m[1]) };
    return { ok: false };
}

export function deletionLimit(max: string, fleetSize: number): number {
    const p = parseMaxDeletions(max);
    if (!p.ok) return 1;
    return p.count ?? Math.floor(((p.percent as number) / 100) * fleetSize);
}

function parseConfirmList(v: unknown): string[] {
    if (Array.isArray(v))
        return v
            .filter((x): x is string => typeof x === "string")
            .map((x) => x.trim())
            .filter(Boolean);
    if (typeof v === "string")
        return v
            .split(/[,\s]+/)
            .map((x) => x.trim())
            .filter(Boolean);
    return [];
}

function customersOf(p: Props | undefined): Record<string, GuardCustomer> {
    const c = p?.customers;
    return c && typeof c === "object" && !Array.isArray(c) && !isUnknown(c) ? (c as Record<string, GuardCustomer>) : {};
}

function stackOptIn(): boolean {
    try {
        return getProviderConfig({ requireCredentials: false }).allowTenantDeactivation;
    } catch {
        return false; // incomplete config: the resources' own checks report it
    }
}

export interface GuardPlan {
    offboarded: string[];
    replaced: string[];
    refused: string[];
    limit: number;
    overLimit: boolean;
    confirmed: boolean;
    /** Customers still declared whose plan loses pieces, with what would go; `confirmed` says whether this run may. */
    downgrades: Downgrade[];
    /** Offboarded here but declared by another shard stack (alias -> its shard): a shard edit without a move. */
    shardEdits: { alias: string; shard: number }[];
}

export interface Downgrade {
    alias: string;
    oldPlan?: string;
    newPlan?: string;
    lost: string[];
    confirmed: boolean;
}

/** A known list of pieces, else undefined: absent (a record from before plans) or unknown during a preview. */
function piecesOf(c: GuardCustomer | undefined): string[] | undefined {
    const p: unknown = c?.planPieces;
    if (!Array.isArray(p) || p.some((x) => typeof x !== "string" || isUnknown(x))) return undefined;
    return p as string[];
}

/**
 * What identifies a piece: the text before its first ": " when the line starts with such a key (e.g.
 * `app forecast: "Sales Forecast" published in "Acme Forecast" ...`), else the whole line. A piece whose key stays
 * is kept, so renaming the customer or the app (in place, nothing deleted) never reads as a downgrade.
 */
export function pieceKey(piece: string): string {
    const m = /^([^:"]{1,80}): /.exec(piece);
    return m ? m[1] : piece;
}

/** Old pieces the new plan lacks, per customer in both fleets; nothing to compare (no record, unknown now) is no downgrade. */
function downgradesOf(
    before: Record<string, GuardCustomer>,
    after: Record<string, GuardCustomer>,
    confirm: Set<string>,
): Downgrade[] {
    const out: Downgrade[] = [];
    for (const alias of Object.keys(after).sort()) {
        const was = piecesOf(before[alias]);
        // A customer still declared without planPieces keeps none of what its record says its plan added (the SDK
        // drops an undefined planPieces, and a customers LIST carries none): all of it would go. Only unknown pieces
        // (a preview) leave nothing to compare.
        const now = after[alias]?.planPieces === undefined ? [] : piecesOf(after[alias]);
        if (!was || !now) continue;
        const kept = new Set(now.map(pieceKey));
        const lost = was.filter((p) => !kept.has(pieceKey(p)));
        if (lost.length === 0) continue;
        const name = (v: unknown) => (typeof v === "string" && !isUnknown(v) ? v : undefined);
        out.push({
            alias,
            oldPlan: name(before[alias].plan),
            newPlan: name(after[alias].plan),
            lost,
            confirmed: confirm.has(alias),
        });
    }
    return out;
}

/** What the plan from `olds` to `news` does to the fleet (pure: exported for the unit tests). */
export function planOf(olds: Props, news: Props, stackAllowsDeactivation: boolean): GuardPlan {
    const before = customersOf(olds);
    const after = customersOf(news);
    const elsewhere = otherShardsOf(news);
    const gone = Object.keys(before)
        .filter((a) => !(a in after))
        .sort();
    // A customer another shard declares is not offboarded: rule 4 refuses it on its own, with the way to move it.
    const offboarded = gone.filter((a) => elsewhere[a] === undefined);
    const replaced = Object.keys(before)
        .filter(
            (a) =>
                a in after &&
                before[a].region !== undefined &&
                after[a].region !== undefined &&
                !isUnknown(after[a].region) &&
                before[a].region !== after[a].region,
        )
        .sort();
    const optedIn = (a: string) =>
        stackAllowsDeactivation || before[a]?.allowDeactivation === true || after[a]?.allowDeactivation === true;
    const refused = [...offboarded, ...replaced].filter((a) => !optedIn(a));
    const max =
        typeof news.maxDeletions === "string" || typeof news.maxDeletions === "number"
            ? String(news.maxDeletions)
            : DEFAULT_MAX_DELETIONS;
    const limit = deletionLimit(max, Object.keys(before).length);
    const going = [...offboarded, ...replaced];
    const confirm = new Set(parseConfirmList(news.confirmDeletions));
    return {
        offboarded,
        replaced,
        refused,
        limit,
        overLimit: going.length > limit,
        confirmed: going.every((a) => confirm.has(a)),
        downgrades: downgradesOf(before, after, new Set(parseConfirmList(news.confirmDowngrades))),
        shardEdits: gone.filter((a) => elsewhere[a] !== undefined).map((a) => ({ alias: a, shard: elsewhere[a] })),
    };
}

/** otherShards: alias -> shard of the customers the other shard stacks declare (not recorded; see rule 4). */
function otherShardsOf(p: Props): Record<string, number> {
    const o = p.otherShards;
    if (!o || typeof o !== "object" || Array.isArray(o) || isUnknown(o)) return {};
    return Object.fromEntries(
        Object.entries(o as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number"),
    );
}

/** Customers of the record that a rebalance marked as moving and did not finish. */
export function movesInProgress(olds: Props): { alias: string; from: string; to: string; shard: number }[] {
    return Object.entries(customersOf(olds))
        .filter(([, c]) => c?.moving && typeof c.moving === "object")
        .map(([alias, c]) => ({ alias, ...(c.moving as { from: string; to: string; shard: number }) }))
        .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
}

function validate(olds: Props, news: Props): Failures {
    const f = new Failures();
    const c = news.customers;
    if (!isUnknown(c) && (!c || typeof c !== "object" || Array.isArray(c))) {
        f.add("customers", "must be a map of customer alias to { region, allowDeactivation, plan, planPieces }");
        return f;
    }
    for (const [alias, entry] of Object.entries(customersOf(news))) {
        const pieces: unknown = entry?.planPieces;
        if (
            pieces !== undefined &&
            !isUnknown(pieces) &&
            (!Array.isArray(pieces) || pieces.some((x) => typeof x !== "string"))
        )
            f.add(
                `customers.${alias}.planPieces`,
                'must be a list of strings, one per piece of the plan a downgrade would delete (e.g. `shared space "Globex Authors"`)',
            );
        const plan: unknown = entry?.plan;
        if (plan !== undefined && !isUnknown(plan) && typeof plan !== "string")
            f.add(`customers.${alias}.plan`, 'must be the plan\'s name (a string, e.g. "premium")');
    }
    const other = news.otherShards;
    if (
        other !== undefined &&
        !isUnknown(other) &&
        (!other ||
            typeof other !== "object" ||
            Array.isArray(other) ||
            Object.values(other).some((k) => !Number.isInteger(k) || (k as number) < 0))
    )
        f.add("otherShards", "must be a map of customer alias to the shard (an integer >= 0) that declares it");
    if (!f.ok) return f;
    if (news.maxDeletions !== undefined && !isUnknown(news.maxDeletions) && !parseMaxDeletions(news.maxDeletions).ok) {
        f.add(
            "maxDeletions",
            `must be a number of customers (e.g. 2) or a percentage of the fleet (e.g. "10%"); set it with \`pulumi config set fleet:maxDeletions 2\``,
        );
        return f;
    }
    const moving = movesInProgress(olds);
    for (const m of moving)
        f.add(
            "",
            `customer ${m.alias} is being moved from stack ${m.from} to ${m.to} by a rebalance that did not finish, so ` +
                "nothing runs in this stack until it does (its resources may be in either stack). Finish it: " +
                `\`npm run fleet -- rebalance --move ${m.alias} --to ${m.shard} --yes\` (docs/master-database.md#rebalancing).`,
        );
    if (moving.length) return f;
    const plan = planOf(olds, news, stackOptIn());
    for (const e of plan.shardEdits)
        f.add(
            "",
            `customer ${e.alias} is now in shard ${e.shard} (customers.shard), but its tenant and all its resources are in ` +
                `this stack's state: this run would delete them here and create a second tenant there, so NOTHING of ` +
                `${e.alias} is changed. A customer changes shard only with \`npm run fleet -- rebalance --move ${e.alias} ` +
                `--to ${e.shard} --yes\` (which moves its state, re-creating nothing); else restore its customers.shard.`,
        );
    // Property "" makes Pulumi print "<type> resource '<name>' has a problem: <reason>" without dumping
    // the whole customers map (pkg/resource/deploy/step_generator.go issueCheckFailures): one line per customer.
    for (const alias of plan.refused) {
        const what = plan.offboarded.includes(alias)
            ? `customer ${alias} is no longer declared (offboarding)`
            : `customer ${alias} changed region, which replaces its tenant`;
        f.add(
            "",
            `${what}, but its tenant may not be deactivated, so NOTHING of ${alias} is deleted or replaced (its tenant, identity provider, ` +
                "licenses, groups and apps stay as they are). To offboard it: `pulumi config set qlik:allowTenantDeactivation true` " +
                `(or allowDeactivation: true on ${alias}), then run again; to keep it, declare it again (restore its master-database row).`,
        );
    }
    if (plan.overLimit && !plan.confirmed) {
        const going = [...plan.offboarded, ...plan.replaced];
        f.add(
            "",
            `this plan offboards or replaces ${going.length} of ${Object.keys(customersOf(olds)).length} customers (${going.join(", ")}), ` +
                `more than fleet:maxDeletions allows (${plan.limit}). If the master database was emptied or replaced by mistake, restore it. ` +
                `If this is intended, confirm these customers for this run: QLIK_FLEET_CONFIRM_DELETIONS=${going.join(",")} pulumi up ` +
                "(or `pulumi config set fleet:confirmDeletions " +
                going.join(",") +
                "`, removed again afterwards).",
        );
    }
    for (const d of plan.downgrades.filter((x) => !x.confirmed)) f.add("", downgradeMessage(d));
    return f;
}

function downgradeMessage(d: Downgrade): string {
    const from = d.oldPlan ?? "its previous plan";
    const to = d.newPlan ?? "a plan without them";
    // Same plan name: the plan catalogue itself dropped a piece, which deletes it just the same.
    const what =
        d.oldPlan !== undefined && d.oldPlan === d.newPlan
            ? `customer ${d.alias} stays on plan ${from}, but the plan no longer includes what this DELETES`
            : `customer ${d.alias} moves from plan ${from} to ${to}, which DELETES`;
    return (
        `${what}: ${d.lost.join("; ")}. Nothing of ${d.alias} ` +
        "is changed. If the downgrade is intended, confirm it for this run: " +
        `QLIK_FLEET_CONFIRM_DOWNGRADES=${d.alias} pulumi up (or \`pulumi config set fleet:confirmDowngrades ${d.alias}\`, ` +
        `removed again afterwards); to keep these pieces, restore ${d.alias}'s plan in the master database.`
    );
}

/** The inputs kept in state: the confirmation is for one run, and otherShards is the master database's, so neither is recorded. */
function recorded(inputs: Props): Props {
    const { confirmDeletions: _c, confirmDowngrades: _d, otherShards: _o, ...rest } = inputs;
    return rest;
}

export const handlers: ResourceHandlers = {
    async check(olds, news) {
        const inputs = withoutProviderKey(news);
        const f = validate(withoutProviderKey(olds ?? {}), inputs);
        return f.ok ? { inputs: recorded(inputs) } : { failures: f.list };
    },

    // Never a change: an onboarding must not preview an update of the guard (a GitOps reviewer would see noise).
    // The record still follows the program: on a "same" step Pulumi stores the NEW checked inputs and keeps
    // the old outputs (pkg/resource/deploy/step.go SameStep.Apply), and check() reads the stored inputs as olds.
    async diff() {
        return { changes: false, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        return { id: "fleet-guard", outs: recorded(inputs) };
    },

    async read(id, props) {
        // Nothing remote. No `inputs` in the answer, so refresh keeps the recorded inputs (the fleet at the last
        // up); the outputs are those of the create (step.go RefreshStep: "Otherwise, retain the current inputs").
        return { id, props: recorded(withoutProviderKey(props)) };
    },

    async update(_id, _olds, news) {
        return { outs: recorded(news) };
    },

    async delete() {
        // Nothing remote to remove.
    },
};
