/**
 * One QIX session over a websocket: JSON-RPC 2.0 envelopes {jsonrpc, id, handle, method, params},
 * params positional (enigma.js) or named (qlik.dev examples). Handle -1 is Global, the opened app is
 * the Doc handle, generic objects get their own handles (the same object keeps its handle).
 * Responses never carry `delta`, so enigma uses the plain values (docs/reference/qlik-cloud-api.md §10).
 */
import type { WebSocket } from "ws";
import type { EngineConnectionContext } from "../../core/context";
import type { AppDocument } from "../../apis/apps/appDocument";
import { appsModel } from "../../apis/apps/model";
import { QIX, QixError } from "./errors";
import { DOC_HANDLE } from "./handles";
import type { MethodTable } from "./methods/types";
import { globalMethods } from "./methods/global";
import { docMethods } from "./methods/doc";
import { objectMethods } from "./methods/genericObject";

export type HandleKind = { kind: "Global" } | { kind: "Doc" } | { kind: "GenericObject"; id: string };

const TABLES: Record<HandleKind["kind"], MethodTable> = {
    Global: globalMethods,
    Doc: docMethods,
    GenericObject: objectMethods,
};

interface Request {
    jsonrpc?: string;
    id?: unknown;
    handle?: unknown;
    method?: unknown;
    params?: unknown;
}

export class Session {
    private readonly handles = new Map<number, HandleKind>([[-1, { kind: "Global" }]]);
    private readonly objectHandles = new Map<string, number>();
    private nextHandle = 2;
    docOpen = false;
    openedWithoutData = false;
    /**
     * Session objects (Doc.CreateSessionObject): live only in this engine session, never saved in the app, and
     * any user who can open the app may create them, as every mashup does for its hypercubes/list boxes
     * (https://qlik.dev/apis/json-rpc/qix/doc#createsessionobject: "Creates a transient object").
     */
    readonly sessionObjects = new Map<string, import("../../apis/apps/appDocument").AppObject>();

    constructor(
        readonly ws: WebSocket,
        readonly ctx: EngineConnectionContext,
    ) {}

    start(): void {
        this.notify("OnConnected", { qSessionState: "SESSION_CREATED" });
        this.ws.on("message", (data) => {
            void this.onMessage(String(data));
        });
    }

    notify(method: string, params: unknown): void {
        this.send({ jsonrpc: "2.0", method, params });
    }

    private send(msg: unknown): void {
        if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
    }

    private async onMessage(text: string): Promise<void> {
        let req: Request;
        try {
            req = JSON.parse(text) as Request;
        } catch {
            this.send({ jsonrpc: "2.0", id: null, error: errorBody(QIX.parseError()) });
            return;
        }
        const id = req.id ?? null;
        try {
            const result = await this.dispatch(req);
            this.send({ jsonrpc: "2.0", id, result });
        } catch (e) {
            const err = e instanceof QixError ? e : QIX.internal(e instanceof Error ? e.message : String(e));
            if (!(e instanceof QixError) && !this.ctx.emu.config.quiet)
                console.error("[emulator] QIX method failed", e);
            this.send({ jsonrpc: "2.0", id, error: errorBody(err) });
        }
    }

    private dispatch(req: Request): unknown | Promise<unknown> {
        if (typeof req.method !== "string" || typeof req.handle !== "number")
            throw QIX.invalidRequest("handle and method are required");
        const h = this.handles.get(req.handle);
        if (!h) throw QIX.invalidRequest(`Invalid handle: ${req.handle}`);
        const spec = TABLES[h.kind][req.method];
        if (!spec) throw QIX.methodNotFound(req.method);
        const args: Record<string, unknown> = {};
        if (Array.isArray(req.params)) {
            req.params.forEach((v, i) => {
                if (i < spec.params.length) args[spec.params[i]] = v;
            });
        } else if (req.params && typeof req.params === "object") {
            Object.assign(args, req.params as Record<string, unknown>);
        } else if (req.params !== undefined && req.params !== null) {
            throw QIX.invalidParams("params must be an array or an object");
        }
        for (const r of spec.required ?? []) if (args[r] === undefined) throw QIX.invalidParams(r);
        return spec.run(this, args, req.handle);
    }

    // ---- helpers for method implementations ----

    openDocHandle(): number {
        this.docOpen = true;
        this.handles.set(DOC_HANDLE, { kind: "Doc" });
        return DOC_HANDLE;
    }

    objectHandle(id: string): number {
        let h = this.objectHandles.get(id);
        if (h === undefined) {
            h = this.nextHandle++;
            this.objectHandles.set(id, h);
            this.handles.set(h, { kind: "GenericObject", id });
        }
        return h;
    }

    releaseObject(id: string): void {
        const h = this.objectHandles.get(id);
        if (h !== undefined) {
            this.handles.delete(h);
            this.objectHandles.delete(id);
        }
    }

    objectIdOf(handle: number): string {
        const h = this.handles.get(handle);
        if (!h || h.kind !== "GenericObject") throw QIX.invalidRequest(`Invalid handle: ${handle}`);
        return h.id;
    }

    get userId(): string {
        return this.ctx.caller.userId;
    }

    /** The app document as stored now (REST changes made meanwhile are visible). */
    doc(): AppDocument {
        const d = appsModel(this.ctx.emu).find(this.ctx.tenant.id, this.ctx.appId);
        if (!d) throw QIX.appNotFound(this.ctx.appId);
        return d;
    }

    save(doc: AppDocument): void {
        doc.attributes.modifiedDate = this.ctx.emu.clock.iso();
        appsModel(this.ctx.emu).save(doc, this.userId);
    }

    canEdit(doc: AppDocument): boolean {
        return appsModel(this.ctx.emu).canEdit(this.ctx.caller, doc);
    }

    requireEdit(doc: AppDocument): void {
        if (!this.canEdit(doc)) throw QIX.accessDenied();
    }
}

function errorBody(e: QixError): { code: number; parameter: string; message: string } {
    return { code: e.code, parameter: e.parameter, message: e.message };
}
