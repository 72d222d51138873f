// The synthetic end user of a health gate: `fleet-health-check`, a service subject (no real person) that the
// fleet program gives an analyzer license in every tenant (docs/rollouts.md). It logs in the way the ISV's portal
// logs a customer's user in (a JWT signed with the tenant's key, /login/jwt-session; https://qlik.dev/authenticate/jwt/)
// with every group of the customer in its groups claim, so it opens what that customer's users open.
import * as fs from "fs";
import Database = require("better-sqlite3");
import { jwtLogin, openAppAsUser, readDashboard, signUserJwt, type JwtSigner } from "../../../scripts/userSession";

export const HEALTH_CHECK_SUBJECT = "fleet-health-check";

export interface HealthLogin {
    /** Where the tenant answers: qlik:endpointOverride (the emulator) or https://<hostname>. */
    origin: string;
    hostname: string;
    signer: JwtSigner;
    groups: string[];
    publishedAppId: string;
    /** How long to wait for access to a just-published app (Qlik answers 403 for a while). */
    maxWaitMs?: number;
}

/** What the synthetic user saw: the published app's orders (the template's OrderId field). */
export async function ordersSeenByHealthUser(l: HealthLogin): Promise<number> {
    const jwt = await signUserJwt(l.signer, {
        subject: HEALTH_CHECK_SUBJECT,
        name: "Fleet health check",
        // A reserved domain (RFC 2606): the address must never reach anyone.
        email: "fleet-health-check@example.invalid",
        groups: l.groups,
    });
    const session = await jwtLogin(l.origin, l.hostname, jwt);
    const doc = await openAppAsUser(l.origin, session, l.publishedAppId, { maxWaitMs: l.maxWaitMs ?? 60_000 });
    try {
        return (await readDashboard(doc)).orders;
    } finally {
        await doc.close();
    }
}

/** The customer's own order count when its connection is a SQLite file readable from here, else undefined. */
export function ordersInBusinessDb(datasourceId: string, database: string | undefined): number | undefined {
    if (datasourceId !== "sqlite" || !database || !fs.existsSync(database)) return undefined;
    let db: Database.Database | undefined;
    try {
        db = new Database(database, { readonly: true, fileMustExist: true });
        return Number((db.prepare("SELECT COUNT(*) AS n FROM orders").get() as { n: number }).n);
    } catch {
        return undefined;
    } finally {
        db?.close();
    }
}
