/**
 * Generic objects of an app (sheets and friends) as the engine exposes them. Objects a consumer creates
 * are private to their owner ("user" origin, ownerId), as Qlik's personal sheets in published apps are.
 */
import * as crypto from "node:crypto";
import type { AppDocument, AppObject } from "../../apis/apps/appDocument";
import type { Session } from "./session";

/** Object types a user without edit rights may still create for themself. */
export const PERSONAL_TYPES = ["sheet", "bookmark", "story", "snapshot"];

export function visibleTo(o: AppObject, userId: string): boolean {
    return o.origin !== "user" || o.ownerId === userId;
}

export function mayModify(s: Session, doc: AppDocument, o: AppObject): boolean {
    if (o.origin === "user") return o.ownerId === s.userId;
    return s.canEdit(doc);
}

/** Qlik generates short random object ids such as "pYxJmU". */
export function newObjectId(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return Array.from(crypto.randomBytes(6), (b) => alphabet[b % alphabet.length]).join("");
}

export function propertiesOf(o: AppObject): Record<string, unknown> {
    return { ...(o.qProperties ?? {}), qInfo: { ...o.qInfo }, qMetaDef: { ...o.qMetaDef } };
}

export function layoutOf(o: AppObject, doc: AppDocument, s: Session): Record<string, unknown> {
    const props = propertiesOf(o);
    delete props.qMetaDef;
    const privileges = mayModify(s, doc, o) ? ["read", "update", "delete", "exportdata"] : ["read", "exportdata"];
    return {
        ...props,
        qInfo: { ...o.qInfo },
        qMeta: {
            ...o.qMetaDef,
            privileges,
            approved: false,
            published: o.origin === "template" && !!doc.attributes.publishTime,
            owner: { id: o.ownerId },
            ownerId: o.ownerId,
            createdDate: o.createdAt,
            modifiedDate: o.createdAt,
        },
        qSelectionInfo: {},
        qHasSoftPatches: false,
    };
}

export function objectRef(s: Session, o: AppObject): Record<string, unknown> {
    return {
        qType: "GenericObject",
        qHandle: s.objectHandle(o.qInfo.qId),
        qGenericType: o.qInfo.qType,
        qGenericId: o.qInfo.qId,
    };
}
