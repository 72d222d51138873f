import Database = require("better-sqlite3");
import * as fs from "node:fs";
import * as path from "node:path";
import type { Store } from "./store";

/** better-sqlite3 store: one table of JSON documents; ":memory:" when there is no data dir. */
export class SqliteStore implements Store {
    private readonly db: Database.Database;
    private readonly stmts: {
        get: Database.Statement;
        put: Database.Statement;
        del: Database.Statement;
        list: Database.Statement;
        listTenant: Database.Statement;
        collections: Database.Statement;
    };

    constructor(file: string = ":memory:") {
        if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
        this.db = new Database(file);
        if (file !== ":memory:") this.db.pragma("journal_mode = WAL");
        this.db.exec(`CREATE TABLE IF NOT EXISTS docs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      collection TEXT NOT NULL, id TEXT NOT NULL, tenant_id TEXT, value TEXT NOT NULL,
      UNIQUE(collection, id));
      CREATE INDEX IF NOT EXISTS docs_tenant ON docs(collection, tenant_id);`);
        this.stmts = {
            get: this.db.prepare("SELECT value FROM docs WHERE collection = ? AND id = ?"),
            put: this.db.prepare(`INSERT INTO docs (collection, id, tenant_id, value) VALUES (?, ?, ?, ?)
        ON CONFLICT(collection, id) DO UPDATE SET value = excluded.value, tenant_id = excluded.tenant_id`),
            del: this.db.prepare("DELETE FROM docs WHERE collection = ? AND id = ?"),
            list: this.db.prepare("SELECT value FROM docs WHERE collection = ? ORDER BY seq"),
            listTenant: this.db.prepare("SELECT value FROM docs WHERE collection = ? AND tenant_id = ? ORDER BY seq"),
            collections: this.db.prepare("SELECT DISTINCT collection FROM docs ORDER BY collection"),
        };
    }

    get<T>(collection: string, id: string): T | undefined {
        const row = this.stmts.get.get(collection, id) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as T) : undefined;
    }

    put<T>(collection: string, id: string, value: T, tenantId?: string): void {
        this.stmts.put.run(collection, id, tenantId ?? null, JSON.stringify(value));
    }

    delete(collection: string, id: string): boolean {
        return this.stmts.del.run(collection, id).changes > 0;
    }

    list<T>(collection: string, tenantId?: string): T[] {
        const rows = (
            tenantId === undefined ? this.stmts.list.all(collection) : this.stmts.listTenant.all(collection, tenantId)
        ) as { value: string }[];
        return rows.map((r) => JSON.parse(r.value) as T);
    }

    transaction<R>(fn: () => R): R {
        return this.db.transaction(fn)();
    }

    collections(): string[] {
        return (this.stmts.collections.all() as { collection: string }[]).map((r) => r.collection);
    }

    close(): void {
        if (this.db.open) this.db.close();
    }
}
