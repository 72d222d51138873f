// Injectable clock so tests can move time (token expiry, JWT windows, purge dates, rate windows)
// without sleeping.
export interface Clock {
    now(): number; // epoch ms
    iso(): string;
    advance(ms: number): void;
}

export function systemClock(): Clock {
    let offset = 0;
    return {
        now: () => Date.now() + offset,
        iso() {
            return new Date(this.now()).toISOString();
        },
        advance(ms: number) {
            offset += ms;
        },
    };
}
