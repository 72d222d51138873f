// Shared shapes of the request pipeline. One request function, composed of plugins (octokit-style):
//   redirects/expect -> retry -> auth -> throttle -> transport

export type Tier = 1 | 2 | "reloads" | "filter" | "temp-contents";

export type QueryValue = string | number | boolean | undefined | null;

export interface QlikRequest {
    /** Real Qlik host, e.g. acme.us.qlikcloud.com (never the override address). */
    host: string;
    method: string;
    /** Path beginning with "/", may already carry a query string. */
    path: string;
    query?: Record<string, QueryValue>;
    /** JSON body. */
    body?: unknown;
    /** Raw bytes (app import); wins over body. */
    rawBody?: Buffer;
    contentType?: string;
    headers?: Record<string, string>;
    /** Accepted statuses; default: any 2xx. */
    expect?: number[];
    timeoutMs?: number;
    tier?: Tier;
    /** What the caller is doing, for error messages: "create tenant acme". */
    purpose: string;
    /** Marks a POST as safe to repeat (e.g. an action that is a no-op the second time). */
    idempotent?: boolean;
    responseType?: "json" | "buffer" | "text";
    /** false: no Authorization header (the token endpoint itself). */
    auth?: boolean;
    /** Follow 301/302/303/307/308 for GET (default true); Location is rewritten through the override. */
    followRedirects?: boolean;
}

export interface QlikResponse<T = unknown> {
    status: number;
    /** Lower-cased header names. */
    headers: Record<string, string>;
    body: T;
}

export type Handler = (req: QlikRequest) => Promise<QlikResponse>;
export type Plugin = (next: Handler) => Handler;

/** A failure below HTTP: the transport throws it, retry decides, the outer layer turns it into QlikApiError. */
export class TransportError extends Error {
    constructor(
        message: string,
        readonly kind: "timeout" | "network",
        readonly netCode?: string,
        /** False only when we know no byte reached the server (connection refused). */
        readonly maybeSent: boolean = true,
        readonly timeoutMs?: number,
    ) {
        super(message);
        this.name = "TransportError";
    }
}

export function isTransportError(e: unknown): e is TransportError {
    return e instanceof TransportError || (e instanceof Error && e.name === "TransportError");
}

export function compose(plugins: Plugin[], transport: Handler): Handler {
    return plugins.reduceRight<Handler>((next, plugin) => plugin(next), transport);
}

export const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]);
