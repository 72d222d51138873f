// Data connections (docs/reference/qlik-cloud-api.md §8). Both create shapes are accepted: classic (qName, qConnectStatement,
// qType, datasourceID) and DCaaS ({datasourceID|dataSourceId, qName, space, connectionProperties}).
// Emulator-specific: datasourceID "sqlite" with connectionProperties.database = path of a SQLite file is what a
// reload can actually read. Secrets (qPassword, connectionProperties.password and similar) are stored but never
// returned by `view()`.
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import {
    bad,
    DATA_CONNECTIONS,
    PROVIDERS,
    SECRET_KEY,
    sourceOf,
    str,
    synthesizeStatement,
    viewOf,
    type Body,
    type DataConnectionRecord,
} from "./record";
import { FIELDS, isObject, logOnOf, parsePatch, tagsOf } from "./patch";
import { bulkItems, bulkResult, type BulkOutcome } from "./bulk";
import { uuid } from "../../core/ids";
import type { Actor } from "../spaces/model";
import { isTenantAdmin, spacesModel } from "../spaces/model";

export class DataConnectionsModel {
    constructor(private readonly emu: Emulator) {}

    private all(tenantId: string): DataConnectionRecord[] {
        return this.emu.store.list<DataConnectionRecord>(DATA_CONNECTIONS, tenantId);
    }

    /** Connections the actor can see: own personal ones, and those in spaces the actor can see. */
    private visible(tenantId: string, actor: Actor, c: DataConnectionRecord): boolean {
        if (!c.space) return c.owner === actor.userId || isTenantAdmin(actor);
        const s = spacesModel(this.emu).find(tenantId, c.space);
        return !!s && spacesModel(this.emu).canSee(actor, s);
    }

    private checkSpace(tenantId: string, actor: Actor, spaceId: string, action = "create data connections in"): void {
        if (!spaceId) return;
        const sm = spacesModel(this.emu);
        const s = sm.find(tenantId, spaceId);
        if (!s || !sm.canSee(actor, s))
            throw domainError("not-found", "DCAAS-404", "Not found", `Space ${spaceId} not found.`);
        const roles = sm.rolesOf(actor, s);
        const canWrite =
            isTenantAdmin(actor) ||
            s.ownerId === actor.userId ||
            roles.some((r) =>
                ["producer", "codeveloper", "facilitator", "contributor", "publisher", "operator"].includes(r),
            );
        if (!canWrite) throw domainError("forbidden", "DCAAS-403", "Forbidden", `Not allowed to ${action} this space.`);
    }

    /** The JSON of a connection without its secrets (record.ts viewOf). */
    view(c: DataConnectionRecord, baseUrl: string, opts: { created?: boolean } = {}): Record<string, unknown> {
        return viewOf(c, baseUrl, opts);
    }

    create(tenantId: string, actor: Actor, body: Body): DataConnectionRecord {
        const qName = body.qName;
        if (!str(qName) || qName.trim() === "") throw bad("qName is required.");
        const datasourceID = str(body.datasourceID)
            ? body.datasourceID
            : str(body.dataSourceId)
              ? body.dataSourceId
              : undefined;
        if (!datasourceID) throw bad("datasourceID is required.");
        const space = str(body.space) ? body.space : "";
        this.checkSpace(tenantId, actor, space);
        const { props, qType, stmt } = sourceOf(body, datasourceID);
        if (this.findByName(tenantId, qName, space)) {
            throw domainError(
                "conflict",
                "DCAAS-409",
                "Conflict",
                `A data connection named '${qName}' already exists in this space.`,
            );
        }
        const id = str(body.qID) && /^[0-9a-f-]{36}$/i.test(body.qID) ? body.qID : uuid();
        if (this.emu.store.get(DATA_CONNECTIONS, id))
            throw domainError("conflict", "DCAAS-409", "Conflict", `qID ${id} already exists.`);
        const now = this.emu.clock.iso();
        const logOn = body.qLogOn === undefined ? 0 : logOnOf(body.qLogOn);
        const rec: DataConnectionRecord = {
            id,
            tenantId,
            qName,
            qType,
            qConnectStatement: stmt,
            datasourceID,
            connectionProperties: props,
            qUsername: str(body.qUsername) ? body.qUsername : str(props.username) ? props.username : "",
            qPassword: str(body.qPassword) ? body.qPassword : "",
            qLogOn: logOn,
            qSeparateCredentials: body.qSeparateCredentials === true,
            qArchitecture: body.qArchitecture === 1 ? 1 : 0,
            space,
            owner: actor.userId,
            tags: Array.isArray(body.tags) ? body.tags.filter(str).slice(0, 32) : [],
            created: now,
            updated: now,
            version: "V1",
        };
        this.emu.store.put(DATA_CONNECTIONS, id, rec, tenantId);
        return rec;
    }

