// Live progress of a fleet command. On a terminal: one line per shard, redrawn in place
// (`shard 3 (dev-3): up 12/50 customers, 2 changed, 0 failed, 41s`). Elsewhere (CI logs, pipes): every engine line
// of every shard as a plain line prefixed `[<stack>] `, so interleaved shards stay readable.
import type { ShardJob, ShardProgress } from "./shardRunner";

export function progressLine(p: ShardProgress, now = Date.now()): string {
    const secs = p.startedAt ? Math.round(((p.endedAt ?? now) - p.startedAt) / 1000) : 0;
    const state = p.state === "waiting" ? "waiting" : p.state === "running" ? p.command : `${p.command} ${p.state}`;
    return (
        `shard ${p.job.shard} (${p.job.stack}): ${state} ${p.touched}/${p.job.aliases.length} customers, ` +
        `${p.changed} changed, ${p.failed} failed, ${secs}s`
    );
}

export interface Progress {
    /** An engine line of one shard. */
    line(job: ShardJob, text: string): void;
    update(p: ShardProgress): void;
    /** Stops redrawing (the last state stays on screen). */
    close(): void;
}

/** Plain prefixed lines: nothing redrawn, every line kept. */
export function plainProgress(write: (line: string) => void): Progress {
    return {
        line: (job, text) => {
            for (const l of text.split("\n")) if (l.trim()) write(`[${job.stack}] ${l.trimEnd()}`);
        },
        update: () => undefined,
        close: () => undefined,
    };
}

/** One redrawn line per shard on a terminal stream; engine lines are dropped (the summary follows). */
export function ttyProgress(stream: NodeJS.WriteStream, jobs: readonly ShardJob[]): Progress {
    const state = new Map<number, ShardProgress>(
        jobs.map((job) => [job.shard, { job, command: "up", state: "waiting", touched: 0, changed: 0, failed: 0 }]),
    );
    let drawn = 0;
    const draw = () => {
        const lines = [...state.values()].map((p) => progressLine(p).slice(0, (stream.columns || 120) - 1));
        // Up to the first line drawn, then each line cleared and rewritten.
        let out = drawn ? `\x1b[${drawn}A` : "";
        for (const l of lines) out += `\r\x1b[2K${l}\n`;
        stream.write(out);
        drawn = lines.length;
    };
    const timer = setInterval(draw, 1000);
    timer.unref();
    return {
        line: () => undefined,
        update: (p) => {
            const first = state.get(p.job.shard)?.state === "waiting";
            state.set(p.job.shard, p);
            if (first || p.state !== "running") draw();
        },
        close: () => {
            clearInterval(timer);
            draw();
        },
    };
}
