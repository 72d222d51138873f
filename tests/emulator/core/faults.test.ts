// Seeded fault injection: the same seed and the same traffic give the same faults (so a flaky run can be
// replayed with QLIK_EMULATOR_SEED), and the seed is visible (info, GET /_emulator/faults, and on failure).
import { expect } from "chai";
import { FaultInjector } from "../../../emulator/core/faults";
import { chooseSeed, SEED_ENV } from "../../../emulator/core/random";
import { startEmulator } from "../../../emulator/index";
import { call, tokenFor } from "../../support/http";
import { seededRandom, intBetween } from "../../support/random";

/** Which of `n` matching requests a rule of `rate` fails, for an injector with `seed`. */
function pattern(seed: number, rate: number, n: number, extraRuleAfter = false): boolean[] {
    const f = new FaultInjector(seed);
    f.add([{ match: { path: "^/api/" }, action: "503", rate }]);
    if (extraRuleAfter) f.add([{ match: { path: "^/api/" }, action: "500", rate: 0.5 }]);
    return Array.from({ length: n }, () => f.pick("GET", "h", "/api/v1/x")?.action === "503");
}

describe("emulator faults: seeded", function () {
    this.timeout(60_000);
    const rand = seededRandom("seeds of the fault-injection tests");

    it("replays the same faults for the same seed, and others for another seed", () => {
        const seed = intBetween(rand, 0, 2 ** 32 - 1);
        const a = pattern(seed, 0.3, 200);
        expect(pattern(seed, 0.3, 200)).to.deep.equal(a);
        // A rule's draws are its own: a rule added after it, drawing on the same requests, changes nothing.
        expect(pattern(seed, 0.3, 200, true)).to.deep.equal(a);
        expect(pattern((seed + 1) % 2 ** 32, 0.3, 200)).to.not.deep.equal(a);
        const fired = a.filter(Boolean).length;
        expect(fired, "a rate of 0.3 fires sometimes, not always").to.be.within(1, 199);
    });

    it("takes the seed from the option, else QLIK_EMULATOR_SEED, and refuses a malformed one", () => {
        expect(chooseSeed(7, { [SEED_ENV]: "9" })).to.equal(7);
        expect(chooseSeed(undefined, { [SEED_ENV]: "9" })).to.equal(9);
        expect(chooseSeed(undefined, {})).to.be.a("number");
        expect(() => chooseSeed(undefined, { [SEED_ENV]: "abc" })).to.throw(SEED_ENV);
        expect(() => chooseSeed(-1)).to.throw("non-negative");
    });

    it("an emulator started twice with one seed fails the same requests; the seed is in info and /_emulator/faults", async () => {
        const seed = intBetween(rand, 0, 2 ** 32 - 1);
        const statuses = async (): Promise<number[]> => {
            const emu = await startEmulator({
                quiet: true,
                randomSeed: seed,
                faults: [{ match: { path: "^/api/v1/users/me$" }, action: "503", rate: 0.4 }],
            });
            try {
                expect(emu.info.randomSeed).to.equal(seed);
                const faults = await call(emu.url, "/_emulator/faults", { host: "127.0.0.1" });
                expect(faults.body.seed).to.equal(seed);
                const host = emu.info.sourceTenant.hostname;
                const token = await tokenFor(emu.url, host, emu.info.oauthClient);
                const out: number[] = [];
                for (let i = 0; i < 30; i++)
                    out.push((await call(emu.url, "/api/v1/users/me", { host, token })).status);
                return out;
            } finally {
                await emu.close();
            }
        };
        const first = await statuses();
        expect(first).to.include(503);
        expect(await statuses()).to.deep.equal(first);
    });
});
