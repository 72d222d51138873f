// Seeded randomness for the emulator's behaviour (fault rates), so a run can be replayed: the same seed gives the
// same decisions. mulberry32, a well-known public-domain 32-bit PRNG: fine for simulation, not for secrets (ids
// and tokens use node:crypto, core/ids.ts).
import { randomInt } from "node:crypto";

export const SEED_ENV = "QLIK_EMULATOR_SEED";

export function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** The option, else QLIK_EMULATOR_SEED, else a fresh one (logged, so it can be given back to replay). */
export function chooseSeed(option?: number, env: NodeJS.ProcessEnv = process.env): number {
    if (option !== undefined) {
        if (!Number.isInteger(option) || option < 0)
            throw new Error(`seed must be a non-negative integer (got ${option})`);
        return option % 2 ** 32;
    }
    const v = env[SEED_ENV];
    if (v !== undefined && v !== "") {
        if (!/^\d+$/.test(v)) throw new Error(`${SEED_ENV} must be a non-negative integer (got "${v}")`);
        return Number(v) % 2 ** 32;
    }
    return randomInt(2 ** 32 - 1);
}