    findByName(tenantId: string, name: string, spaceId: string): DataConnectionRecord | undefined {
        return this.all(tenantId).find((c) => c.qName === name && c.space === spaceId);
    }

    /** By id, or by name when `byName` (GET/DELETE ?type=connectionname&spaceId=). */
    get(tenantId: string, actor: Actor, key: string, byName?: { spaceId: string }): DataConnectionRecord {
        const c = byName
            ? this.findByName(tenantId, key, byName.spaceId)
            : this.emu.store.get<DataConnectionRecord>(DATA_CONNECTIONS, key);
        if (!c || c.tenantId !== tenantId || !this.visible(tenantId, actor, c)) {
            throw domainError("not-found", "DCAAS-404", "Not found", `Data connection ${key} not found.`);
        }
        return c;
    }

    /**
     * A connection the actor may update: seeing it is not enough in a space, a role that can edit there is needed
     * ("appropriate space or tenant level role", https://qlik.dev/manage/data-connections/update-data-connections);
     * 403 otherwise, as PUT and PATCH document. A personal connection is visible only to its owner or an admin.
     */
    private writable(tenantId: string, actor: Actor, key: string, byName?: { spaceId: string }): DataConnectionRecord {
        const c = this.get(tenantId, actor, key, byName);
        this.checkSpace(tenantId, actor, c.space, "update data connections in");
        return c;
    }

    list(
        tenantId: string,
        actor: Actor,
        f: {
            spaceId?: string;
            personal?: boolean;
            ownedByMe?: boolean;
            nameFilter?: (n: string) => boolean;
            sort?: string;
        },
    ): DataConnectionRecord[] {
        let out = this.all(tenantId).filter(
            (c) =>
                this.visible(tenantId, actor, c) &&
                (f.spaceId === undefined || c.space === f.spaceId) &&
                (!f.personal || c.space === "") &&
                (!f.ownedByMe || c.owner === actor.userId) &&
                (!f.nameFilter || f.nameFilter(c.qName)),
        );
        if (f.sort) {
            const desc = f.sort.startsWith("-");
            const key = f.sort.replace(/^[+-]/, "");
            const pick = (c: DataConnectionRecord): string =>
                key === "qName" ? c.qName : key === "created" ? c.created : key === "updated" ? c.updated : c.id;
            out = [...out].sort((a, b) => pick(a).localeCompare(pick(b)) * (desc ? -1 : 1));
        }
        return out;
    }

    /**
     * PUT is ConnectionUpdate as the spec defines it (qliksense-data-connections-api-openapi.yml): qID, qName,
     * qConnectStatement, qType and qEngineObjectID are required (400 otherwise) and qID/qEngineObjectID must be the
     * connection's own id. The schema has no connectionProperties: those are changed with PATCH (qlik.dev changelog
     * 157, https://qlik.dev/changelog/157-api-updates-data-connections), so a body carrying them is a 400 that says
     * so rather than a silent partial update. An omitted qPassword keeps the stored one.
     */
    replace(tenantId: string, actor: Actor, key: string, body: Body, byName?: { spaceId: string }): void {
        const missing = ["qID", "qName", "qConnectStatement", "qType", "qEngineObjectID"].filter((k) => !str(body[k]));
        if (missing.length > 0) throw bad(`Missing required field(s): ${missing.join(", ")}.`);
        if (body.connectionProperties !== undefined) {
            throw bad(
                "connectionProperties is not part of ConnectionUpdate; change them with PATCH /api/v1/data-connections/{qID} " +
                    "and operations on /connectionProperties/<key>.",
            );
        }
        for (const k of ["qUsername", "qPassword", "datasourceID", "space"])
            if (body[k] !== undefined && !str(body[k])) throw bad(`${k} must be a string.`);
        const c = this.writable(tenantId, actor, key, byName);
        if (body.qID !== c.id || body.qEngineObjectID !== c.id)
            throw bad("qID and qEngineObjectID must equal the connection's id.");
        const next: DataConnectionRecord = {
            ...c,
            qName: body.qName as string,
            qConnectStatement: body.qConnectStatement as string,
            qType: body.qType as string,
        };
        if (str(body.datasourceID) && body.datasourceID !== "") next.datasourceID = body.datasourceID;
        if (str(body.qUsername)) next.qUsername = body.qUsername;
        if (str(body.qPassword)) next.qPassword = body.qPassword;
        if (body.qLogOn !== undefined) next.qLogOn = logOnOf(body.qLogOn);
        if (body.tags !== undefined) next.tags = tagsOf("tags", body.tags);
        this.commit(tenantId, c, next);
    }

