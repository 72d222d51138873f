// The throw-away PostgreSQL server of the state-backend tests (tests/support/postgresState.ts: Debian's package,
// initdb in a temp folder, a free loopback port), re-exported for the bench's multi-runner onboarding, plus what
// the bench reads from Pulumi's table: the stored checkpoints and the lock rows (docs/state-backends.md).
import { readCheckpoint, type StoredState } from "./fleetSetup";
import { startStatePostgres, type StatePostgres } from "../../tests/support/postgresState";

export { startStatePostgres, type StatePostgres };

/** Lock rows left in the backend: `<db>/.pulumi/locks/organization/<project>/<stack>/<uuid>.json`. */
export async function lockRows(pg: StatePostgres): Promise<string[]> {
    const rows = await pg.query<{ key: string }>("SELECT key FROM pulumi_state WHERE key LIKE '%/.pulumi/locks/%'");
    return rows.map((r) => r.key);
}

/** Every stack checkpoint of `project` in the backend; a row's data is `{"data": "<base64 of the file>"}`. */
export async function storedStateOfPostgres(pg: StatePostgres, project: string): Promise<StoredState> {
    const rows = await pg.query<{ key: string; data: { data: string } }>(
        "SELECT key, data FROM pulumi_state WHERE key LIKE $1",
        [`%/.pulumi/stacks/${project}/%`],
    );
    const out: StoredState = { stacks: 0, storedBytes: 0, jsonBytes: 0, customersByStack: {} };
    for (const r of rows) {
        const m = /\/([^/]+)\.json(\.gz)?$/.exec(r.key);
        if (!m) continue;
        const raw = Buffer.from(r.data.data, "base64");
        const cp = readCheckpoint(raw);
        out.stacks++;
        out.storedBytes += raw.length;
        out.jsonBytes += Buffer.byteLength(cp.json);
        out.customersByStack[m[1]] = cp.customers;
    }
    return out;
}
