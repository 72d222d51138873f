// JwtIdentityProvider: the tenant's JWT IdP (docs/reference/qlik-cloud-api.md §2), so the ISV's web app can log its
// users in with signed JWTs. Only /description is patchable for JWT IdPs, so issuer, key id and key
// replace it; the replacement is created before the old one is deleted (Pulumi's default), so
// logins never hit a tenant without a trusted key.
import * as crypto from "crypto";
import { z } from "zod";
import { Failures, Props, diffFields, isUnknown, stableJson, checkWith, typedHandlers } from "./handlers";
import { isQlikApiError, registerSecret } from "../qlik";
import { api, assertSameTenant, tenantHostDiff, tenantIdOf } from "./support";
import {
    Marker,
    OwnershipOutputs,
    assertMayAdopt,
    claimOf,
    markerLength,
    mayDelete,
    newClaim,
    ownerChanged,
    parseMarker,
    withMarker,
    markOf,
} from "./ownership";
import { CheckedInputs, checkedInputs, replaceKeys, schemaFailures, stateParser } from "../schema/core";
import { jwtIdentityProviderInputs, jwtIdentityProviderSchema } from "../schema/jwtIdentityProvider";
import {
    IdpJson,
    canonicalPem,
    deleteOrphanedGeneratedIdps,
    findExisting,
    generateRsaKeyPair,
    generatedKidPrefix,
    publicKeyError,
    singleLinePem,
} from "./jwtKeys";

export const JWT_AUDIENCE = "qlik.api/login/jwt-session";

type JwtInputs = CheckedInputs<typeof jwtIdentityProviderInputs>;

/** The outputs; only tenantHost is in every state. */
export interface JwtState extends Partial<OwnershipOutputs> {
    tenantHost: string;
    /** The IdP id (same as the resource id). */
    idpId?: string;
    tenantId?: string;
    issuer?: string;
    /** The key id tokens must carry as `kid` (given or generated). */
    keyId?: string | null;
    /** Always "qlik.api/login/jwt-session": the `aud` claim of login tokens. */
    audience?: string;
    publicKey?: string | null;
    generateKeyPair?: boolean | null;
    /** The trusted public key as multi-line PEM. */
    publicKeyPem?: string;
    /** Generated private key (PKCS#8 PEM), only with `generateKeyPair: true`. Secret (the SDK marks it so). */
    privateKeyPem?: string;
    description?: string;
    clockToleranceSec?: number;
    /** The optional inputs the program declared (older states lack it). */
    declared?: string[];
}

const jwtState: z.ZodType<JwtState> = z.looseObject({
    tenantHost: z.string(),
    owner: z.string().optional(),
    claim: z.string().optional(),
    takeOverFrom: z.string().nullish(),
    idpId: z.string().optional(),
    tenantId: z.string().optional(),
    issuer: z.string().optional(),
    keyId: z.string().nullish(),
    audience: z.string().optional(),
    publicKey: z.string().nullish(),
    generateKeyPair: z.boolean().nullish(),
    publicKeyPem: z.string().optional(),
    privateKeyPem: z.string().optional(),
    description: z.string().optional(),
    clockToleranceSec: z.number().optional(),
    declared: z.array(z.string()).optional(),
});

/** The schema's rules (provider/schema/jwtIdentityProvider.ts), then the key and the description's room. */
function validate(inputs: Props): Failures {
    const f = schemaFailures(jwtIdentityProviderSchema, inputs);
    const known = (k: string) => inputs[k] !== undefined && inputs[k] !== null && !isUnknown(inputs[k]);
    const generate = inputs.generateKeyPair;
    if (generate === true && known("publicKey")) {
        f.add(
            "publicKey",
            "cannot be combined with generateKeyPair: true; pass either your own publicKey or let the provider generate the key pair",
        );
    } else if (generate !== true && !isUnknown(generate)) {
        if (!known("publicKey") && !isUnknown(inputs.publicKey)) {
            f.add(
                "publicKey",
                "is required (the PEM public key or X.509 certificate that verifies your tokens), or set generateKeyPair: true",
            );
        } else if (typeof inputs.publicKey === "string" && !isUnknown(inputs.publicKey)) {
            const why = publicKeyError(inputs.publicKey);
            if (why) f.add("publicKey", why);
        }
        if (inputs.keyId === undefined || inputs.keyId === null)
            f.add("keyId", "is required with publicKey: the `kid` header of your tokens");
    }
    // The ownership marker shares Qlik's 128 characters of the description (docs/ownership.md).
    const room = 128 - (typeof inputs.owner === "string" ? markerLength(inputs.owner) : 0);
    if (typeof inputs.description === "string" && !isUnknown(inputs.description) && inputs.description.length > room) {
        f.add(
            "description",
            `must be a string of at most ${room} characters (Qlik allows 128, and the ownership marker of owner ${JSON.stringify(inputs.owner ?? "")} takes the rest); shorten it`,
        );
    }
    return f;
}

