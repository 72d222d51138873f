// The bulk actions (POST actions/delete, actions/update): one outcome per connection, the call itself a 207.
import { DomainError } from "../../core/errors";
import { bad, str, type Body } from "./record";

/** One item of a bulk action: done, or the domain error of that one item (routes render it). */
export interface BulkOutcome {
    id: string;
    error?: DomainError;
}

/** The `connections` array of a bulk action body; every item needs a string id (400 for the whole call otherwise). */
export function bulkItems(body: Body): Array<Record<string, unknown> & { id: string }> {
    const list = body.connections;
    if (!Array.isArray(list) || list.length === 0) throw bad("connections must be a non-empty array.");
    return list.map((it: unknown) => {
        if (!it || typeof it !== "object" || Array.isArray(it) || !str((it as Body).id) || (it as Body).id === "") {
            throw bad("Each item of connections needs a string id.");
        }
        return it as Record<string, unknown> & { id: string };
    });
}

export function bulkResult(id: string, fn: () => void): BulkOutcome {
    try {
        fn();
        return { id };
    } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { id, error: e };
    }
}
