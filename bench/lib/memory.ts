// Peak memory of a process tree, from /proc (Linux). VmHWM is each process's own peak resident set,
// so sampling only has to see a process once before it exits; the sum of VmRSS over the tree at one
// instant gives the peak of the whole tree. Roles are told apart by command line.
import * as fs from "node:fs";

export type Role = "pulumi-cli" | "language-host" | "program" | "provider" | "other";

export interface ProcessPeak {
    pid: number;
    role: Role;
    command: string;
    hwmKiB: number;
    /** CPU time (user + system) seen last, ms: what the process cost whatever the machine's load. */
    cpuMs: number;
}

export interface MemoryReport {
    /** Highest sum of VmRSS over the whole tree seen in one sample. */
    treePeakKiB: number;
    /** Highest VmHWM per role (a role may have several processes: the max of them). */
    byRole: Partial<Record<Role, number>>;
    processes: ProcessPeak[];
    samples: number;
    /** CPU time of every process seen, ms (up to its last sample), in all and per role. */
    cpuMs?: number;
    cpuMsByRole?: Partial<Record<Role, number>>;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

function cpuMsOf(pid: number): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
    } catch {
        return undefined;
    }
}

function readStatusKiB(pid: number): { hwm: number; rss: number } | undefined {
    try {
        const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0);
        return { hwm: kib("VmHWM"), rss: kib("VmRSS") };
    } catch {
        return undefined;
    }
}

function parentMap(): Map<number, number[]> {
    const children = new Map<number, number[]>();
    for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
            // Field 4 (ppid) follows "(comm)", and comm may contain spaces.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            const list = children.get(ppid) ?? [];
            list.push(Number(d));
            children.set(ppid, list);
        } catch {
            // the process exited while we looked
        }
    }
    return children;
}

function commandOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    } catch {
        return "";
    }
}

export function roleOf(command: string): Role {
    if (/dynamic-provider|pulumi-resource-pulumi-nodejs/.test(command)) return "provider";
    if (/pulumi-language-nodejs/.test(command)) return "language-host";
    if (/@pulumi[/\\]pulumi[/\\]cmd[/\\]run/.test(command)) return "program";
    if (/(^|\/)pulumi(\s|$)/.test(command)) return "pulumi-cli";
    return "other";
}

export const memoryAvailable = (): boolean => fs.existsSync("/proc/self/status");

/**
 * Samples the trees under the root pids every intervalMs until stop(). Several roots are summed as one tree: the
 * runners of a multi-runner onboarding stand for one machine's worth of processes.
 */
export class TreeSampler {
    private readonly peaks = new Map<number, ProcessPeak>();
    private readonly roots = new Set<number>();
    private treePeak = 0;
    private samples = 0;
    private timer?: NodeJS.Timeout;

    constructor(
        rootPid?: number,
        private readonly intervalMs = 100,
    ) {
        if (rootPid !== undefined) this.roots.add(rootPid);
    }

    add(pid: number): this {
        this.roots.add(pid);
        return this;
    }

    start(): this {
        if (!memoryAvailable() || this.timer) return this;
        this.sample();
        this.timer = setInterval(() => this.sample(), this.intervalMs);
        return this;
    }

    private sample(): void {
        const children = parentMap();
        const tree: number[] = [];
        const walk = (pid: number) => {
            tree.push(pid);
            for (const c of children.get(pid) ?? []) walk(c);
        };
        for (const root of this.roots) walk(root);
        let rss = 0;
        for (const pid of tree) {
            const st = readStatusKiB(pid);
            if (!st) continue;
            rss += st.rss;
            let p = this.peaks.get(pid);
            if (!p) {
                const command = commandOf(pid);
                p = { pid, role: roleOf(command), command: command.slice(0, 200), hwmKiB: 0, cpuMs: 0 };
                this.peaks.set(pid, p);
            }
            p.hwmKiB = Math.max(p.hwmKiB, st.hwm);
            p.cpuMs = Math.max(p.cpuMs, cpuMsOf(pid) ?? 0);
        }
        this.samples++;
        this.treePeak = Math.max(this.treePeak, rss);
    }

    stop(): MemoryReport {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return this.report();
    }

    /** The peaks so far (sampling goes on). */
    report(): MemoryReport {
        const byRole: Partial<Record<Role, number>> = {};
        const cpuMsByRole: Partial<Record<Role, number>> = {};
        let cpuMs = 0;
        for (const p of this.peaks.values()) {
            byRole[p.role] = Math.max(byRole[p.role] ?? 0, p.hwmKiB);
            cpuMsByRole[p.role] = (cpuMsByRole[p.role] ?? 0) + p.cpuMs;
            cpuMs += p.cpuMs;
        }
        return {
            treePeakKiB: this.treePeak,
            byRole,
            processes: [...this.peaks.values()],
            samples: this.samples,
            cpuMs,
            cpuMsByRole,
        };
    }
}
