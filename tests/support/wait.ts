// Waiting in tests: on a condition with a deadline, never for a fixed time. The machine running the suite may be
// slow and busy (several e2e suites at once), so a fixed sleep is either too short (flaky) or too long (slow);
// a poll on the condition is as quick as the machine allows and fails with what it waited for.

export interface WaitOptions {
    /** Give up after this long (generous: the deadline is for a hang, not for speed). */
    timeoutMs: number;
    /** Time between two looks at the condition. */
    pollMs?: number;
    /** What is awaited, for the error message ("the IdP creates held by the emulator to end"). */
    what?: string;
}

/** The poll interval: the only timer-based pause the tests use. */
export function pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `cond` until it returns something other than `undefined`/`false` and resolves that value; rejects at
 * the deadline naming `what`. An error thrown by `cond` ends the wait at once (a failed assertion is a failure,
 * not "not yet").
 */
export async function waitFor<T>(
    cond: () => T | undefined | false | Promise<T | undefined | false>,
    opts: WaitOptions,
): Promise<T> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
        const v = await cond();
        if (v !== undefined && v !== false) return v;
        if (Date.now() >= deadline)
            throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what ?? "a condition"}`);
        await pause(opts.pollMs ?? 100);
    }
}

/**
 * The opposite watch: `cond` must stay true for the whole of `forMs` (e.g. "the plugin stays alive while its
 * engine answers"); rejects as soon as it is false.
 */
export async function holdsFor(
    cond: () => boolean | Promise<boolean>,
    opts: { forMs: number; pollMs?: number; what?: string },
): Promise<void> {
    const end = Date.now() + opts.forMs;
    for (;;) {
        if (!(await cond())) throw new Error(`${opts.what ?? "the condition"} stopped holding before ${opts.forMs} ms`);
        if (Date.now() >= end) return;
        await pause(Math.min(opts.pollMs ?? 50, Math.max(1, end - Date.now())));
    }
}
