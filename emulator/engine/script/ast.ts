import type { Expr } from "../data/expr";

export interface LoadField {
    expr: Expr | "*";
    name: string;
}

export type LoadSource =
    | { type: "inline"; text: string; delimiter: string }
    | { type: "resident"; table: string }
    | { type: "autogenerate"; count: Expr }
    | { type: "file"; path: string }
    | { type: "preceding" }; // reads the result of the next LOAD/SELECT statement

export interface TablePrefix {
    concatenate?: { table?: string };
    noConcatenate?: boolean;
}

export type Statement =
    | { kind: "connect"; target: string }
    | { kind: "disconnect" }
    | { kind: "set"; name: string; value: string }
    | { kind: "let"; name: string; expr: Expr | null }
    | { kind: "trace"; text: string }
    | { kind: "exit" }
    | { kind: "drop"; what: "table" | "field"; names: string[]; from?: string[] }
    | {
          kind: "load";
          label?: string;
          prefix: TablePrefix;
          distinct: boolean;
          fields: LoadField[];
          source: LoadSource;
          where?: Expr;
      }
    | { kind: "sql"; label?: string; prefix: TablePrefix; sql: string };
