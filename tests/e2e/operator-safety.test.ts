// Issue 9 "operator safety" with the real Pulumi CLI: the mistakes that used to break live customers are
// refused at PREVIEW, before anything changes. One emulator and one fleet stack (the project's fleet program,
// three customers) serve every mistake, so they are the named steps of ONE test (tests/support/steps.ts): each step
// puts the master database and config back as it found them, but a later step still runs on the stack the earlier
// ones left. A user's own TypeScript program (CustomerTenant + FleetGuard from the package) gets the same guard.
import { expect } from "chai";
import { step } from "../support/steps";
import * as fs from "fs";
import * as path from "path";
import Database = require("better-sqlite3");
import { Fleet, type StackOutputs } from "./fleet-fixture";
import { TempProject } from "./harness";
import { stackConfigFor } from "./emulatorFixture";
import { jwtLogin, signUserJwt } from "../../scripts/userSession";
import { call, tokenFor } from "../support/http";
import { userProgramFiles } from "./fixtures/fleet";

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, "g")) ?? []).length;
/**
 * The CLI's default display shows each diagnostic twice (progress line, then the "Diagnostics:" summary);
 * with --diff it prints it once inline. Count in the summary when there is one.
 */
const diagnostics = (output: string) =>
    output.includes("Diagnostics:") ? output.slice(output.indexOf("Diagnostics:")) : output;

/** Stack traces look like "    at fn (file:line:col)". */
const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

interface IdpRecord {
    protocol?: string;
    active?: boolean;
}