    /**
     * PATCH with a JSON-Patch array [{op: add|replace|remove, path, value}] (PatchRequest in the spec; qlik.dev
     * changelog 157 and https://qlik.dev/manage/data-connections/update-data-connections: "most fields returned by
     * GET", connectionProperties per key, credentials). Every operation is validated before any is applied, so a
     * bad item changes nothing. RFC 6902 semantics for members: `add` sets or overwrites, `replace` and `remove`
     * need the member to exist. Error details name the path, never the value (it may be a secret).
     */
    patch(tenantId: string, actor: Actor, key: string, body: unknown, byName?: { spaceId: string }): void {
        const ops = parsePatch(body);
        const c = this.writable(tenantId, actor, key, byName);
        const next: DataConnectionRecord = {
            ...c,
            connectionProperties: { ...c.connectionProperties },
            tags: [...c.tags],
        };
        let retarget = false;
        for (const op of ops) {
            const segs = op.path
                .slice(1)
                .split("/")
                .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
            if (segs[0] === "connectionProperties" && segs.length === 1) {
                if (op.op === "remove") next.connectionProperties = {};
                else {
                    if (!isObject(op.value)) throw bad(`${op.path} must be an object.`);
                    // A client that read the (redacted) connection and writes it back must not wipe the stored secrets.
                    const props = { ...op.value };
                    for (const [k, v] of Object.entries(next.connectionProperties))
                        if (SECRET_KEY.test(k) && !(k in props)) props[k] = v;
                    next.connectionProperties = props;
                }
                retarget = true;
            } else if (segs[0] === "connectionProperties" && segs.length === 2 && segs[1] !== "") {
                const props = next.connectionProperties;
                if (op.op !== "add" && !(segs[1] in props))
                    throw bad(`${op.path} does not exist; use op add to set it.`);
                if (op.op === "remove") delete props[segs[1]];
                else if (isObject(op.value)) throw bad(`${op.path} must be a string, number, boolean or array.`);
                else props[segs[1]] = op.value;
                retarget = true;
            } else if (segs.length === 1 && segs[0] in FIELDS) {
                FIELDS[segs[0]](next, op);
                if (segs[0] === "datasourceID") retarget = true;
            } else {
                throw bad(
                    `Path ${op.path} cannot be patched; patchable: /connectionProperties, /connectionProperties/<key>, ` +
                        `${Object.keys(FIELDS)
                            .map((f) => `/${f}`)
                            .join(", ")}.`,
                );
            }
        }
        if (retarget) {
            if (next.datasourceID === "sqlite" && !str(next.connectionProperties.database)) {
                throw bad("connectionProperties.database (SQLite file path) is required for datasourceID sqlite.");
            }
            // The statement is derived from the properties, as on create.
            next.qType = PROVIDERS[next.datasourceID] ?? next.datasourceID;
            next.qConnectStatement = synthesizeStatement(next.qType, next.datasourceID, next.connectionProperties);
        }
        this.commit(tenantId, c, next);
    }

    /** Stores an updated connection: name still unique in its space, `updated` and `version` moved. */
    private commit(tenantId: string, c: DataConnectionRecord, next: DataConnectionRecord): void {
        if (next.qName.trim() === "") throw bad("qName must not be empty.");
        const dup = this.findByName(tenantId, next.qName, c.space);
        if (dup && dup.id !== c.id)
            throw domainError(
                "conflict",
                "DCAAS-409",
                "Conflict",
                `A data connection named '${next.qName}' already exists in this space.`,
            );
        next.updated = this.emu.clock.iso();
        next.version = `V${Number(c.version.replace(/\D/g, "") || "1") + 1}`;
        this.emu.store.put(DATA_CONNECTIONS, c.id, next, tenantId);
    }

    delete(tenantId: string, actor: Actor, key: string, byName?: { spaceId: string }): void {
        const c = this.get(tenantId, actor, key, byName);
        this.emu.store.delete(DATA_CONNECTIONS, c.id);
    }

