// Seeding: a SeedSpec (object or JSON file) describes the ISV's starting point in one region: the OEM
// license (signed key), the region OAuth client, the source tenant with its admin, and API keys.
// It is applied once, on a fresh store; a restart with the same data dir keeps what was seeded.
import * as fs from "node:fs";
import * as crypto from "node:crypto";
import type { Emulator } from "./core/context";
import * as ids from "./core/ids";
import { signLicense, type LicensePayload } from "./apis/licenses/licenseKey";
import { oauthModel } from "./apis/oauth/model";
import { tenantsModel } from "./apis/tenants/model";
import { usersModel } from "./apis/users/model";
import { rolesModel, toRef } from "./apis/roles/model";

export interface SeedSpec {
    region?: string; // default "us"
    domain?: string; // default "qlikcloud.com"
    datacenter?: string; // default from region (us -> us-east-1)
    licenseSecret?: string; // HMAC secret the emulator signs/verifies license keys with (random if absent)
    license?: { licenseNumber?: string; product?: string; quota?: number; professional?: number; analyzer?: number };
    oauthClient?: { clientId?: string; clientSecret?: string };
    sourceTenant?: { name?: string; hostname?: string; adminEmail?: string; adminSubject?: string; adminName?: string };
    /** API keys (Bearer) for the source tenant's admin; `key` generated when absent. Default: one key. */
    apiKeys?: { key?: string }[];
}

/** What the seed produced; persisted in the store (collection "meta", id "seed"). */
export interface SeedResult {
    region: string;
    domain: string;
    datacenter: string;
    sourceTenantId: string;
    sourceHostname: string;
    adminEmail: string;
    adminSubject: string;
    clientId: string;
    clientSecret: string;
    licenseKey: string;
    tenantQuota: number;
}

export const REGION_DATACENTER: Record<string, string> = {
    us: "us-east-1",
    eu: "eu-west-1",
    de: "eu-central-1",
    uk: "eu-west-2",
    jp: "ap-northeast-1",
    ap: "ap-southeast-1",
    sg: "ap-southeast-2",
};

export function loadSeed(seed: SeedSpec | string | undefined): SeedSpec {
    if (seed === undefined) return {};
    if (typeof seed === "string") return JSON.parse(fs.readFileSync(seed, "utf8")) as SeedSpec;
    return seed;
}

export function applySeed(emu: Emulator, spec: SeedSpec): SeedResult {
    const existing = emu.store.get<SeedResult>("meta", "seed");
    if (existing) return existing;
    return emu.store.transaction(() => {
        const lic: LicensePayload = {
            licenseNumber: spec.license?.licenseNumber ?? String(9_000_000_000_000_000 + crypto.randomInt(1e9)),
            product: spec.license?.product ?? "Qlik Cloud Analytics OEM",
            quota: spec.license?.quota ?? 250,
            professional: spec.license?.professional ?? 100,
            analyzer: spec.license?.analyzer ?? 1000,
            issued: emu.clock.iso(),
        };
        const licenseKey = signLicense(emu.secrets.licenseSecret, lic);
        const clientId = spec.oauthClient?.clientId ?? ids.hex32();
        const clientSecret = spec.oauthClient?.clientSecret ?? ids.token(48);
        oauthModel(emu).addClient({ clientId, clientSecret, name: "Region OAuth client (seed)" });

        const st = spec.sourceTenant ?? {};
        const name = st.name ?? "source";
        const hostname = (st.hostname ?? tenantsModel(emu).hostFor(name)).toLowerCase();
        const tenant = tenantsModel(emu).insert({
            name,
            hostnames: [hostname],
            licenseNumber: lic.licenseNumber,
            isSource: true,
        });
        const adminEmail = st.adminEmail ?? "admin@isv.example";
        // A Qlik Account (the default Qlik IdP) user's subject is an Auth0 id, "auth0|" + 24 hex digits, as
        // GET /api/v1/users/me shows for an interactive admin (qlik.dev "Users" API, subject example
        // https://qlik.dev/apis/rest/users). Backslash subjects ("isv\\admin") remain valid for JWT users.
        const adminSubject = st.adminSubject ?? `auth0|${ids.hex24()}`;
        const admin = usersModel(emu).create(tenant.id, {
            subject: adminSubject,
            name: st.adminName ?? "ISV Admin",
            email: adminEmail,
        });
        const tenantAdmin = rolesModel(emu).byName(tenant.id, "TenantAdmin");
        if (tenantAdmin) emu.store.put("users", admin.id, { ...admin, assignedRoles: [toRef(tenantAdmin)] }, tenant.id);
        for (const k of spec.apiKeys ?? [{}]) oauthModel(emu).addApiKey(tenant.id, admin.id, k.key);

        emu.store.put("meta", "license", { payload: lic, licenseKey });
        const result: SeedResult = {
            region: emu.config.region,
            domain: emu.config.domain,
            datacenter: emu.config.datacenter,
            sourceTenantId: tenant.id,
            sourceHostname: hostname,
            adminEmail,
            adminSubject,
            clientId,
            clientSecret,
            licenseKey,
            tenantQuota: lic.quota,
        };
        emu.store.put("meta", "seed", result);
        return result;
    });
}
