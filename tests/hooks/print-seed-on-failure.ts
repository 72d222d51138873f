// A mocha root hook (loaded through .mocharc.json `require`): when a test fails, print the seeds of the seeded
// randomness it used (tests/support/random.ts), so the failure can be replayed with the same numbers.
import { TEST_SEED, seedsInUse } from "../support/random";

export const mochaHooks = {
    afterEach(this: Mocha.Context) {
        const failed = this.currentTest?.state === "failed";
        const used = [...seedsInUse];
        // Seeds belong to the test that drew them (a suite's before() hook draws for its first test).
        seedsInUse.clear();
        if (!failed || used.length === 0) return;
        const seeds = used.map(([label, seed]) => `${label}: ${seed}`).join(", ");
        const replay = used.every(([, s]) => s === TEST_SEED) ? ` (to replay: QTF_TEST_SEED=${TEST_SEED})` : "";
        console.log(`      seeds of "${this.currentTest?.fullTitle()}": ${seeds}${replay}`);
    },
};
