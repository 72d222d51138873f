// QIX engine client (enigma.js over ws). Qlik Cloud serves it at wss://<tenant host>/app/<appId> with the same
// Bearer as REST (docs/reference/qlik-cloud-api.md §10). With the endpoint override we dial ws://<override>/app/<appId> and
// put the real host in the Host header, like REST. Every step has a timeout: a hung socket must not hang `pulumi up`.

import enigma from "enigma.js";
import WebSocket from "ws";
import { redact, errMessage, registerSecret } from "./errors";

export interface OpenAppOptions {
    host: string;
    appId: string;
    /** Bearer source; called once per session. */
    auth: () => Promise<string>;
    /** Origin like http://127.0.0.1:8080; ws(s) is derived from it. */
    endpointOverride?: string;
    /** What the caller is doing, for error messages. */
    purpose?: string;
    /** Connect + OpenDoc. Default 30 s. */
    openTimeoutMs?: number;
    /** Each ordinary call. Default 60 s. */
    callTimeoutMs?: number;
    /** DoReloadEx. Default 30 min. */
    reloadTimeoutMs?: number;
    /** Open without data (qNoData), e.g. to edit the script only. */
    noData?: boolean;
}

export interface ReloadResult {
    qSuccess: boolean;
    qScriptLogFile?: string;
    qEndedWithMemoryConstraint?: boolean;
    qFailureData?: {
        qErrors?: {
            qError?: string;
            qDescription?: string;
            qLine?: string;
            qLineNumber?: number;
            qCode?: number;
            qTitle?: string;
        }[];
    };
}

export interface ReloadParams {
    qMode?: number;
    qPartial?: boolean;
    qDebug?: boolean;
    qReloadId?: string;
    qSkipStore?: boolean;
    qRowLimit?: number;
}

export interface EngineSession {
    readonly appId: string;
    getScript(): Promise<string>;
    setScript(script: string): Promise<void>;
    doReloadEx(params?: ReloadParams): Promise<ReloadResult>;
    doSave(): Promise<void>;
    evaluate(expression: string): Promise<string>;
    getAllInfos(): Promise<{ qId: string; qType: string }[]>;
    getAppLayout(): Promise<Record<string, unknown>>;
    /** Idempotent; never throws. */
    close(): Promise<void>;
}

export class EngineError extends Error {
    constructor(
        message: string,
        readonly method: string,
        readonly code?: number,
        readonly httpStatus?: number,
        readonly closeCode?: number,
    ) {
        super(message);
        this.name = "EngineError";
    }
}

/** QAPI's engine-proxy close codes, so a closed socket explains itself. */
const CLOSE_CODES: Record<number, string> = {
    4003: "engine terminating",
    4200: "engine proxy error",
    4201: "client timeout",
    4202: "bad request",
    4203: "no permission to open the app",
    4204: "app not found",
    4205: "too many requests",
    4206: "network error",
    4220: "engine error",
    4230: "entitlement error",
    4240: "no engines available",
};

