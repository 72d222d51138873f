// `node dist/scripts/makeDrift.js <alias> [.emulator]`: changes a customer's tenant behind
// Pulumi's back (renames it through the REST API, as an admin clicking in the console would), so
// `pulumi refresh` / `pulumi preview --refresh` can show drift and `pulumi up` can repair it.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { EmulatorInfo } from "../emulator/index";
import { clientFor } from "./template/place";

export async function renameTenant(info: EmulatorInfo, alias: string, newName: string): Promise<string> {
    const api = clientFor(info).forHost(`${alias}.${info.region}.${info.domain}`);
    const me = await api.get<{ tenantId: string }>("/api/v1/users/me", { purpose: `find tenant ${alias}` });
    await api.patch(`/api/v1/tenants/${me.tenantId}`, [{ op: "replace", path: "/name", value: newName }], {
        expect: [204],
        purpose: `rename tenant ${alias}`,
    });
    return me.tenantId;
}

async function main(): Promise<void> {
    const { positionals } = parseArgs({ options: {}, strict: true, allowPositionals: true });
    const [alias, dataDir = ".emulator"] = positionals;
    if (!alias || positionals.length > 2) throw new Error("usage: makeDrift <alias> [emulator data dir]");
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, "emulator.json"), "utf8")) as EmulatorInfo;
    const id = await renameTenant(info, alias, `${alias} (renamed by hand)`);
    console.log(
        `renamed tenant ${id} (${alias}); now run: npm run pulumi -- refresh --diff   (then npm start or npm run pulumi -- up to repair)`,
    );
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(1);
    });
}
