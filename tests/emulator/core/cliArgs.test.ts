// The emulator CLI's flags (emulator/cliArgs.ts, node:util parseArgs).
import { expect } from "chai";
import { parseArgs } from "../../../emulator/cliArgs";

describe("emulator cli flags", () => {
    it("reads --flag value and --flag=value, repeats --fault, and keeps unset options absent", () => {
        const o = parseArgs(
            [
                "--port=0",
                "--data-dir",
                "/tmp/x",
                "--fault",
                "429@0.1",
                "--fault=drop@0.01",
                "--random-seed",
                "7",
                "--quiet",
            ],
            {},
        );
        expect(o).to.deep.equal({
            port: 0,
            dataDir: "/tmp/x",
            randomSeed: 7,
            quiet: true,
            faults: [
                { action: "429", match: {}, rate: 0.1, retryAfter: 1 },
                { action: "drop", match: {}, rate: 0.01 },
            ],
        });
    });

    it("defaults: port 8080 (or QLIK_EMULATOR_PORT) and data dir .emulator", () => {
        expect(parseArgs([], {})).to.deep.equal({ port: 8080, dataDir: ".emulator" });
        expect(parseArgs([], { QLIK_EMULATOR_PORT: "9090" })).to.deep.equal({ port: 9090, dataDir: ".emulator" });
        expect(parseArgs(["--port", "1"], { QLIK_EMULATOR_PORT: "9090" })).to.include({ port: 1 });
    });

    it("refuses unknown flags, bad numbers and bad profiles with the flag's name", () => {
        expect(() => parseArgs(["--nope"], {})).to.throw("--nope");
        expect(() => parseArgs(["--port", "x"], {})).to.throw("--port");
        expect(() => parseArgs(["--profile", "fast"], {})).to.throw("--profile");
        expect(() => parseArgs(["--random-seed", "1.5"], {})).to.throw("--random-seed");
        expect(parseArgs(["-h"], {})).to.equal("help");
    });
});
