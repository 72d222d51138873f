// In-memory request log for GET /_emulator/requests (bounded ring; not persisted on purpose:
// it describes this process's traffic).
export interface LoggedRequest {
    seq: number;
    time: string;
    method: string;
    host: string;
    path: string;
    status: number;
    tenantId?: string;
    durationMs?: number;
    fault?: string;
    /** A WebSocket upgrade (status 101 when accepted). */
    upgrade?: boolean;
}

export class RequestLog {
    private entries: LoggedRequest[] = [];
    private seq = 0;
    constructor(private readonly cap = 20_000) {}

    add(e: Omit<LoggedRequest, "seq">): LoggedRequest {
        const entry = { seq: ++this.seq, ...e };
        this.entries.push(entry);
        if (this.entries.length > this.cap) this.entries.splice(0, this.entries.length - this.cap);
        return entry;
    }
    since(seq: number): LoggedRequest[] {
        return this.entries.filter((e) => e.seq > seq);
    }
    clear(): void {
        this.entries = [];
    }
}
