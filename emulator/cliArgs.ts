// The emulator CLI's flags (cli.ts), parsed with node:util parseArgs: `--flag value` and `--flag=value`, unknown
// flags refused. Environment fallbacks: QLIK_EMULATOR_PORT = --port (QLIK_EMULATOR_SEED is read by startEmulator).
import { parseArgs as parseFlags } from "node:util";
import type { EmulatorOptions } from "./index";
import { parseFaultFlag } from "./core/faults";

export const USAGE =
    "usage: emulator [--port N] [--tls-port N] [--data-dir DIR] [--profile instant|realistic] [--seed FILE]\n" +
    "                [--region us] [--domain qlikcloud.com] [--rate-limit-scale X] [--token-ttl S] [--quiet]\n" +
    "                [--random-seed N] [--fault <action>[@rate][:<path regex>] | --fault '<JSON rule>'] ...";

function num(flag: string, v: string | undefined): number | undefined {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`${flag} needs a number (got "${v}")`);
    return n;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): EmulatorOptions | "help" {
    const { values: v } = parseFlags({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
            port: { type: "string" },
            "tls-port": { type: "string" },
            "data-dir": { type: "string" },
            profile: { type: "string" },
            seed: { type: "string" },
            region: { type: "string" },
            domain: { type: "string" },
            "rate-limit-scale": { type: "string" },
            "token-ttl": { type: "string" },
            "random-seed": { type: "string" },
            quiet: { type: "boolean" },
            fault: { type: "string", multiple: true },
            help: { type: "boolean", short: "h" },
        },
    });
    if (v.help) return "help";
    if (v.profile !== undefined && v.profile !== "instant" && v.profile !== "realistic")
        throw new Error("--profile is instant or realistic");
    const randomSeed = num("--random-seed", v["random-seed"]);
    if (randomSeed !== undefined && (!Number.isInteger(randomSeed) || randomSeed < 0))
        throw new Error("--random-seed needs a non-negative integer");
    const o: EmulatorOptions = {
        // QLIK_EMULATOR_PORT: the same choice as --port, for `npm start` and scripts.
        port: num("--port", v.port) ?? num("QLIK_EMULATOR_PORT", env.QLIK_EMULATOR_PORT || undefined) ?? 8080,
        tlsPort: num("--tls-port", v["tls-port"]),
        dataDir: v["data-dir"] ?? ".emulator",
        profile: v.profile as EmulatorOptions["profile"],
        seed: v.seed,
        region: v.region,
        domain: v.domain,
        rateLimitScale: num("--rate-limit-scale", v["rate-limit-scale"]),
        tokenTtlSeconds: num("--token-ttl", v["token-ttl"]),
        randomSeed,
        quiet: v.quiet,
        faults: v.fault?.map(parseFaultFlag),
    };
    // Unset options stay absent, so startEmulator's defaults apply.
    for (const k of Object.keys(o) as (keyof EmulatorOptions)[]) if (o[k] === undefined) delete o[k];
    return o;
}
