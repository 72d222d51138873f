// Stack locks of a DIY backend (file, S3, PostgreSQL): a killed `pulumi up` leaves its lock behind and every later
// run of that stack refuses with "the stack is currently locked by N lock(s) ... <lock url>: created by
// <user>@<host> (pid <pid>) at <time>" until `pulumi cancel` removes it
// (https://www.pulumi.com/docs/iac/cli/commands/pulumi_cancel/; docs/state-backends.md: lock behaviour).
// Only a lock whose holder is provably dead may be removed: taken on this host by a pid that no longer runs.
import * as os from "os";

export interface LockHolder {
    user: string;
    host: string;
    pid: number;
    at: string;
}

const LOCKED = /stack is currently locked|stack \S+ is currently locked by|another update is currently in progress/i;

export const isLockedMessage = (text: string): boolean => LOCKED.test(text);

/** The holders named in a "currently locked" message (none when the message names none). */
export function lockHolders(text: string): LockHolder[] {
    const out: LockHolder[] = [];
    for (const m of text.matchAll(/created by (\S+?)@(\S+) \(pid (\d+)\) at (\S+)/g))
        out.push({ user: m[1], host: m[2], pid: Number(m[3]), at: m[4] });
    return out;
}

/** Whether a pid runs on this host (signal 0 tests existence; EPERM means it runs under another user). */
export function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/**
 * Safe to `pulumi cancel`: every holder was on this host and its process is gone. A holder on another host (another
 * CI runner) or a live pid may still be writing the state, so that lock stays and the shard fails instead.
 */
export function staleLocalLock(
    text: string,
    host = os.hostname(),
    alive: (pid: number) => boolean = pidAlive,
): LockHolder | undefined {
    const holders = lockHolders(text);
    if (!holders.length) return undefined;
    return holders.every((h) => h.host === host && !alive(h.pid)) ? holders[0] : undefined;
}

/** Passwords out of backend URLs (a PostgreSQL backend's lock URL is `postgres://user:password@...`). */
export function redactUrls(text: string): string {
    return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, "$1:***@");
}

/** The one message of a shard whose stack another run holds: which stack, who holds it, how to clear it. */
export function lockedMessage(stack: string, text: string, cancelCommand: string): string {
    const holders = lockHolders(text);
    const who = holders.length
        ? holders.map((h) => `${h.user}@${h.host} (pid ${h.pid}) since ${h.at}`).join(", ")
        : "an earlier Pulumi run";
    return (
        `stack ${stack} is currently locked by ${who}. If that run is over (a killed runner leaves its lock behind), remove ` +
        `the lock with \`${cancelCommand}\` and run the command again; otherwise wait for it to finish.`
    );
}
