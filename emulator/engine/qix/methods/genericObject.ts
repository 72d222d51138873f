/** GenericObject methods on the handles returned by CreateObject / GetObject. */
import type { AppObject } from "../../../apis/apps/appDocument";
import { QIX } from "../errors";
import { layoutOf, mayModify, propertiesOf, visibleTo } from "../objects";
import type { Session } from "../session";
import type { MethodTable } from "./types";

function current(s: Session, handle: number) {
    const id = s.objectIdOf(handle);
    const doc = s.doc();
    const transient = s.sessionObjects.get(id);
    if (transient) return { doc, o: transient, transient: true };
    const o = doc.objects[id];
    if (!o || !visibleTo(o, s.userId)) throw QIX.objectNotFound(id);
    return { doc, o, transient: false };
}

export const objectMethods: MethodTable = {
    GetLayout: {
        params: [],
        run(s, _a, h) {
            const { doc, o } = current(s, h);
            return { qLayout: layoutOf(o, doc, s) };
        },
    },
    GetProperties: {
        params: [],
        run(s, _a, h) {
            return { qProp: propertiesOf(current(s, h).o) };
        },
    },
    GetEffectiveProperties: {
        params: [],
        run(s, _a, h) {
            return { qProp: propertiesOf(current(s, h).o) };
        },
    },
    GetInfo: {
        params: [],
        run(s, _a, h) {
            return { qInfo: { ...current(s, h).o.qInfo } };
        },
    },
    SetProperties: {
        params: ["qProp"],
        required: ["qProp"],
        run(s, a, h) {
            const { doc, o, transient } = current(s, h);
            if (!transient && !mayModify(s, doc, o)) throw QIX.accessDenied(o.qInfo.qId);
            const prop = a.qProp as Record<string, unknown> | null;
            if (!prop || typeof prop !== "object") throw QIX.invalidParams("qProp");
            // qInfo is immutable: the engine keeps id and type whatever the client sends.
            const next: AppObject = {
                ...o,
                qMetaDef: { ...((prop.qMetaDef as AppObject["qMetaDef"] | undefined) ?? o.qMetaDef) },
                qProperties: { ...prop, qInfo: { ...o.qInfo } },
            };
            if (transient) {
                s.sessionObjects.set(o.qInfo.qId, next);
                return {};
            }
            doc.objects[o.qInfo.qId] = next;
            s.save(doc);
            return {};
        },
    },
};
