// Fault injection (admin POST /_emulator/faults). A rule fires on matching requests either with a
// probability (`rate`, default 1) or exactly on the nth match (`nth`, 1-based, fires once). Rates draw from a
// generator seeded per rule (the injector's seed and the rule's position since start or the last clear), so
// the same seed and the same traffic give the same faults, whatever other rules are added later.
import { mulberry32 } from "./random";
export type FaultAction = "429" | "500" | "502" | "503" | "drop" | "slow";

export interface FaultRule {
    match: { method?: string; host?: string; path?: string; nth?: number };
    action: FaultAction;
    rate?: number;
    delayMs?: number;
    retryAfter?: number;
}

interface ActiveRule {
    rule: FaultRule;
    pathRe?: RegExp;
    seen: number;
    draw: () => number;
}

const ACTIONS: ReadonlySet<string> = new Set(["429", "500", "502", "503", "drop", "slow"]);

export class FaultInjector {
    private rules: ActiveRule[] = [];
    /** Rules added since start or the last clear(): the stream number of the next rule. */
    private added = 0;

    constructor(readonly seed: number) {}

    /** Validates and adds rules; throws Error with a message on a bad rule. */
    add(rules: unknown): FaultRule[] {
        if (!Array.isArray(rules)) throw new Error("rules must be an array");
        const parsed: ActiveRule[] = rules.map((r, i) => {
            if (!r || typeof r !== "object") throw new Error(`rules[${i}] must be an object`);
            const rule = r as FaultRule;
            if (!ACTIONS.has(String(rule.action)))
                throw new Error(`rules[${i}].action must be one of ${[...ACTIONS].join(", ")}`);
            const match = rule.match ?? {};
            if (typeof match !== "object") throw new Error(`rules[${i}].match must be an object`);
            if (rule.rate !== undefined && (typeof rule.rate !== "number" || rule.rate < 0 || rule.rate > 1)) {
                throw new Error(`rules[${i}].rate must be a number in 0..1`);
            }
            let pathRe: RegExp | undefined;
            if (match.path !== undefined) {
                try {
                    pathRe = new RegExp(String(match.path));
                } catch {
                    throw new Error(`rules[${i}].match.path is not a valid regex`);
                }
            }
            return { rule: { ...rule, match }, pathRe, seen: 0, draw: () => 0 };
        });
        // Streams are assigned only once every rule validated, so a rejected batch shifts nothing.
        for (const p of parsed) p.draw = mulberry32((this.seed + Math.imul(++this.added, 0x9e3779b9)) >>> 0);
        this.rules.push(...parsed);
        return parsed.map((p) => p.rule);
    }

    clear(): void {
        this.rules = [];
        this.added = 0;
    }
    list(): FaultRule[] {
        return this.rules.map((r) => r.rule);
    }

    /** Returns the rule that fires for this request, if any (counts matches for nth rules). */
    pick(method: string, host: string, path: string): FaultRule | undefined {
        for (const r of this.rules) {
            const m = r.rule.match;
            if (m.method && m.method.toUpperCase() !== method) continue;
            if (m.host && m.host.toLowerCase() !== host) continue;
            if (r.pathRe && !r.pathRe.test(path)) continue;
            r.seen++;
            if (m.nth !== undefined) {
                if (r.seen === m.nth) return r.rule;
                continue;
            }
            if (r.draw() < (r.rule.rate ?? 1)) return r.rule;
        }
        return undefined;
    }
}

/**
 * `--fault` takes either a JSON rule (as POST /_emulator/faults takes) or the shorthand
 * `<action>[@rate][:<path regex>]`, e.g. `429@0.1`, `503@0.02:^/api/v1/tenants`, `drop@0.01`.
 */
export function parseFaultFlag(v: string): FaultRule {
    if (v.trim().startsWith("{")) return JSON.parse(v) as FaultRule;
    const m = /^(429|500|502|503|drop|slow)(?:@([0-9.]+))?(?::(.+))?$/.exec(v);
    if (!m)
        throw new Error(
            `--fault ${v}: use <action>[@rate][:<path regex>] (action 429|500|502|503|drop|slow) or a JSON rule`,
        );
    const rule: FaultRule = { action: m[1] as FaultAction, match: m[3] ? { path: m[3] } : {} };
    if (m[2] !== undefined) rule.rate = Number(m[2]);
    if (rule.action === "429") rule.retryAfter = 1;
    return rule;
}