function outputs(
    p: IdpJson,
    inputs: JwtInputs | JwtState,
    extra: { publicKeyPem: string; privateKeyPem?: string },
    own: Marker,
): JwtState {
    const key = p.options.staticKeys[0];
    const declared = inputs.declared;
    const out: JwtState = {
        owner: own.owner,
        claim: own.claim,
        tenantHost: inputs.tenantHost,
        idpId: p.id,
        tenantId: p.tenantIds?.[0],
        issuer: p.options.issuer,
        keyId: key?.kid,
        audience: JWT_AUDIENCE,
        publicKey: inputs.publicKey,
        generateKeyPair: inputs.generateKeyPair,
        publicKeyPem: extra.publicKeyPem,
        privateKeyPem: extra.privateKeyPem,
        description: parseMarker(p.description).text,
        clockToleranceSec: p.clockToleranceSec,
        // The optional inputs the program declared: only these come back from read() as inputs, so a
        // preview of another change never shows "- keyId" or "- clockToleranceSec" that nobody set (issue 8 item 5).
        declared: Array.isArray(declared)
            ? declared.filter((k): k is string => typeof k === "string")
            : OPTIONAL.filter((k) => inputs[k] !== undefined),
    };
    if (inputs.takeOverFrom !== undefined) out.takeOverFrom = inputs.takeOverFrom;
    return out;
}

const OPTIONAL = ["keyId", "description", "clockToleranceSec"] as const;
/** The schema's replace-on-change fields whose change diff() compares as is; tenantHost, keyId and generateKeyPair have rules of their own. */
const PLAIN_REPLACE_KEYS = replaceKeys(jwtIdentityProviderSchema).filter(
    (k) => !["tenantHost", "keyId", "generateKeyPair"].includes(k),
);

const parse = { inputs: checkedInputs(jwtIdentityProviderSchema), state: stateParser("JwtIdentityProvider", jwtState) };

