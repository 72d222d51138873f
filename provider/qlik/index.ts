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

export type CallOptions = Omit<QlikRequest, "host" | "method" | "path" | "body">;

export class HostClient {
    constructor(
        readonly host: string,
        private readonly requester: QlikRequester,
    ) {}

    /** Full response (status, headers, body), for callers that need headers such as Location. */
    send<T = unknown>(req: Omit<QlikRequest, "host">): Promise<QlikResponse<T>> {
        return this.requester.request<T>({ ...req, host: this.host });
    }

    async get<T = unknown>(path: string, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "GET", path })).body;
    }

    async post<T = unknown>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "POST", path, body })).body;
    }

    async put<T = unknown>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "PUT", path, body })).body;
    }

    async patch<T = unknown>(path: string, body: unknown, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "PATCH", path, body })).body;
    }

    async delete<T = unknown>(path: string, opts: CallOptions): Promise<T> {
        return (await this.send<T>({ ...opts, method: "DELETE", path })).body;
    }

    paginate<T = unknown>(
        path: string,
        opts: { purpose: string; query?: QlikRequest["query"]; itemsKey?: string },
    ): AsyncGenerator<T> {
        return paginate<T>(this.requester, { ...opts, host: this.host, path });
    }

    paginateAll<T = unknown>(
        path: string,
        opts: { purpose: string; query?: QlikRequest["query"]; itemsKey?: string },
    ): Promise<T[]> {
        return paginateAll<T>(this.requester, { ...opts, host: this.host, path });
    }

    async download(path: string, opts: CallOptions): Promise<Buffer> {
        return (await download(this.requester.request, { ...opts, host: this.host, path })).body;
    }

    async upload<T = unknown>(path: string, data: Buffer, opts: CallOptions): Promise<T> {
        return (await upload<T>(this.requester.request, { ...opts, host: this.host, path, data })).body;
    }

    bearer(): Promise<string> {
        return this.requester.bearer(this.host);
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

    request<T = unknown>(req: QlikRequest): Promise<QlikResponse<T>> {
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
export type { QlikRequest, QlikResponse, Tier } from "./types";
