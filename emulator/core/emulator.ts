// Builds the Emulator object (see context.ts) around a store.
import type { Directory, Emulator, EmulatorConfig } from "./context";
import type { Store } from "../store/store";
import { systemClock, type Clock } from "./clock";
import { profile } from "./profiles";
import { RateLimiter } from "./limits";
import { FaultInjector } from "./faults";
import { RequestLog } from "./requestLog";

export function createEmulator(
    store: Store,
    config: EmulatorConfig,
    secrets: Emulator["secrets"],
    /** The API state behind the pipeline (apis/directory.ts); a factory because it needs the emulator. */
    directory: (emu: Emulator) => Directory,
    clock: Clock = systemClock(),
): Emulator {
    const models = new Map<string, unknown>();
    const closers: Array<() => void | Promise<void>> = [];
    const timers = new Set<NodeJS.Timeout>();
    closers.push(() => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
    });
    const emu = {
        store,
        clock,
        config,
        secrets,
        profile: profile(config.profile),
        limits: new RateLimiter(clock, config.rateLimitScale),
        faults: new FaultInjector(config.randomSeed),
        log: new RequestLog(),
        model<T>(name: string, factory: (emu: Emulator) => T): T {
            if (!models.has(name)) models.set(name, factory(this));
            return models.get(name) as T;
        },
        onClose(fn) {
            closers.push(fn);
        },
        later(ms, fn) {
            const t = setTimeout(() => {
                timers.delete(t);
                fn();
            }, ms);
            timers.add(t);
        },
        // not part of the interface: used by index.ts close()
        ...({
            runClosers: async () => {
                for (const c of closers.reverse()) await c();
            },
        } as object),
    } as Emulator;
    emu.directory = directory(emu);
    return emu;
}

export async function runClosers(emu: Emulator): Promise<void> {
    const f = (emu as unknown as { runClosers?: () => Promise<void> }).runClosers;
    if (f) await f();
}
