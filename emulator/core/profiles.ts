// Latency profiles. `instant` adds no delay. `realistic` approximates what Qlik Cloud feels like so that
// client retry/poll logic is exercised; every value stays under 3 s to keep demos and benches short.
// The numbers are informed guesses (no published SLAs); reasons are given per operation.
export type ProfileName = "instant" | "realistic";

export interface LatencyProfile {
    name: ProfileName;
    /** Delay in ms for a named operation (see REALISTIC_DELAYS); unknown ops get `request`. */
    delayMs(op: string): number;
}

export const REALISTIC_DELAYS: Readonly<Record<string, number>> = {
    request: 25, // base edge + service round trip of any REST call
    "oauth.token": 120, // token minting involves the identity service
    "tenant.create": 1500, // tenant provisioning (DEV:create-a-tenant shows a visible wait)
    "tenant.deactivate": 400,
    "tenant.reactivate": 400,
    "tenant.patch": 200, // hostname alias changes touch DNS/edge config
    "login.jwt": 150, // JWT verification + user upsert
    "app.import": 1200, // qvf import is a heavy engine operation
    "app.export": 800,
    "app.publish": 1000,
    "publish.propagation": 2000, // consumers get 403 for a while after publish (DEV:deploy-content retries on 403)
    "reload.queued": 300, // QUEUED -> RELOADING
    "reload.run": 1500, // RELOADING -> SUCCEEDED for small scripts
    "engine.openDoc": 300,
};

export function profile(name: ProfileName): LatencyProfile {
    if (name === "realistic") {
        return { name, delayMs: (op) => REALISTIC_DELAYS[op] ?? REALISTIC_DELAYS.request };
    }
    return { name: "instant", delayMs: () => 0 };
}
