/**
 * QIX JSON-RPC errors: {code, parameter, message}. Codes are LocalizedErrorCode values from the enigma.js
 * schema 12.2027.0 (docs/reference/qlik-cloud-api.md §10); messages follow the engine's wording.
 */
export class QixError extends Error {
    constructor(
        readonly code: number,
        readonly parameter: string,
        message: string,
    ) {
        super(message);
    }
}

export const QIX = {
    methodNotFound: (method: string) => new QixError(-32601, method, "Method not found"),
    invalidParams: (detail: string) => new QixError(-32602, detail, "Invalid params"),
    invalidRequest: (detail: string) => new QixError(-32600, detail, "Invalid Request"),
    parseError: () => new QixError(-32700, "", "Parse error"),
    internal: (detail: string) => new QixError(-32603, detail, "Internal error"),
    accessDenied: (detail = "") => new QixError(5, detail, "Access denied"),
    appNotFound: (docName: string) => new QixError(1003, docName, "App not found"),
    appInvalid: (detail = "No active document") => new QixError(1007, detail, "App invalid"),
    appAlreadyOpen: (docName: string) => new QixError(1002, docName, "App already open"),
    reloadInProgress: () => new QixError(11000, "", "Reload in progress"),
    objectNotFound: (id: string) => new QixError(2, id, "Object not found"),
};
