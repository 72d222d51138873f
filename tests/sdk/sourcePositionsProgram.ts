// Child process of tests/sdk/sourcePositions.test.ts: declares one CustomerTenant, then one QlikTenant of its own,
// under Pulumi's mocks, and prints what each registration sent to the engine as its source position and stack trace
// (the monitor's RegisterResourceRequest, as the engine receives it). A process of its own: mocks are process-wide.
import * as pulumi from "@pulumi/pulumi";

interface Seen {
    name: string;
    sourcePosition: string | null;
    frames: number;
}

async function main(): Promise<void> {
    const seen: Seen[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, systemHostname: `${a.name}.sys` } }),
            call: (a) => a.inputs,
        },
        "sp-project",
        "sp-stack",
        true,
    );
    // The SDK's monitor, to see the raw requests the engine would receive.
    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
        const pos = req.getSourceposition();
        seen.push({
            name: req.getName(),
            sourcePosition: pos ? `${pos.getUri()}:${pos.getLine()}` : null,
            frames: req.getStacktrace()?.getFramesList().length ?? 0,
        });
        return register(req, callback);
    };
    const prepareBefore = Error.prepareStackTrace;
    const { CustomerTenant, QlikTenant } = require(process.argv[2]);
    const ct = new CustomerTenant("acme", {
        customerName: "Acme",
        alias: "acme",
        region: "us",
        owner: "org/sp/test",
        users: [{ subject: "acme\\john", licenseType: "professional" }],
        groups: [{ name: "acme-analysts" }],
        template: { appName: "Customer Sales Analytics" },
        dataConnection: { name: "CustomerDB", datasourceID: "sqlite", connectionProperties: { database: "/x.db" } },
        extraApps: [{ key: "forecast", template: { appName: "Sales Forecast" } }],
        authorsSpace: { role: "producer" },
    });
    const after = new QlikTenant("after", { alias: "after", displayName: "After", owner: "org/sp/test" });
    const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));
    const all = [ct, ct.tenant, ct.identityProvider, ct.licenses, ct.groupSet, ct.app, ct.publish, ct.authors, after];
    all.push(...Object.values(ct.extraAppCopies), ...Object.values(ct.extraPublishes));
    await Promise.all(all.map((r: pulumi.Resource) => value(r.urn)));
    const stack = new Error("probe").stack ?? "";
    process.stdout.write(
        JSON.stringify({
            seen,
            prepareRestored: Error.prepareStackTrace === prepareBefore,
            stackHasFrames: stack.split("\n").length > 1,
        }),
    );
}

interface RegisterRequest {
    getName(): string;
    getSourceposition(): { getUri(): string; getLine(): number } | undefined;
    getStacktrace(): { getFramesList(): unknown[] } | undefined;
}

main().then(
    () => undefined,
    (e: unknown) => {
        process.stderr.write(e instanceof Error ? (e.stack ?? e.message) : String(e));
        process.exit(1);
    },
);
