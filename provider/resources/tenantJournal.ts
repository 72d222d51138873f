// A local journal of tenant creates that have not been given their alias yet.
//
// Qlik's create takes no name or hostname (docs/reference/qlik-cloud-api.md §1), so between POST /api/v1/tenants
// and the PATCH that sets the alias a new tenant cannot be found again through the API: a crash
// there would leave a nameless tenant that still counts against the license quota, and the next up
// would create another. The id is therefore written here the moment the create answers, and the
// next create for the same alias adopts it. The journal lives beside Pulumi's own files
// (PULUMI_HOME), or in QLIK_FLEET_JOURNAL_DIR.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface PendingTenant {
    aliasHost: string;
    tenantId: string;
    systemHostname: string;
    createdAt: string;
}

export function journalFile(env: NodeJS.ProcessEnv = process.env): string {
    const dir =
        env.QLIK_FLEET_JOURNAL_DIR ||
        path.join(env.PULUMI_HOME || path.join(os.homedir(), ".pulumi"), "qlik-tenant-fleet");
    return path.join(dir, "pending-tenants.json");
}

function readAll(file: string): PendingTenant[] {
    try {
        const parsed = JSON.parse(fs.readFileSync(file, "utf8"));
        return Array.isArray(parsed) ? (parsed as PendingTenant[]) : [];
    } catch {
        return [];
    }
}

function writeAll(file: string, entries: PendingTenant[]): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write-then-rename keeps the file whole if the process dies mid-write.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entries, null, 2));
    fs.renameSync(tmp, file);
}

/** Records a created tenant that has no alias yet. Synchronous on purpose: it must land before anything else. */
export function recordPending(entry: PendingTenant, file = journalFile()): void {
    writeAll(file, [...readAll(file).filter((e) => e.tenantId !== entry.tenantId), entry]);
}

export function pendingFor(aliasHost: string, file = journalFile()): PendingTenant[] {
    return readAll(file).filter((e) => e.aliasHost === aliasHost);
}

export function clearPending(tenantId: string, file = journalFile()): void {
    const all = readAll(file);
    const rest = all.filter((e) => e.tenantId !== tenantId);
    if (rest.length !== all.length) writeAll(file, rest);
}