    /** POST actions/delete: one BulkResponse entry per connection, 204 or the error of that one (207 overall). */
    bulkDelete(tenantId: string, actor: Actor, body: Body): BulkOutcome[] {
        return bulkItems(body).map((it) => bulkResult(it.id, () => this.delete(tenantId, actor, it.id)));
    }

    /**
     * POST actions/update: changes owner and/or space of each connection (ActionUpdateRequest). spaceId "" moves
     * it to the personal space (of ownerId, else of the current owner), as the schema's description says.
     */
    bulkUpdate(tenantId: string, actor: Actor, body: Body): BulkOutcome[] {
        return bulkItems(body).map((it) =>
            bulkResult(it.id, () => {
                const c = this.get(tenantId, actor, it.id);
                const next = { ...c };
                if (it.ownerId !== undefined) {
                    if (!str(it.ownerId) || it.ownerId === "") throw bad("ownerId must be a non-empty string.");
                    next.owner = it.ownerId;
                }
                if (it.spaceId !== undefined) {
                    if (!str(it.spaceId)) throw bad("spaceId must be a string.");
                    if (it.spaceId !== "" && !str(it.spaceType))
                        throw bad("spaceType is required when spaceId is set.");
                    this.checkSpace(tenantId, actor, it.spaceId);
                    next.space = it.spaceId;
                }
                const dup = this.findByName(tenantId, next.qName, next.space);
                if (dup && dup.id !== c.id)
                    throw domainError(
                        "conflict",
                        "DCAAS-409",
                        "Conflict",
                        `A data connection named '${next.qName}' already exists in the target space.`,
                    );
                next.updated = this.emu.clock.iso();
                this.emu.store.put(DATA_CONNECTIONS, c.id, next, tenantId);
            }),
        );
    }

    /** POST actions/duplicate: a copy (new qID) in the same or another space, credentials kept unless overridden. */
    duplicate(tenantId: string, actor: Actor, body: Body): DataConnectionRecord {
        if (!str(body.id) || body.id === "") throw bad("id (the source connection) is required.");
        for (const k of ["name", "spaceId", "qUsername", "qPassword"])
            if (body[k] !== undefined && !str(body[k])) throw bad(`${k} must be a string.`);
        const src = this.get(tenantId, actor, body.id);
        const space = str(body.spaceId) ? body.spaceId : src.space;
        this.checkSpace(tenantId, actor, space);
        let name = str(body.name) && body.name.trim() !== "" ? body.name : undefined;
        if (name && this.findByName(tenantId, name, space)) {
            throw domainError(
                "conflict",
                "DCAAS-409",
                "Conflict",
                `A data connection named '${name}' already exists in this space.`,
            );
        }
        // "If not specified, a name will be automatically generated" (ActionDuplicateRequest.name).
        for (let i = 1; !name; i++) {
            const candidate = i === 1 ? `${src.qName} - Copy` : `${src.qName} - Copy (${i})`;
            if (!this.findByName(tenantId, candidate, space)) name = candidate;
        }
        const now = this.emu.clock.iso();
        const rec: DataConnectionRecord = {
            ...src,
            id: uuid(),
            qName: name,
            space,
            owner: actor.userId,
            created: now,
            updated: now,
            version: "V1",
            connectionProperties: { ...src.connectionProperties },
            tags: [...src.tags],
            qUsername: str(body.qUsername) ? body.qUsername : src.qUsername,
            qPassword: str(body.qPassword) ? body.qPassword : src.qPassword,
        };
        this.emu.store.put(DATA_CONNECTIONS, rec.id, rec, tenantId);
        return rec;
    }

    /**
     * `LIB CONNECT TO '[space:]name'` resolution for reloads: spaceName given -> that space (by name);
     * otherwise the app's own space (or personal space when the app is personal).
     */
    resolve(
        tenantId: string,
        name: string,
        appSpaceId: string | undefined,
        spaceName?: string,
    ): DataConnectionRecord | undefined {
        let spaceId = appSpaceId ?? "";
        if (spaceName !== undefined && spaceName !== "") {
            const s = spacesModel(this.emu).findByName(tenantId, spaceName);
            if (!s) return undefined;
            spaceId = s.id;
        }
        return this.findByName(tenantId, name, spaceId);
    }
}

export { DATA_CONNECTIONS, type DataConnectionRecord } from "./record";
export type { BulkOutcome } from "./bulk";

export const dataConnectionsModel = (emu: Emulator): DataConnectionsModel =>
    emu.model("dataConnections", (e) => new DataConnectionsModel(e));
