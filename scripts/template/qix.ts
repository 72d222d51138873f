// A minimal QIX session for scripts: enigma.js over ws to <emulator or Qlik>/app/<appId> with the real
// tenant host in the Host header, authenticated either by Bearer (bot) or by a user's session cookie
// (+ qlik-csrf-token query, as browsers do). Every step is bounded by a timeout.
import enigma from "enigma.js";
import WebSocket from "ws";

export interface QixAuth {
    bearer?: string;
    /** Cookie header value from /login/jwt-session. */
    cookie?: string;
    csrfToken?: string;
}

export interface QixOptions {
    /** Origin the socket goes to: the emulator's http URL, or https://<host> for real Qlik Cloud. */
    origin: string;
    host: string;
    appId: string;
    auth: QixAuth;
    timeoutMs?: number;
}

/** enigma's generated API objects: methods by name, untyped. */
// enigma.js generates its API objects from a JSON schema at run time and ships no types for them: callers
// narrow each result where they use it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type QixObject = Record<string, (...args: unknown[]) => Promise<any>>;

export interface QixDoc {
    doc: QixObject;
    close(): Promise<void>;
}

/** Rejected socket upgrades and engine-proxy close codes, so a caller can decide to retry (403). */
export class QixOpenError extends Error {
    constructor(
        message: string,
        readonly httpStatus?: number,
        readonly closeCode?: number,
    ) {
        super(message);
        this.name = "QixOpenError";
    }
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

export function qixUrl(origin: string, host: string, appId: string, csrfToken?: string): string {
    const u = new URL(`/app/${encodeURIComponent(appId)}`, origin);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    if (csrfToken) u.searchParams.set("qlik-csrf-token", csrfToken);
    return u.toString();
}

export async function openQixDoc(opts: QixOptions): Promise<QixDoc> {
    const ms = opts.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { Host: opts.host };
    if (opts.auth.bearer) headers.Authorization = `Bearer ${opts.auth.bearer}`;
    if (opts.auth.cookie) headers.Cookie = opts.auth.cookie;
    let httpStatus: number | undefined;
    let closeCode: number | undefined;
    const session = enigma.create({
        schema: require("enigma.js/schemas/12.2027.0.json") as object,
        url: qixUrl(opts.origin, opts.host, opts.appId, opts.auth.csrfToken),
        suspendOnClose: false,
        createSocket: (url: string) => {
            const ws = new WebSocket(url, { headers, handshakeTimeout: ms, perMessageDeflate: false });
            ws.on("error", (e: Error) => {
                const m = /Unexpected server response: (\d{3})/.exec(e.message);
                if (m) httpStatus = Number(m[1]);
            });
            ws.on("close", (code: number) => {
                if (code !== 1000 && code !== 1005) closeCode = code;
            });
            return ws as unknown as never;
        },
    });
    const close = async () => {
        try {
            await bounded(session.close(), 5_000, "close");
        } catch {
            // the socket is gone either way
        }
    };
    try {
        const global = (await bounded(session.open(), ms, `connect to ${opts.host}`)) as unknown as QixObject;
        const doc = (await bounded(global.openDoc(opts.appId), ms, `OpenDoc ${opts.appId}`)) as QixObject;
        return { doc, close };
    } catch (e) {
        await close();
        const q = e as { code?: number; message?: string };
        const status = httpStatus ?? (q.code === 5 ? 403 : undefined);
        throw new QixOpenError(
            `cannot open app ${opts.appId} on ${opts.host}: ${q.message ?? String(e)}` +
                `${httpStatus ? ` (HTTP ${httpStatus})` : ""}${closeCode ? ` (socket closed ${closeCode})` : ""}`,
            status,
            closeCode,
        );
    }
}
