// The emulator's request log of a whole run. The emulator keeps the last 20,000 requests (emulator/core/requestLog.ts)
// and a 1,000-tenant `up` makes about 40,000, so the log is read while the run goes, from the last sequence number
// seen; a gap in the sequence numbers means entries were lost and the numbers computed from it are flagged.
import type { LoggedRequest } from "../../emulator/core/requestLog";
import type { EmulatorProcess } from "./emulatorProcess";

export class RequestCollector {
    private readonly entries: LoggedRequest[] = [];
    private last: number;
    private timer?: NodeJS.Timeout;
    private inFlight?: Promise<void>;
    /** Entries the log dropped before they were read. */
    lost = 0;

    private constructor(
        private readonly emu: EmulatorProcess,
        since: number,
    ) {
        this.last = since;
    }

    /** Starts reading the log from now on (every `intervalMs`). */
    static async start(emu: EmulatorProcess, intervalMs = 2000): Promise<RequestCollector> {
        const c = new RequestCollector(emu, await emu.lastSeq());
        c.timer = setInterval(() => void c.poll(), intervalMs);
        return c;
    }

    private poll(): Promise<void> {
        // One read at a time: a slow answer under load must not be overtaken by the next one.
        this.inFlight ??= (async () => {
            try {
                const got = await this.emu.requests(this.last);
                if (got.length && got[0].seq > this.last + 1) this.lost += got[0].seq - this.last - 1;
                for (const e of got) this.entries.push(e);
                if (got.length) this.last = got[got.length - 1].seq;
            } catch {
                // the emulator is busy or stopping: the next poll (or stop) reads from the same point
            } finally {
                this.inFlight = undefined;
            }
        })();
        return this.inFlight;
    }

    /** The requests since start, after a last read. */
    async stop(): Promise<LoggedRequest[]> {
        if (this.timer) clearInterval(this.timer);
        await this.inFlight;
        await this.poll();
        return this.entries;
    }
}

export interface HostCounts {
    register: number;
    source: number;
    /** All customer tenant hosts together. */
    tenants: number;
    /** The customer tenant host that saw the most. */
    maxPerTenantHost: number;
}

/** 429 answers per kind of host: the register host's tenant-create bucket is the one a big fleet shares. */
export function count429(requests: LoggedRequest[], hosts: { registerHost: string; sourceHost: string }): HostCounts {
    const out: HostCounts = { register: 0, source: 0, tenants: 0, maxPerTenantHost: 0 };
    const perTenant = new Map<string, number>();
    for (const r of requests) {
        if (r.status !== 429) continue;
        if (r.host === hosts.registerHost) out.register++;
        else if (r.host === hosts.sourceHost) out.source++;
        else {
            out.tenants++;
            const key = r.tenantId ?? r.host;
            perTenant.set(key, (perTenant.get(key) ?? 0) + 1);
        }
    }
    out.maxPerTenantHost = Math.max(0, ...perTenant.values());
    return out;
}

/** From the first request's start to the last one's end. */
export function requestSpan(requests: { time: string; durationMs?: number }[]): number {
    if (requests.length === 0) return 0;
    let start = Infinity;
    let end = -Infinity;
    for (const r of requests) {
        const t = Date.parse(r.time);
        start = Math.min(start, t - (r.durationMs ?? 0));
        end = Math.max(end, t);
    }
    return end - start;
}
