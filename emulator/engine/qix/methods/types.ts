import type { Session } from "../session";

/** A positional or named parameter of a QIX method, in schema order (enigma sends positional arrays). */
export interface MethodSpec {
    params: string[];
    required?: string[];
    run(s: Session, args: Record<string, unknown>, handle: number): unknown | Promise<unknown>;
}

export type MethodTable = Record<string, MethodSpec>;
