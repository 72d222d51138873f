// A scenario whose steps build on each other (up, then update, then drift, then destroy on one stack) is ONE
// mocha test: a later step cannot run alone, so it must not look like a test of its own (mocha's --grep, a
// retry or a reordering would run it on a stack it does not expect). Each step is named; its failure says which
// step failed, and the steps that passed are printed as they pass.

/** Runs one named step of the current test; an error is rethrown prefixed with the step's name. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
        const result = await fn();
        console.log(`      - ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        return result;
    } catch (e) {
        if (e instanceof Error) {
            e.message = `step "${name}": ${e.message}`;
            throw e;
        }
        throw new Error(`step "${name}": ${String(e)}`);
    }
}
