// A data connection as stored, its secrets, and its JSON view (docs/reference/qlik-cloud-api.md §8).
import { domainError } from "../../core/errors";

export const DATA_CONNECTIONS = "dataConnections";

export interface DataConnectionRecord {
    id: string;
    tenantId: string;
    qName: string;
    qType: string;
    qConnectStatement: string;
    datasourceID: string;
    connectionProperties: Record<string, unknown>;
    qUsername: string;
    qPassword: string;
    qLogOn: number;
    qSeparateCredentials: boolean;
    qArchitecture: number;
    space: string; // "" = personal
    owner: string; // user id
    tags: string[];
    created: string;
    updated: string;
    version: string;
}

/** Property names whose values are secrets and must never be echoed. */
export const SECRET_KEY = /pass(word)?|secret|token|apikey|privatekey|credential/i;

/** Connector package per data source (qType); unknown sources keep their id. */
export const PROVIDERS: Readonly<Record<string, string>> = {
    sqlite: "QvEmulatorSqliteConnector.exe",
    mysql: "QvOdbcConnectorPackage.exe",
    mssql: "QvOdbcConnectorPackage.exe",
    postgres: "QvOdbcConnectorPackage.exe",
    postgresql: "QvOdbcConnectorPackage.exe",
    snowflake: "QvOdbcConnectorPackage.exe",
    databricks: "QvOdbcConnectorPackage.exe",
    teradata: "QvOdbcConnectorPackage.exe",
    athena: "QvOdbcConnectorPackage.exe",
    gbq: "QvOdbcConnectorPackage.exe",
    rest: "QvRestConnector.exe",
    File_AmazonS3ConnectorV2: "QvWebStorageProviderConnectorPackage.exe",
};

export type Body = Record<string, unknown>;

export function synthesizeStatement(provider: string, datasourceID: string, props: Record<string, unknown>): string {
    const parts = [`provider=${provider}`, `sourceType=${datasourceID}`];
    for (const [k, v] of Object.entries(props)) {
        if (SECRET_KEY.test(k) || v === undefined || v === null || typeof v === "object") continue;
        parts.push(`${k}=${String(v)}`);
    }
    return `CUSTOM CONNECT TO "${parts.join(";")};"`;
}

export function redact(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) if (!SECRET_KEY.test(k)) out[k] = v;
    return out;
}

export const bad = (detail: string) => domainError("invalid", "DCAAS-400", "Bad request", detail);
export const str = (v: unknown): v is string => typeof v === "string";

/**
 * `qLogOn` differs per operation in Qlik's own spec: the create (and duplicate) response is
 * ConnectionCreateResponse with a string enum "0"|"1"|LOG_ON_*, while GET by id and the list return
 * ConnectionGet with an integer 0|1 (qliksense-data-connections-api-openapi.yml). The emulator answers each
 * operation in its documented type: `created: true` for the 201 responses.
 */
export function viewOf(
    c: DataConnectionRecord,
    baseUrl: string,
    opts: { created?: boolean } = {},
): Record<string, unknown> {
    return {
        id: c.id,
        qID: c.id,
        qEngineObjectID: c.id,
        qName: c.qName,
        qType: c.qType,
        qConnectStatement: c.qConnectStatement,
        qUsername: c.qUsername,
        qLogOn: opts.created ? String(c.qLogOn) : c.qLogOn,
        qSeparateCredentials: c.qSeparateCredentials,
        qCredentialsID: "",
        qArchitecture: c.qArchitecture,
        qri: `qri:db:${c.datasourceID}://${c.id}`,
        datasourceID: c.datasourceID,
        connectionProperties: redact(c.connectionProperties),
        space: c.space,
        tenant: c.tenantId,
        user: c.owner,
        owner: c.owner,
        tags: c.tags,
        privileges: ["list", "update", "delete", "read"],
        created: c.created,
        updated: c.updated,
        version: c.version,
        links: { self: { href: `${baseUrl}/api/v1/data-connections/${c.id}` } },
    };
}

/**
 * Where a new connection reads from: DCaaS `connectionProperties` (the statement is synthesised, the connector
 * package named from the data source), or the classic qConnectStatement + qType pair as given.
 */
export function sourceOf(
    body: Body,
    datasourceID: string,
): { props: Record<string, unknown>; qType: string; stmt: string } {
    let props: Record<string, unknown>;
    let qType: string;
    let stmt: string;
    if (body.connectionProperties !== undefined) {
        if (
            typeof body.connectionProperties !== "object" ||
            body.connectionProperties === null ||
            Array.isArray(body.connectionProperties)
        ) {
            throw bad("connectionProperties must be an object.");
        }
        props = { ...(body.connectionProperties as Record<string, unknown>) };
        if (datasourceID === "sqlite" && !str(props.database))
            throw bad("connectionProperties.database (SQLite file path) is required for datasourceID sqlite.");
        qType = PROVIDERS[datasourceID] ?? datasourceID;
        stmt = synthesizeStatement(qType, datasourceID, props);
    } else {
        if (!str(body.qConnectStatement) || !str(body.qType)) {
            throw bad("Either connectionProperties or qConnectStatement and qType are required.");
        }
        props = {};
        qType = body.qType;
        stmt = body.qConnectStatement;
    }
    return { props, qType, stmt };
}
