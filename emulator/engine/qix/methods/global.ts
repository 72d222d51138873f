/**
 * Global (handle -1). In Qlik Cloud a websocket is bound to the app of its URL (/app/<appId>), so
 * OpenDoc only opens that app; the caller must be allowed to read it (tenant admin, owner, space member).
 */
import { appsModel } from "../../../apis/apps/model";
import { QIX } from "../errors";
import { DOC_HANDLE } from "../handles";
import type { Session } from "../session";
import { reloadTracker } from "../reloads";
import type { MethodTable } from "./types";

const ENGINE_VERSION = "12.2027.0";

function docRef(s: Session) {
    return { qReturn: { qType: "Doc", qHandle: DOC_HANDLE, qGenericId: s.ctx.appId } };
}

export const globalMethods: MethodTable = {
    OpenDoc: {
        params: ["qDocName", "qUserName", "qPassword", "qSerial", "qNoData"],
        required: ["qDocName"],
        run(s, a) {
            const name = a.qDocName;
            if (typeof name !== "string") throw QIX.invalidParams("qDocName");
            if (name !== s.ctx.appId) throw QIX.appNotFound(name);
            const apps = appsModel(s.ctx.emu);
            const doc = apps.find(s.ctx.tenant.id, name);
            if (!doc) throw QIX.appNotFound(name);
            if (!apps.canRead(s.ctx.caller, doc)) throw QIX.accessDenied(name);
            if (s.docOpen) throw QIX.appAlreadyOpen(name);
            s.openedWithoutData = a.qNoData === true;
            s.openDocHandle();
            return docRef(s);
        },
    },
    GetActiveDoc: {
        params: [],
        run(s) {
            if (!s.docOpen) throw QIX.appInvalid();
            return docRef(s);
        },
    },
    EngineVersion: { params: [], run: () => ({ qVersion: { qComponentVersion: ENGINE_VERSION } }) },
    ProductVersion: { params: [], run: () => ({ qReturn: ENGINE_VERSION }) },
    QvVersion: { params: [], run: () => ({ qReturn: ENGINE_VERSION }) },
    IsDesktopMode: { params: [], run: () => ({ qReturn: false }) },
    OSName: { params: [], run: () => ({ qReturn: "linux" }) },
    GetAuthenticatedUser: { params: [], run: (s) => ({ qReturn: `UserDirectory=; UserId=${s.ctx.caller.subject}` }) },
    GetProgress: {
        params: ["qRequestId"],
        run(s) {
            const running = reloadTracker(s.ctx.emu).isRunning(s.ctx.tenant.id, s.ctx.appId);
            return {
                qProgressData: {
                    qStarted: running,
                    qFinished: !running,
                    qCompleted: running ? 0 : 1,
                    qTotal: 1,
                    qKB: 0,
                    qMillisecs: 0,
                    qUserInteractionWanted: false,
                    qPersistentProgress: "",
                    qTransientProgress: "",
                    qErrorData: [],
                    qPersistentProgressMessages: [],
                    qTransientProgressMessage: { qMessageCode: 0, qMessageParameters: [] },
                },
            };
        },
    },
    CancelReload: {
        params: ["qReason"],
        run(s) {
            reloadTracker(s.ctx.emu).cancel(s.ctx.tenant.id, s.ctx.appId);
            return {};
        },
    },
};
