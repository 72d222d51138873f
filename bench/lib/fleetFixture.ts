// What a fleet run needs before `pulumi up`: a master database with N synthetic customers (through
// the project's own seed, so the rows look exactly like the demo ones) and the template app placed
// in the emulator's source tenant (through the project's own template placement).
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorInfo } from "../../emulator/index";
import { seed, readMasterDb, type DemoCustomer } from "../../scripts/seed";
import type { CustomerRecord } from "../../examples/fleet/masterDb";
import { placeTemplate, TEMPLATE_APP_NAME } from "../../scripts/template/place";

export { TEMPLATE_APP_NAME };

/** N customers shaped like the demo ones: 1 group, 1 analyzer user, a small business database. */
export function benchCustomers(n: number): DemoCustomer[] {
    return Array.from({ length: n }, (_, i) => {
        const k = String(i + 1).padStart(3, "0");
        const alias = `bench-${k}`;
        return {
            id: `bench-${k}`,
            name: `Bench Customer ${k}`,
            alias,
            licenseType: "analyzer" as const,
            // Small on purpose: the bench measures orchestration, the reload's own time is the profile's.
            data: { seed: alias, orders: 120, accounts: 8 },
            groups: [{ name: `Bench ${k} Users` }],
            users: [
                {
                    subject: `${alias}\\user1`,
                    name: `User ${k}`,
                    email: `user1@${alias}.example`,
                    groups: [`Bench ${k} Users`],
                },
            ],
        };
    });
}

export interface FleetFixture {
    masterDb: string;
    customers: CustomerRecord[];
    templateAppId: string;
}

/** Seeds `<dir>/master.sqlite` with N customers and places the template in the emulator's source tenant. */
export async function prepareFleet(info: EmulatorInfo, dir: string, n: number): Promise<FleetFixture> {
    fs.mkdirSync(dir, { recursive: true });
    const masterDb = path.join(dir, "master.sqlite");
    const s = seed({ masterDb, customers: benchCustomers(n) });
    const customers = readMasterDb(masterDb);
    if (customers.length !== n)
        throw new Error(`master database ${masterDb} has ${customers.length} customers, expected ${n}`);
    const placed = await placeTemplate({ info, sampleDb: s.sampleDb });
    return { masterDb, customers, templateAppId: placed.appId };
}
