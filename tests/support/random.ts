// Seeded randomness for tests: the same seed gives the same numbers, so a failure can be replayed. The seed is
// QTF_TEST_SEED when set, else drawn once per mocha process; every suite that draws numbers registers its seed
// here, and the root hook tests/hooks/print-seed-on-failure.ts prints the seeds of a failed test
// ("to replay: QTF_TEST_SEED=<n>").
import { randomInt } from "crypto";
// The same mulberry32 as the demo seed: one implementation outside the emulator (a package of its own, issue 13).
import { mulberry32 } from "../../scripts/seed/prng";

const fromEnv = process.env.QTF_TEST_SEED;
if (fromEnv !== undefined && !/^\d+$/.test(fromEnv))
    throw new Error(`QTF_TEST_SEED must be a non-negative integer (got "${fromEnv}"); unset it to draw a seed`);

/** The seed of this mocha process. */
export const TEST_SEED: number = fromEnv !== undefined ? Number(fromEnv) % 2 ** 32 : randomInt(2 ** 32 - 1);

/** Seeds drawn by the running test, labelled; cleared after each test by the root hook. */
export const seedsInUse = new Map<string, number>();

/** A seeded generator for one use (label it: "ports of unreachable-endpoint"); its seed is printed on failure. */
export function seededRandom(label: string, seed: number = TEST_SEED): () => number {
    seedsInUse.set(label, seed);
    return mulberry32(seed);
}

/** An integer in [min, max) from a seeded generator. */
export function intBetween(rand: () => number, min: number, max: number): number {
    return min + Math.floor(rand() * (max - min));
}
