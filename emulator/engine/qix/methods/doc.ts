/** Doc methods (the handle returned by OpenDoc). Result keys follow the enigma.js 12.2027.0 schema out-params. */
import { currentScript, type AppObject } from "../../../apis/apps/appDocument";
import { hex24 } from "../../../core/ids";
import { evaluateDual, evaluateText } from "../../data/evaluate";
import { splitStatements } from "../../script/lexer";
import { parseStatement } from "../../script/parser";
import { DATA_CONNECTIONS, type DataConnectionRecord } from "../../../apis/data-connections/model";
import { QIX, QixError } from "../errors";
import { PERSONAL_TYPES, layoutOf, mayModify, newObjectId, objectRef, visibleTo } from "../objects";
import { reloadApp } from "../reloads";
import { tablesAndKeys } from "../tables";
import type { Session } from "../session";
import type { MethodTable } from "./types";

const LOCALE_INFO = {
    qDecimalSep: ".",
    qThousandSep: ",",
    qListSep: ",",
    qMoneyDecimalSep: ".",
    qMoneyThousandSep: ",",
    qMoneyFmt: "$#,##0.00;-$#,##0.00",
    qTimeFmt: "h:mm:ss TT",
    qDateFmt: "M/D/YYYY",
    qTimestampFmt: "M/D/YYYY h:mm:ss[.fff] TT",
    qFirstWeekDay: 6,
    qBrokenWeeks: true,
    qReferenceDay: 0,
    qFirstMonthOfYear: 1,
    qCollation: "en-US",
    qNumericalAbbreviation: "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y",
};

function tablesFor(s: Session) {
    return s.openedWithoutData ? [] : s.doc().tables;
}

interface ObjectProp {
    qInfo: { qId?: unknown; qType: string };
    qMetaDef?: Record<string, unknown>;
}

/** qProp of CreateObject / CreateSessionObject: an object whose qInfo.qType is a non-empty string. */
function objectProp(v: unknown): ObjectProp {
    const prop = v as { qInfo?: { qType?: unknown } } | null;
    if (
        !prop ||
        typeof prop !== "object" ||
        Array.isArray(prop) ||
        !prop.qInfo ||
        typeof prop.qInfo !== "object" ||
        typeof prop.qInfo.qType !== "string" ||
        prop.qInfo.qType === ""
    ) {
        throw QIX.invalidParams("qProp.qInfo.qType");
    }
    return prop as ObjectProp;
}

/** The caller's object for `prop`, under the qId it names (a free one, else error 3) or a new one. */
function newAppObject(s: Session, prop: ObjectProp, origin: AppObject["origin"], taken: (qId: string) => boolean) {
    const qType = prop.qInfo.qType;
    const qId = typeof prop.qInfo.qId === "string" && prop.qInfo.qId !== "" ? prop.qInfo.qId : newObjectId();
    if (taken(qId)) throw new QixError(3, qId, "Already exists");
    const obj: AppObject = {
        qInfo: { qId, qType },
        qMetaDef: { ...(prop.qMetaDef ?? {}) },
        qProperties: { ...(prop as unknown as Record<string, unknown>), qInfo: { qId, qType } },
        ownerId: s.userId,
        origin,
        createdAt: s.ctx.emu.clock.iso(),
    };
    return obj;
}

function str(v: unknown, name: string): string {
    if (typeof v !== "string") throw QIX.invalidParams(name);
    return v;
}

function connectionView(c: DataConnectionRecord) {
    return {
        qId: c.id,
        qName: c.qName,
        qConnectionString: c.qConnectStatement,
        qType: c.qType,
        qUserName: c.qUsername,
        qModifiedDate: c.updated,
        qMeta: { qName: c.qName },
        qLogOn: "LOG_ON_SERVICE_USER",
    };
}

async function reload(s: Session) {
    return reloadApp(s.ctx);
}

