// Everything the emulator knows lives behind this interface, so a restart with the same data dir keeps it.
export interface Store {
    get<T>(collection: string, id: string): T | undefined;
    /** Upsert (JSON-serialised). An update keeps the original insertion position. */
    put<T>(collection: string, id: string, value: T, tenantId?: string): void;
    delete(collection: string, id: string): boolean;
    /** Insertion order; with tenantId only that tenant's documents. */
    list<T>(collection: string, tenantId?: string): T[];
    transaction<R>(fn: () => R): R;
    /** Names of the collections that hold at least one document (admin /state). */
    collections(): string[];
    close(): void;
}
