// The `dev` stack's config that points the provider at the demo emulator (npm start, step 4). It never fights
// the user: only keys that are missing, or that npm start set itself and that still hold its value, are written.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { EmulatorInfo } from "../../emulator/index";
import { REPO_ROOT as ROOT, type EngineRecord } from "../lib/repo";
import { pulumi } from "./pulumiCli";
import { emulatorStackConfig } from "../lib/emulatorSettings";

/** The stack npm start configures and updates: QLIK_FLEET_STACK, default dev. */
export const STACK = process.env.QLIK_FLEET_STACK || "dev";

/**
 * The stack config the provider needs to reach the emulator. qlik:allowTenantDeactivation is NOT here: it
 * is the operator's decision (resetting it made the documented offboarding loop forever).
 */
export function desiredConfig(
    emu: EmulatorInfo,
    template: { appId: string; version: string },
): { plain: Record<string, string>; secret: Record<string, string> } {
    const { plain, secret } = emulatorStackConfig(emu);
    return {
        plain: { ...plain, "fleet:templateAppId": template.appId, "fleet:templateVersion": template.version },
        secret,
    };
}

/** Where npm start records which keys it set (a digest of each value), in the stack's own config. */
export const MANAGED_KEY = "demo:setByNpmStart";
const digest = (v: string) => crypto.createHash("sha256").update(v).digest("hex").slice(0, 16);

export interface ConfigPlan {
    set: Record<string, { value: string; secret: boolean }>;
    /** Keys the user set to another value: kept, with what npm start would have set. */
    kept: string[];
    managed: Record<string, string>;
}

/**
 * Which keys npm start may write: a missing key, or one whose current value is still the one npm start
 * itself wrote last time (the emulator moved to another port, say). A key with any other value was set by
 * the user and is never overwritten. Pure, for the unit test.
 */
export function planConfig(
    current: Record<string, string | undefined>,
    want: ReturnType<typeof desiredConfig>,
    managedJson: string | undefined,
): ConfigPlan {
    let managed: Record<string, string> = {};
    try {
        managed = managedJson ? (JSON.parse(managedJson) as Record<string, string>) : {};
    } catch {
        managed = {};
    }
    const plan: ConfigPlan = { set: {}, kept: [], managed: { ...managed } };
    const consider = (k: string, v: string, secret: boolean) => {
        const cur = current[k];
        if (cur === v) {
            if (managed[k] !== undefined) plan.managed[k] = digest(v);
            return;
        }
        if (cur === undefined || cur === "" || managed[k] === digest(cur)) {
            plan.set[k] = { value: v, secret };
            plan.managed[k] = digest(v);
        } else {
            plan.kept.push(k);
            delete plan.managed[k];
        }
    };
    for (const [k, v] of Object.entries(want.plain)) consider(k, v, false);
    for (const [k, v] of Object.entries(want.secret)) consider(k, v, true);
    return plan;
}

/**
 * Versions before 0.2 committed Pulumi.dev.yaml (with this salt) and rewrote every key on each run, so in
 * that file, with no MANAGED_KEY yet, every key npm start writes still holds npm start's own value: they
 * are taken as its own, once, instead of being "kept" as the user's (which left a stale OAuth secret of an
 * earlier emulator in place and failed the first `up` after an upgrade). Any other stack file (the user's
 * own passphrase gives it another salt) keeps the rule that a key npm start did not record is the user's.
 */
const LEGACY_COMMITTED_SALT = "v1:tUF9cwAp0KI=:v1:mXJDh7me5F/jiEg4:tLTfOSTQxkGQrWY1dWE/QjC8RvfMQg==";

export function legacyManaged(
    current: Record<string, string | undefined>,
    want: ReturnType<typeof desiredConfig>,
    stackFile = path.join(ROOT, `Pulumi.${STACK}.yaml`),
): string | undefined {
    let text: string;
    try {
        text = fs.readFileSync(stackFile, "utf8");
    } catch {
        return undefined;
    }
    if (!text.includes(`encryptionsalt: ${LEGACY_COMMITTED_SALT}`)) return undefined;
    const keys = [...Object.keys(want.plain), ...Object.keys(want.secret)].filter(
        (k) => current[k] !== undefined && current[k] !== "",
    );
    return JSON.stringify(Object.fromEntries(keys.map((k) => [k, digest(current[k] as string)])));
}

export function configureStack(
    record: EngineRecord,
    emu: EmulatorInfo,
    template: { appId: string; version: string },
): { changed: string[]; kept: string[] } {
    // Created with whatever passphrase the user set (PULUMI_CONFIG_PASSPHRASE[_FILE]); no committed stack file imposes a salt.
    pulumi(record, ["stack", "select", STACK, "--create", "--non-interactive"]);
    const raw = JSON.parse(pulumi(record, ["config", "--json", "--show-secrets"]).stdout || "{}") as Record<
        string,
        { value?: string }
    >;
    const current = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
    const want = desiredConfig(emu, template);
    // "{}" is what a run that kept every key recorded: for the legacy file that was the bug described above.
    const recorded = current[MANAGED_KEY];
    const plan = planConfig(
        current,
        want,
        recorded && recorded !== "{}" ? recorded : (legacyManaged(current, want) ?? recorded),
    );
    const pairs: string[] = [];
    for (const [k, { value, secret }] of Object.entries(plan.set))
        pairs.push(secret ? "--secret" : "--plaintext", `${k}=${value}`);
    pairs.push("--plaintext", `${MANAGED_KEY}=${JSON.stringify(plan.managed)}`);
    // set-all with key=value pairs: a generated secret starting with "-" is never read as a flag.
    if (Object.keys(plan.set).length || current[MANAGED_KEY] !== JSON.stringify(plan.managed))
        pulumi(record, ["config", "set-all", ...pairs]);
    return { changed: Object.keys(plan.set), kept: plan.kept };
}