export const docMethods: MethodTable = {
    GetScript: { params: [], run: (s) => ({ qScript: currentScript(s.doc())?.script ?? "" }) },
    SetScript: {
        params: ["qScript"],
        required: ["qScript"],
        run(s, a) {
            const script = str(a.qScript, "qScript");
            const doc = s.doc();
            s.requireEdit(doc);
            const v = {
                scriptId: hex24(),
                script,
                versionMessage: "",
                modifiedTime: s.ctx.emu.clock.iso(),
                modifierId: s.userId,
                size: Buffer.byteLength(script, "utf8"),
            };
            doc.scripts.push(v);
            doc.currentScriptId = v.scriptId;
            s.save(doc);
            return {};
        },
    },
    DoReload: {
        params: ["qMode", "qPartial", "qDebug"],
        async run(s) {
            const r = await reload(s);
            return { qReturn: r.ok };
        },
    },
    DoReloadEx: {
        params: ["qParams"],
        async run(s) {
            const r = await reload(s);
            const qResult: Record<string, unknown> = {
                qSuccess: r.ok,
                qScriptLogFile: "",
                qEndedWithMemoryConstraint: false,
            };
            if (!r.ok && r.error) {
                qResult.qFailureData = {
                    qErrors: [
                        {
                            qError: r.error.message,
                            qDescription: r.error.message,
                            qLine: "",
                            qLineNumber: r.error.line,
                            qCode: 0,
                            qTitle: "Script error",
                        },
                    ],
                };
            }
            return { qResult };
        },
    },
    // Every change is persisted when it happens, so saving has nothing left to do.
    DoSave: { params: ["qFileName"], run: () => ({}) },
    GetAppLayout: {
        params: [],
        run(s) {
            const doc = s.doc();
            const a = doc.attributes;
            return {
                qLayout: {
                    qTitle: a.name,
                    qFileName: a.id,
                    qLastReloadTime: a.lastReloadTime,
                    qModified: false,
                    qHasScript: (currentScript(doc)?.script ?? "") !== "",
                    qStateNames: [],
                    qMeta: {
                        privileges: s.canEdit(doc) ? ["read", "update", "delete", "reload", "export"] : ["read"],
                        ...a,
                    },
                    qLocaleInfo: { ...LOCALE_INFO, qCurrentYear: new Date(s.ctx.emu.clock.now()).getUTCFullYear() },
                    qHasData: doc.tables.length > 0,
                    qReadOnly: !s.canEdit(doc),
                    qIsOpenedWithoutData: s.openedWithoutData,
                    qIsSessionApp: false,
                    qProhibitBinaryLoad: false,
                    qThumbnail: { qUrl: a.thumbnail },
                    qIsBDILiveMode: false,
                    qUsage: a.usage,
                    qIsDirectQueryMode: false,
                    qUnsupportedFeatures: [],
                },
            };
        },
    },
    GetAppProperties: {
        params: [],
        run(s) {
            const a = s.doc().attributes;
            return {
                qProp: {
                    qTitle: a.name,
                    qThumbnail: { qUrl: a.thumbnail },
                    qHasSectionAccess: a.hasSectionAccess,
                    qUsage: a.usage,
                },
            };
        },
    },
    GetLocaleInfo: {
        params: [],
        run: (s) => ({ qReturn: { ...LOCALE_INFO, qCurrentYear: new Date(s.ctx.emu.clock.now()).getUTCFullYear() } }),
    },
    GetEmptyScript: { params: ["qLocalizedMainSection"], run: () => ({ qReturn: "" }) },
    GetTablesAndKeys: {
        params: ["qWindowSize", "qNullSize", "qCellHeight", "qSyntheticMode", "qIncludeSysVars", "qIncludeProfiling"],
        run: (s) => tablesAndKeys(tablesFor(s)),
    },
    Evaluate: {
        params: ["qExpression"],
        required: ["qExpression"],
        run: (s, a) => ({ qReturn: evaluateText(str(a.qExpression, "qExpression"), tablesFor(s)) }),
    },
    EvaluateEx: {
        params: ["qExpression"],
        required: ["qExpression"],
        run: (s, a) => ({ qValue: evaluateDual(str(a.qExpression, "qExpression"), tablesFor(s)) }),
    },
    CheckScriptSyntax: {
        params: [],
        run(s) {
            const script = currentScript(s.doc())?.script ?? "";
            const lines = script.replace(/\r\n?/g, "\n").split("\n");
            const errorAt = (line: number) => ({
                qErrLen: (lines[line - 1] ?? "").length,
                qTabIx: 0,
                qLineInTab: line - 1,
                qColInLine: 0,
                qTextPos: lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0),
            });
            try {
                for (const st of splitStatements(script)) {
                    // Statements with $(...) are only checkable after expansion at reload time.
                    if (st.text.includes("$(")) continue;
                    parseStatement(st.text, st.line);
                }
            } catch (e) {
                return { qErrors: [errorAt((e as { line?: number }).line ?? 1)] };
            }
            return { qErrors: [] };
        },
    },
    GetConnections: {
        params: [],
        run(s) {
            const spaceId = s.doc().attributes.spaceId ?? "";
            const all = s.ctx.emu.store.list<DataConnectionRecord>(DATA_CONNECTIONS, s.ctx.tenant.id);
            // The app's space connections, plus the caller's personal ones.
            const mine = all.filter(
                (c) => (spaceId && c.space === spaceId) || (c.space === "" && c.owner === s.userId),
            );
            return { qConnections: mine.map(connectionView) };
        },
    },
    CreateObject: {
        params: ["qProp"],
        required: ["qProp"],
        run(s, a) {
            const prop = objectProp(a.qProp);
            const doc = s.doc();
            const editor = s.canEdit(doc);
            if (!editor && !PERSONAL_TYPES.includes(prop.qInfo.qType)) throw QIX.accessDenied();
            // Consumers' objects, and anything created in a published app, are personal and survive republish.
            const origin = !editor || doc.attributes.publishTime ? "user" : "template";
            const obj = newAppObject(s, prop, origin, (qId) => Boolean(doc.objects[qId]));
            doc.objects[obj.qInfo.qId] = obj;
            s.save(doc);
            return { qInfo: { ...obj.qInfo }, qReturn: objectRef(s, obj) };
        },
    },
    GetObject: {
        params: ["qId"],
        required: ["qId"],
        run(s, a) {
            const o = s.doc().objects[str(a.qId, "qId")];
            if (!o || !visibleTo(o, s.userId)) return { qReturn: { qType: null, qHandle: null } };
            return { qReturn: objectRef(s, o) };
        },
    },
    GetAllInfos: {
        params: [],
        run(s) {
            const objs = Object.values(s.doc().objects).filter((o) => visibleTo(o, s.userId));
            return { qInfos: objs.map((o) => ({ qId: o.qInfo.qId, qType: o.qInfo.qType })) };
        },
    },
    GetObjects: {
        params: ["qOptions"],
        run(s, a) {
            const types = ((a.qOptions as { qTypes?: unknown } | undefined)?.qTypes ?? []) as unknown[];
            const doc = s.doc();
            const objs = Object.values(doc.objects)
                .filter((o) => visibleTo(o, s.userId))
                .filter((o) => !types.length || types.includes(o.qInfo.qType));
            return { qList: objs.map((o) => ({ qInfo: { ...o.qInfo }, qMeta: layoutOf(o, doc, s).qMeta, qData: {} })) };
        },
    },
    CreateSessionObject: {
        params: ["qProp"],
        required: ["qProp"],
        run(s, a) {
            const prop = objectProp(a.qProp);
            s.doc(); // the app must still exist
            const obj = newAppObject(s, prop, "user", (qId) => s.sessionObjects.has(qId));
            s.sessionObjects.set(obj.qInfo.qId, obj);
            return { qReturn: objectRef(s, obj) };
        },
    },
    DestroySessionObject: {
        params: ["qId"],
        required: ["qId"],
        run(s, a) {
            const id = str(a.qId, "qId");
            if (!s.sessionObjects.delete(id)) return { qSuccess: false };
            s.releaseObject(id);
            return { qSuccess: true };
        },
    },
    DestroyObject: {
        params: ["qId"],
        required: ["qId"],
        run(s, a) {
            const id = str(a.qId, "qId");
            const doc = s.doc();
            const o = doc.objects[id];
            if (!o || !visibleTo(o, s.userId)) return { qSuccess: false };
            if (!mayModify(s, doc, o)) throw QIX.accessDenied(id);
            delete doc.objects[id];
            s.save(doc);
            s.releaseObject(id);
            return { qSuccess: true };
        },
    },
};
