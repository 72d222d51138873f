// A tiny seeded PRNG (mulberry32): the demo data must be identical on every machine and every run,
// so totals printed by `npm start` can be compared across runs and documented.
import * as crypto from "crypto";

export type Rng = () => number;

/** 32-bit seed from a label, so each customer gets its own but stable sequence. */
export function seedFrom(label: string): number {
    return crypto.createHash("sha256").update(label).digest().readUInt32LE(0);
}

/**
 * mulberry32 (a well-known 32-bit PRNG, public domain): enough for demo data and test inputs, not for cryptography.
 * Returns a function like Math.random: a float in [0, 1). Also the tests' generator (tests/support/random.ts).
 */
export function mulberry32(seed: number): Rng {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function intBetween(rng: Rng, min: number, max: number): number {
    return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
    return items[Math.floor(rng() * items.length)];
}
