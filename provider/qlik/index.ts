// The small surface resource handlers use:
//   const api = new QlikClient().forHost(tenantHost);
//   const me = await api.get("/api/v1/users/me", { purpose: `verify tenant ${name}` });

import {
    QlikRequester,
    createRequester,
    defaultRequester,
    download,
    paginate,
    paginateAll,
    upload,
    ClientOptions,
} from "./rest";
import { QlikRequest, QlikResponse } from "./types";
import { EngineSession, OpenAppOptions, openApp, withApp } from "./engine";

export type CallOptions = Omit<QlikRequest, "host" | "method" | "path" | "body">;

export class HostClient {
    constructor(
        readonly host: string,
        private readonly requester: QlikRequester,
    ) {}

    /** Full response (status, headers, body), for callers that need headers such as Location. */
    send<T = any>(req: Omit<QlikRequest, "host">): Promise<QlikResponse<T>> {
        return this.requester.request<T>({ ...req, host: this.host });
    }

    async get<T = any>(path: string, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "GET", path })).body;
    }

    async post<T = any>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "POST", path, body })).body;
    }

    async put<T = any>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "PUT", path, body })).body;
    }

    async patch<T = any>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "PATCH", path, body })).body;
    }

    async delete<T = any>(path: string, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "DELETE", path })).body;
    }

    paginate<T = any>(
        path: string,
        opts: { purpose: string; query?: QlikRequest["query"]; itemsKey?: string },
    ): AsyncGenerator<T> {
        return paginate<T>(this.requester, { ...opts, host: this.host, path });
    }

    paginateAll<T = any>(
        path: string,
        opts: { purpose: string; query?: QlikRequest["query"]; itemsKey?: string },
    ): Promise<T[]> {
        return paginateAll<T>(this.requester, { ...opts, host: this.host, path });
    }

    async download(path: string, opts: CallOptions): Promise<Buffer> {
        return (await download(this.requester.request, { ...opts, host: this.host, path })).body;
    }

    async upload<T = any>(path: string, data: Buffer, opts: CallOptions): Promise<T> {
        return (await upload<T>(this.requester.request, { ...opts, host: this.host, path, data })).body;
    }

    bearer(): Promise<string> {
        return this.requester.bearer(this.host);
    }

    /** Engine session on an app of this host; caller must close() it (or use withApp). */
    openApp(
        appId: string,
        opts: Omit<OpenAppOptions, "host" | "appId" | "auth" | "endpointOverride"> = {},
    ): Promise<EngineSession> {
        return openApp({
            ...opts,
            host: this.host,
            appId,
            auth: () => this.bearer(),
            endpointOverride: this.requester.config().endpointOverride,
        });
    }

    /** Open, run fn, always close. */
    withApp<T>(
        appId: string,
        fn: (s: EngineSession) => Promise<T>,
        opts: Omit<OpenAppOptions, "host" | "appId" | "auth" | "endpointOverride"> = {},
    ): Promise<T> {
        return withApp(
            {
                ...opts,
                host: this.host,
                appId,
                auth: () => this.bearer(),
                endpointOverride: this.requester.config().endpointOverride,
            },
            fn,
        );
    }
}

export class QlikClient {
    private readonly requester: QlikRequester;

    /** No options: the provider-wide pipeline (global throttle and token cache, config read per call). */
    constructor(opts?: ClientOptions) {
        this.requester = opts ? createRequester(opts) : defaultRequester();
    }

    forHost(host: string): HostClient {
        return new HostClient(host.toLowerCase(), this.requester);
    }

    request<T = any>(req: QlikRequest): Promise<QlikResponse<T>> {
        return this.requester.request<T>(req);
    }

    config() {
        return this.requester.config();
    }
}

export { qlikRequest, createRequester, paginate, paginateAll, download, upload, redirectTarget } from "./rest";
export type { ClientOptions, QlikRequester, RequestFn, PageRequest } from "./rest";
export { QlikApiError, isQlikApiError, redact, registerSecret, parseQlikErrorBody } from "./errors";
export { Throttle, globalThrottle, tierFor, TIER_LIMITS } from "./throttle";
export { TokenCache, globalTokenCache } from "./auth";
export { parseRetryAfter, DEFAULT_RETRY } from "./retry";
export type { RetryPolicy } from "./retry";
export { openApp, withApp, EngineError } from "./engine";
export type { EngineSession, OpenAppOptions } from "./engine";
export type { QlikRequest, QlikResponse, Tier } from "./types";