export const handlers = typedHandlers<JwtInputs, JwtState>(parse, {
    check: checkWith(validate),

    async diff(_id, olds, news) {
        const base = diffFields(olds, news, ["description"], PLAIN_REPLACE_KEYS);
        const replaces = [...(base.replaces ?? [])];
        // Another name of the same tenant is an update, never a replacement (support.ts, issue 8 item 4).
        const host = await tenantHostDiff(olds, news);
        if (host === "replace") replaces.push("tenantHost");
        // A generated keyId lives only in the outputs: an unset keyId is not a change.
        if (news.keyId !== undefined && (isUnknown(news.keyId) || news.keyId !== olds.keyId)) replaces.push("keyId");
        if (stableJson(news.generateKeyPair === true) !== stableJson(olds.generateKeyPair === true))
            replaces.push("generateKeyPair");
        if (stableJson(news.clockToleranceSec ?? 5) === stableJson(olds.clockToleranceSec ?? 5)) {
            const i = replaces.indexOf("clockToleranceSec");
            if (i >= 0) replaces.splice(i, 1);
        }
        const descChanged = (news.description ?? "") !== (olds.description ?? "") || isUnknown(news.description);
        const changes = replaces.length > 0 || descChanged || host === "readdress" || ownerChanged(olds, news);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        const host = inputs.tenantHost;
        let publicKeyPem: string;
        let privateKeyPem: string | undefined;
        const generatedPrefix = generatedKidPrefix(host, inputs.issuer);
        const kid: string = inputs.keyId ?? `${generatedPrefix}${crypto.randomBytes(8).toString("hex")}`;
        if (inputs.generateKeyPair === true) {
            // Async: key generation runs on the libuv pool, so one provider process keeps serving
            // every other resource while N tenants generate their keys.
            const pair = await generateRsaKeyPair();
            publicKeyPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
            privateKeyPem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
            registerSecret(privateKeyPem);
        } else if (typeof inputs.publicKey === "string") {
            publicKeyPem = canonicalPem(inputs.publicKey);
        } else {
            // check() requires publicKey unless generateKeyPair is true.
            throw new Error("JwtIdentityProvider: publicKey is required unless generateKeyPair is true");
        }

        const claim = newClaim();
        // The issuer is the ISV's login app: an IdP of it that another stack manages means this stack
        // would take over that customer's SSO. Refuse before any change, whatever the key id (issue 9).
        for await (const p of api(host).paginate<IdpJson>("/api/v1/identity-providers", {
            purpose: `look for JWT IdPs of ${inputs.issuer} on ${host}`,
            query: { limit: 100 },
        })) {
            if (p.protocol === "jwtAuth" && p.options?.issuer === inputs.issuer) {
                assertMayAdopt(
                    "JwtIdentityProvider",
                    `JWT IdP ${p.id} (issuer ${inputs.issuer}) on ${host}`,
                    parseMarker(p.description).marker,
                    inputs,
                );
            }
        }
        const existing = await findExisting(host, inputs.issuer, kid);
        if (existing) {
            // Another stack's IdP is not adopted: fail before any change (docs/ownership.md).
            assertMayAdopt(
                "JwtIdentityProvider",
                `JWT IdP ${existing.id} (issuer ${inputs.issuer}, kid ${kid}) on ${host}`,
                parseMarker(existing.description).marker,
                inputs,
            );
            if (privateKeyPem || canonicalPem(existing.options.staticKeys[0].pem) !== publicKeyPem) {
                throw new Error(
                    `JwtIdentityProvider: ${host} already has JWT IdP ${existing.id} with issuer ${inputs.issuer} and kid ${kid} but a different key; ` +
                        "it cannot be adopted. Use another keyId, or delete that IdP (DELETE /api/v1/identity-providers/{id}) first.",
                );
            }
            const desc = withMarker(inputs.description, markOf(inputs, claim));
            if ((existing.description ?? "") !== desc) {
                await api(host).patch(
                    `/api/v1/identity-providers/${existing.id}`,
                    [{ op: "replace", path: "/description", value: desc }],
                    { purpose: `describe adopted IdP ${existing.id}` },
                );
                existing.description = desc;
            }
            return { id: existing.id, outs: outputs(existing, inputs, { publicKeyPem }, markOf(inputs, claim)) };
        }

        const tenantId = await tenantIdOf(host);
        if (!tenantId)
            throw new Error(
                `JwtIdentityProvider: no active tenant answers on ${host}; pass the tenant's systemHostname (QlikTenant.systemHostname) as tenantHost`,
            );
        const body: Record<string, unknown> = {
            provider: "external",
            protocol: "jwtAuth",
            // Not in the schema, but sent by Qlik's own samples (docs/reference/qlik-cloud-api.md §2).
            interactive: false,
            active: true,
            tenantIds: [tenantId],
            clockToleranceSec: inputs.clockToleranceSec ?? 5,
            options: {
                issuer: inputs.issuer,
                staticKeys: [{ kid, pem: singleLinePem(publicKeyPem) }],
                jwtLoginEnabled: true,
            },
        };
        body.description = withMarker(inputs.description, markOf(inputs, claim));
        const created = await api(host).send<IdpJson>({
            method: "POST",
            path: "/api/v1/identity-providers",
            body,
            expect: [201],
            purpose: `create JWT IdP ${inputs.issuer} on ${host}`,
        });
        if (inputs.generateKeyPair === true && inputs.keyId === undefined) {
            await deleteOrphanedGeneratedIdps(
                host,
                inputs.issuer,
                generatedPrefix,
                created.body.id,
                markOf(inputs, claim).owner,
            );
        }
        return {
            id: created.body.id,
            outs: outputs(created.body, inputs, { publicKeyPem, privateKeyPem }, markOf(inputs, claim)),
        };
    },

    async read(id, props) {
        let p: IdpJson;
        try {
            p = await api(props.tenantHost).get<IdpJson>(`/api/v1/identity-providers/${encodeURIComponent(id)}`, {
                purpose: `read JWT IdP ${id}`,
            });
        } catch (e) {
            if (isQlikApiError(e) && e.status === 404) return { id: "" };
            throw e;
        }
        const livePem = canonicalPem(p.options.staticKeys[0]?.pem ?? "");
        // An unchanged key keeps the user's own text (line layout), so refresh shows only real drift.
        const samePem = livePem === props.publicKeyPem;
        const publicKey =
            props.publicKey === undefined ? undefined : samePem ? props.publicKey : singleLinePem(livePem);
        // The owner found in Qlik is reported: a take-over or a removed marker shows as a diff of `owner`.
        const liveOwner = parseMarker(p.description).marker?.owner ?? "";
        const outs = outputs(
            p,
            { ...props, publicKey },
            { publicKeyPem: livePem, privateKeyPem: samePem ? props.privateKeyPem : undefined },
            { owner: liveOwner, claim: claimOf(props) },
        );
        const inputs: Props = { tenantHost: props.tenantHost, issuer: outs.issuer, owner: liveOwner };
        // State from before `declared` existed: hand everything back, as that version did.
        const declared: string[] = Array.isArray(props.declared) ? props.declared : [...OPTIONAL];
        for (const k of OPTIONAL) {
            // A drifted optional value is reported even when undeclared, so refresh still shows it.
            if (declared.includes(k) || (k === "description" && outs.description !== (props.description ?? "")))
                inputs[k] = outs[k];
        }
        if (props.takeOverFrom !== undefined) inputs.takeOverFrom = props.takeOverFrom;
        if (publicKey !== undefined) inputs.publicKey = publicKey;
        if (props.generateKeyPair !== undefined) inputs.generateKeyPair = props.generateKeyPair;
        return { id, props: outs, inputs };
    },

    async update(id, olds, news) {
        const tenantId = await assertSameTenant("JwtIdentityProvider", olds, news);
        const host = news.tenantHost;
        const claim = claimOf(olds);
        const live = await api(host).get<IdpJson>(`/api/v1/identity-providers/${encodeURIComponent(id)}`, {
            purpose: `read JWT IdP ${id}`,
        });
        // An IdP another stack took over since our last up is not changed back (docs/ownership.md).
        assertMayAdopt(
            "JwtIdentityProvider",
            `JWT IdP ${id} on ${host}`,
            parseMarker(live.description).marker,
            news,
            claim,
        );
        const desc = news.description ?? "";
        const marked = withMarker(desc, markOf(news, claim));
        if (marked !== (live.description ?? "")) {
            await api(host).patch(
                `/api/v1/identity-providers/${encodeURIComponent(id)}`,
                [{ op: "replace", path: "/description", value: marked }],
                {
                    purpose: `update the description of JWT IdP ${id}`,
                },
            );
        }
        const outs: JwtState = {
            ...olds,
            tenantHost: host,
            tenantId: tenantId ?? olds.tenantId,
            description: desc,
            publicKey: news.publicKey,
            generateKeyPair: news.generateKeyPair,
            ...markOf(news, claim),
            declared: OPTIONAL.filter((k) => news[k] !== undefined),
        };
        if (news.takeOverFrom !== undefined) outs.takeOverFrom = news.takeOverFrom;
        else delete outs.takeOverFrom;
        return { outs };
    },

    async delete(id, props) {
        try {
            // Replacement safety: an IdP a successor (or another stack) re-marked is theirs now.
            const live = await api(props.tenantHost).get<IdpJson>(
                `/api/v1/identity-providers/${encodeURIComponent(id)}`,
                { purpose: `read JWT IdP ${id} before deleting it` },
            );
            if (!mayDelete(parseMarker(live.description).marker, props.claim)) return;
            await api(props.tenantHost).delete(`/api/v1/identity-providers/${encodeURIComponent(id)}`, {
                purpose: `delete JWT IdP ${id}`,
            });
        } catch (e) {
            // 404: already gone. TENANT_DISABLED: the tenant is deactivated, its IdPs go with it.
            if (isQlikApiError(e) && (e.status === 404 || (e.status === 401 && e.code === "TENANT_DISABLED"))) return;
            throw e;
        }
    },
});
