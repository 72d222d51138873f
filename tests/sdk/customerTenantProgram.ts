// Child process of tests/sdk/customerTenant.test.ts: declares one CustomerTenant under Pulumi's mocks (a preview, no
// engine) and prints every resource it registers (type, name, inputs without the provider text) and the component's
// outputs as JSON. A process of its own because Pulumi's mocks are process-wide settings.
// argv: <path of the compiled sdk/customerTenant module> <JSON of the extra args>
import * as pulumi from "@pulumi/pulumi";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
    const [modulePath, extraJson] = process.argv.slice(2);
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(a) {
                const { __provider: _text, ...inputs } = a.inputs as Record<string, unknown>;
                registered.push({ type: a.type, name: a.name, inputs });
                // What the provider would compute, enough for the component's outputs.
                const state: Record<string, unknown> = {
                    ...inputs,
                    systemHostname: `${a.name}.sys.example`,
                    appId: `${a.name}-appid`,
                    contentVersion: `cv-${a.name}`,
                    reloadStatus: "SUCCEEDED",
                    spaceId: `${a.name}-spaceid`,
                    publishedAppId: `${a.name}-pubid`,
                };
                return { id: `${a.name}-id`, state };
            },
            call: (a) => a.inputs,
        },
        "ct-project",
        "ct-stack",
        true,
    );
    const { CustomerTenant } = require(modulePath);
    const ct = new CustomerTenant("acme", {
        customerName: "Acme",
        alias: "acme",
        region: "us",
        owner: "org/ct/test",
        users: [
            { subject: "acme\\john", licenseType: "professional" },
            { subject: "acme\\ann", licenseType: "analyzer" },
        ],
        groups: [
            { name: "acme-analysts", spaceRole: "consumer" },
            { name: "acme-admins", roles: ["AnalyticsAdmin"], spaceRole: "contributor" },
        ],
        template: { appName: "Customer Sales Analytics", version: "2026.1" },
        dataConnection: {
            name: "CustomerDB",
            datasourceID: "sqlite",
            connectionProperties: { database: "/data/acme.sqlite" },
        },
        ...JSON.parse(extraJson || "{}"),
    });
    const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));
    const children: pulumi.Resource[] = [
        ct.tenant,
        ct.identityProvider,
        ct.licenses,
        ct.groupSet,
        ct.app,
        ct.publish,
        // A module of a version before plans has neither (the baseline fixture comes from one).
        ...Object.values((ct.extraAppCopies ?? {}) as Record<string, pulumi.Resource>),
        ...Object.values((ct.extraPublishes ?? {}) as Record<string, pulumi.Resource>),
        ...(ct.authors ? [ct.authors] : []),
    ];
    // Every child's urn resolves once its registration is done.
    await Promise.all(children.map((r) => value(r.urn)));
    const outputs: Record<string, unknown> = {};
    for (const k of ["templateVersion", "extraApps", "authorsSpaceId", "publishedAppId", "reloadStatus"]) {
        if (ct[k] !== undefined) outputs[k] = (await value(ct[k] as pulumi.Output<unknown>)) ?? null;
    }
    registered.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    process.stdout.write(JSON.stringify({ resources: registered, outputs }));
}

main().then(
    () => undefined,
    (e: unknown) => {
        process.stderr.write(e instanceof Error ? e.message : String(e));
        process.exit(1);
    },
);