export function engineUrl(host: string, appId: string, endpointOverride?: string): string {
    const origin = endpointOverride ?? `https://${host}`;
    const u = new URL(`/app/${encodeURIComponent(appId)}`, origin);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.toString();
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

type Doc = Record<string, (...args: unknown[]) => Promise<any>>;

export async function openApp(opts: OpenAppOptions): Promise<EngineSession> {
    const purpose = opts.purpose ?? `open app ${opts.appId}`;
    const openTimeoutMs = opts.openTimeoutMs ?? 30_000;
    const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    const reloadTimeoutMs = opts.reloadTimeoutMs ?? 30 * 60_000;
    const url = engineUrl(opts.host, opts.appId, opts.endpointOverride);
    const where = `wss://${opts.host}/app/${opts.appId}`;
    const token = await opts.auth();
    registerSecret(token);

    let socket: WebSocket | undefined;
    let socketError: string | undefined;
    let httpStatus: number | undefined;
    let closeCode: number | undefined;
    let closeReason = "";
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (opts.endpointOverride) headers.Host = opts.host;

    const describe = (method: string, e: unknown): EngineError => {
        const q = e as { code?: unknown; parameter?: unknown; message?: unknown } | undefined;
        const code = typeof q?.code === "number" ? q.code : undefined;
        const bits = [errMessage(e)];
        if (typeof q?.parameter === "string" && q.parameter) bits.push(`parameter: ${q.parameter}`);
        if (code !== undefined) bits.push(`QIX code ${code}`);
        if (httpStatus) bits.push(`HTTP ${httpStatus} on upgrade`);
        else if (socketError) bits.push(socketError);
        if (closeCode)
            bits.push(
                `socket closed ${closeCode}${CLOSE_CODES[closeCode] ? ` (${CLOSE_CODES[closeCode]})` : ""}${closeReason ? `: ${closeReason}` : ""}`,
            );
        let fix = "";
        if (httpStatus === 401 || closeCode === 4203)
            fix =
                "\nFIX: the bot user cannot open this app: check credentials (qlik:clientId/clientSecret) and that it has access to the app's space";
        else if (closeCode === 4204 || code === 1003)
            fix = "\nFIX: the app does not exist on this tenant (deleted outside Pulumi?); run `pulumi refresh`";
        return new EngineError(
            redact(`Qlik engine call failed while ${purpose}: ${method} on ${where} -> ${bits.join("; ")}${fix}`),
            method,
            code,
            httpStatus,
            closeCode,
        );
    };

    const session = enigma.create({
        schema: require("enigma.js/schemas/12.2027.0.json") as object,
        url,
        suspendOnClose: false,
        createSocket: (u: string) => {
            const ws = new WebSocket(u, { headers, handshakeTimeout: openTimeoutMs, perMessageDeflate: false });
            ws.on("error", (e: Error) => {
                socketError = e.message;
                const m = /Unexpected server response: (\d{3})/.exec(e.message);
                if (m) httpStatus = Number(m[1]);
            });
            ws.on("close", (code: number, reason: Buffer) => {
                closeCode = code === 1000 || code === 1005 ? undefined : code;
                closeReason = reason.toString("utf8");
            });
            socket = ws;
            return ws as unknown as never;
        },
    });

    let closed = false;
    const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        try {
            await withTimeout(session.close(), 5_000, () => new Error("close timeout"));
        } catch {
            socket?.terminate();
        }
    };

    let doc: Doc;
    try {
        doc = await withTimeout(
            (async () => {
                const global = (await session.open()) as unknown as Doc;
                return (await global.openDoc(opts.appId, "", "", "", opts.noData === true)) as Doc;
            })(),
            openTimeoutMs,
            () => new Error(`no answer within ${openTimeoutMs} ms`),
        );
    } catch (e) {
        await close();
        throw describe("OpenDoc", e);
    }

    const call = async <T>(method: string, fn: () => Promise<T>, ms = callTimeoutMs): Promise<T> => {
        if (closed) throw new EngineError(`engine session for ${where} is closed (${purpose})`, method);
        try {
            return await withTimeout(fn(), ms, () => new Error(`no answer within ${ms} ms`));
        } catch (e) {
            // After a timeout the session state is unknown: do not reuse it.
            if (/no answer within/.test(errMessage(e))) await close();
            throw describe(method, e);
        }
    };

    return {
        appId: opts.appId,
        getScript: () => call("GetScript", () => doc.getScript() as Promise<string>),
        setScript: (script) => call("SetScript", async () => void (await doc.setScript(script))),
        doReloadEx: (params = {}) =>
            call("DoReloadEx", () => doc.doReloadEx(params) as Promise<ReloadResult>, reloadTimeoutMs),
        doSave: () => call("DoSave", async () => void (await doc.doSave())),
        evaluate: (expression) => call("Evaluate", () => doc.evaluate(expression) as Promise<string>),
        getAllInfos: () => call("GetAllInfos", () => doc.getAllInfos() as Promise<{ qId: string; qType: string }[]>),
        getAppLayout: () => call("GetAppLayout", () => doc.getAppLayout() as Promise<Record<string, unknown>>),
        close,
    };
}

/** Open, run, always close. */
export async function withApp<T>(opts: OpenAppOptions, fn: (s: EngineSession) => Promise<T>): Promise<T> {
    const s = await openApp(opts);
    try {
        return await fn(s);
    } finally {
        await s.close();
    }
}