describe("operator safety (issue 9): mistakes are refused at preview, nothing changes", function () {
    this.timeout(1_800_000); // one test runs every step; generous for a busy machine
    let fleet: Fleet;
    let backup: string;
    const aliases = ["acme", "globex", "initech"];

    /** Runs fn on the master database, then restores the file exactly. */
    async function withMasterDb<T>(edit: (file: string) => void, fn: () => Promise<T>): Promise<T> {
        fs.copyFileSync(fleet.masterDb, backup);
        try {
            edit(fleet.masterDb);
            return await fn();
        } finally {
            fs.copyFileSync(backup, fleet.masterDb);
        }
    }

    /** Users of each customer can log in with their JWT (their identity provider is there). */
    async function expectLogins(out: StackOutputs, who: string[]): Promise<void> {
        const customers = await fleet.customers();
        for (const alias of who) {
            const c = customers.find((x) => x.alias === alias)!;
            const session = await jwtLogin(
                fleet.emu.url,
                out.tenants[alias].hostname,
                await signUserJwt(await fleet.signer(alias), c.users[0]),
            );
            expect(session.cookie, `${alias} logs in`).to.match(/eas\.sid=/);
        }
    }

    let own: TempProject;
    let ownOut: Record<string, { host: string; keyId: string; issuer: string; privateKey: string }>;
    const ownCustomers = [
        { alias: "umbrella", name: "Umbrella" },
        { alias: "stark", name: "Stark" },
    ];

    before(async () => {
        fleet = await Fleet.start(aliases);
        backup = path.join(fleet.dir, "master.backup.sqlite");
        // The fleet stack and a user's own program (other aliases, same emulator) come up side by side.
        own = new TempProject({ name: "own-fleet", files: userProgramFiles() }); // index.ts, not precompiled
        const cfg = stackConfigFor(fleet.emu);
        const db = (await fleet.customers())[0].connections[0].database!;
        await own.initStack(
            "test",
            { ...cfg.config, templateAppId: fleet.template.appId, dbPath: db, customers: JSON.stringify(ownCustomers) },
            cfg.secrets,
        );
        // Neither up checks its preview (an up's own preview costs as much as the update, docs/benchmark.md): skipped.
        await Promise.all([
            fleet.project.run(["up", "--yes", "--skip-preview"]),
            own.run(["up", "--yes", "--skip-preview"]),
        ]);
        ownOut = (
            JSON.parse((await own.run(["stack", "output", "--json", "--show-secrets"])).stdout) as {
                tenants: typeof ownOut;
            }
        ).tenants;
        // That up type-checked the program; its source never changes, so later commands only transpile it
        // (PULUMI_NODEJS_TRANSPILE_ONLY, Pulumi's documented switch): a type check costs ~30-60 s of CPU a command.
        own.addEnv({ PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    });
    after(async () => {
        own?.cleanup();
        await fleet?.close();
    });

    it("each mistake on the one fleet stack, step by step (each step puts the master database and config back as it found them)", async () => {
        await step(
            "a refused offboarding deletes nothing, says so once for that customer at preview, and its users still log in",
            async () => {
                const before = await fleet.outputs();
                await withMasterDb(
                    (file) => {
                        const db = new Database(file);
                        db.pragma("foreign_keys = ON");
                        db.prepare("DELETE FROM customers WHERE alias = 'globex'").run();
                        db.close();
                    },
                    async () => {
                        const preview = await fleet.project.run(["preview", "--diff"], { allowFailure: true });
                        expect(preview.code).to.not.equal(0);
                        expect(
                            count(diagnostics(preview.output), /NOTHING of globex is deleted or replaced/),
                            preview.output,
                        ).to.equal(1);
                        expect(preview.output).to.not.match(/NOTHING of (acme|initech)/);
                        expect(preview.output).to.match(/pulumi config set qlik:allowTenantDeactivation true/);
                        const up = await fleet.project.run(["up", "--yes"], { allowFailure: true });
                        expect(up.code).to.not.equal(0);
                        expect(up.output).to.match(/NOTHING of globex/);
                        expect(up.output, "no resource was deleted").to.not.match(/deleted \(|deleting|--\s*delete/);
                    },
                );
                // Nothing left the state or Qlik: with the row back, the next preview sees no change at all.
                await fleet.project.run(["preview", "--expect-no-changes"]);
                await expectLogins(before, ["globex"]);
            },
        );

        await step("a 0-byte master database is refused at preview, naming the file and the fix", async () => {
            await withMasterDb(
                (file) => fs.writeFileSync(file, ""),
                async () => {
                    const r = await fleet.project.run(["preview"], { allowFailure: true });
                    expect(r.code).to.not.equal(0);
                    expect(r.output).to.include(fleet.masterDb);
                    expect(r.output).to.match(/is empty \(0 bytes\).*Fix: restore it from your backup/);
                    expect(r.output).to.not.match(/to delete/);
                    expect(r.output, "an expected failure has no stack trace").to.not.match(STACK_TRACE);
                    expect(fs.statSync(fleet.masterDb).size, "nothing re-seeded the file").to.equal(0);
                },
            );
        });

        await step(
            "a plan deleting 3 of 3 customers is refused at preview, listing them, unless confirmed for the run",
            async () => {
                await fleet.project.run(["config", "set", "qlik:allowTenantDeactivation", "true"]);
                try {
                    await withMasterDb(
                        (file) => {
                            const db = new Database(file);
                            db.pragma("foreign_keys = ON");
                            db.prepare("DELETE FROM customers").run();
                            db.close();
                        },
                        async () => {
                            const r = await fleet.project.run(["preview"], { allowFailure: true });
                            expect(r.code).to.not.equal(0);
                            expect(r.output).to.match(
                                /offboards or replaces 3 of 3 customers \(acme, globex, initech\), more than fleet:maxDeletions allows \(1\)/,
                            );
                            expect(r.output).to.match(/QLIK_FLEET_CONFIRM_DELETIONS=acme,globex,initech/);
                            // The operator's confirmation for this run (the env var is never stored) lets the preview through.
                            const confirmed = await fleet.project.run(["preview"], {
                                env: { QLIK_FLEET_CONFIRM_DELETIONS: "acme,globex,initech" },
                            });
                            expect(confirmed.output).to.match(/- 3[0-9]? to delete|to delete/);
                        },
                    );
                } finally {
                    await fleet.project.run(["config", "rm", "qlik:allowTenantDeactivation"]);
                }
            },
        );

        await step("reports every invalid customer row at once, before any change", async () => {
            const since = (await fleet.emu.emu.store.list<unknown>("tenants")).length;
            await withMasterDb(
                (file) => {
                    const db = new Database(file);
                    // Rows a database created under older, looser rules can hold (the CHECKs would refuse them today).
                    db.pragma("ignore_check_constraints = ON");
                    db.prepare(
                        "INSERT INTO customers(id, name, alias) VALUES ('cust-100', 'Trailing Dash Ltd', 'trail-')",
                    ).run();
                    db.prepare(
                        "INSERT INTO customer_connections(customer_id, name, datasource_id, database) VALUES ('cust-100', 'CustomerDB', 'sqlite', 'x.sqlite')",
                    ).run();
                    db.prepare("UPDATE users SET email = 'linda at globex' WHERE subject = 'globex\\linda'").run();
                    db.close();
                },
                async () => {
                    const r = await fleet.project.run(["up", "--yes"], { allowFailure: true });
                    expect(r.code).to.not.equal(0);
                    expect(r.output).to.match(/2 invalid value\(s\); nothing was changed/);
                    expect(r.output).to.match(/customers id=cust-100 \(alias "trail-"\): alias must be a host label/);
                    expect(r.output).to.match(
                        /users customer=cust-002 subject="globex\\\\linda": email "linda at globex" is not an email address/,
                    );
                    expect(r.output).to.not.match(STACK_TRACE);
                },
            );
            expect((await fleet.emu.emu.store.list<unknown>("tenants")).length, "no tenant was created").to.equal(
                since,
            );
        });

        await step(
            "missing or malformed config fails preview once, in one message naming the key and the fix",
            async () => {
                const region = stackConfigFor(fleet.emu).config["qlik:region"];
                await own.run(["config", "rm", "qlik:region"]);
                try {
                    const r = await own.run(["preview"], { allowFailure: true });
                    expect(r.code).to.not.equal(0);
                    expect(count(diagnostics(r.output), /missing qlik:region/), r.output).to.equal(1);
                    expect(r.output).to.match(/pulumi config set qlik:region/);
                    expect(r.output).to.not.match(STACK_TRACE);
                    await own.run(["config", "set", "qlik:region", "zz"]);
                    const zz = await own.run(["preview"], { allowFailure: true });
                    expect(
                        count(diagnostics(zz.output), /qlik:region must be a Qlik Cloud region .* got "zz"/),
                        zz.output,
                    ).to.equal(1);
                    expect(zz.output, "no OAuth call to a register host that does not exist").to.not.match(
                        /register\.zz\./,
                    );
                } finally {
                    await own.run(["config", "set", "qlik:region", region]);
                }
            },
        );

        await step(
            "a wrong client secret: refresh with the current config fails with one line per call and its FIX, no stack traces",
            async () => {
                const secret = stackConfigFor(fleet.emu).secrets["qlik:clientSecret"];
                await fleet.project.run(["config", "set-all", "--secret", "qlik:clientSecret=definitely-wrong"]);
                try {
                    // The provider configuration recorded by the last up is what a plain refresh uses (docs/provider-client.md);
                    // --run-program (the default of `npm run pulumi -- refresh`) uses the stack's current config.
                    const r = await fleet.project.run(["refresh", "--yes", "--skip-preview", "--run-program"], {
                        allowFailure: true,
                    });
                    expect(r.code).to.not.equal(0);
                    expect(r.output).to.match(
                        /HTTP 401.*FIX: authentication failed: check qlik:clientId and qlik:clientSecret/,
                    );
                    expect(r.output).to.not.match(STACK_TRACE);
                    expect(r.output).to.not.include("definitely-wrong");
                } finally {
                    await fleet.project.run(["config", "set-all", "--secret", `qlik:clientSecret=${secret}`]);
                }
            },
        );

        await step(
            "a user's own TypeScript program with FleetGuard: the refused offboarding deletes nothing and users still log in",
            async () => {
                // Umbrella's opt-in reaches the guard's record through an up in which the guard itself shows no change.
                const optedIn = [{ ...ownCustomers[0], allowDeactivation: true }, ownCustomers[1]];
                await own.run(["config", "set", "customers", JSON.stringify(optedIn)]);
                const recorded = await own.run(["up", "--yes", "--skip-preview"]);
                expect(recorded.output).to.not.match(/FleetGuard.*(update|create)/);
                await own.run(["config", "set", "customers", "[]"]);
                try {
                    const preview = await own.run(["preview"], { allowFailure: true });
                    expect(preview.code).to.not.equal(0);
                    const diag = diagnostics(preview.output);
                    expect(count(diag, /NOTHING of stark is deleted or replaced/), preview.output).to.equal(1);
                    expect(diag, "umbrella's recorded opt-in lets it go").to.not.match(/NOTHING of umbrella/);
                    const up = await own.run(["up", "--yes"], { allowFailure: true });
                    expect(up.code).to.not.equal(0);
                    expect(up.output).to.match(/NOTHING of stark/);
                } finally {
                    await own.run(["config", "set", "customers", JSON.stringify(optedIn)]);
                }
                // Nothing was deleted: Stark's identity provider is still in its tenant, and its user still logs in.
                const host = ownOut.stark.host;
                const token = await tokenFor(fleet.emu.url, host, fleet.emu.info.oauthClient);
                const idps = await call(fleet.emu.url, "/api/v1/identity-providers", { host, token });
                expect(
                    (idps.body as { data: IdpRecord[] }).data.filter((i) => i.protocol === "jwtAuth" && i.active),
                ).to.have.length(1);
                const session = await jwtLogin(
                    fleet.emu.url,
                    host,
                    await signUserJwt(ownOut.stark, {
                        subject: "stark\\ann",
                        name: "Ann",
                        email: "ann@stark.example",
                        groups: ["stark-analysts"],
                    }),
                );
                expect(session.cookie).to.match(/eas\.sid=/);
                await own.run(["preview", "--expect-no-changes"]);
            },
        );
    });
});
