// `node dist/emulator/cli.js --port 8080 --data-dir .emulator [--tls-port 8443] [--profile realistic]
//   [--seed seed.json] [--region us] [--domain qlikcloud.com] [--rate-limit-scale 1] [--token-ttl 21600] [--quiet]
//   [--fault 429@0.1] [--fault '503@0.02:^/api/v1/'] ...`
// Runs in the foreground; writes <data-dir>/emulator.json once listening; SIGTERM/SIGINT stop it cleanly.
// Holds <data-dir>/emulator.lock while it runs: one emulator per data folder. QLIK_EMULATOR_PORT = --port.
import { startEmulator, type EmulatorOptions } from "./index";
import { parseFaultFlag } from "./core/faults";
import { lockDataDir } from "./dataDirLock";

function parseArgs(argv: string[]): EmulatorOptions {
    const o: EmulatorOptions = {};
    const num = (flag: string, v: string | undefined): number => {
        const n = Number(v);
        if (v === undefined || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] = a.includes("=")
            ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
            : [a, undefined];
        const val = () => inline ?? argv[++i];
        switch (flag) {
            case "--port":
                o.port = num(flag, val());
                break;
            case "--tls-port":
                o.tlsPort = num(flag, val());
                break;
            case "--data-dir":
                o.dataDir = val();
                break;
            case "--profile": {
                const p = val();
                if (p !== "instant" && p !== "realistic") throw new Error("--profile is instant or realistic");
                o.profile = p;
                break;
            }
            case "--seed":
                o.seed = val();
                break;
            case "--region":
                o.region = val();
                break;
            case "--domain":
                o.domain = val();
                break;
            case "--rate-limit-scale":
                o.rateLimitScale = num(flag, val());
                break;
            case "--token-ttl":
                o.tokenTtlSeconds = num(flag, val());
                break;
            case "--quiet":
                o.quiet = true;
                break;
            case "--fault":
                (o.faults ??= []).push(parseFaultFlag(val() ?? ""));
                break;
            case "--help":
            case "-h":
                console.log(
                    "usage: emulator [--port N] [--tls-port N] [--data-dir DIR] [--profile instant|realistic] [--seed FILE]\n" +
                        "                [--region us] [--domain qlikcloud.com] [--rate-limit-scale X] [--token-ttl S] [--quiet]\n" +
                        "                [--fault <action>[@rate][:<path regex>] | --fault '<JSON rule>'] ...",
                );
                process.exit(0);
                break;
            default:
                throw new Error(`unknown option ${a}`);
        }
    }
    // QLIK_EMULATOR_PORT: the same choice as --port, for `npm start` and scripts.
    if (o.port === undefined && process.env.QLIK_EMULATOR_PORT)
        o.port = num("QLIK_EMULATOR_PORT", process.env.QLIK_EMULATOR_PORT);
    o.port ??= 8080;
    o.dataDir ??= ".emulator";
    return o;
}

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    // One emulator per data folder (emulator/dataDirLock.ts): a second one fails here, before touching the store.
    const release = lockDataDir(opts.dataDir as string);
    process.on("exit", release);
    let running: Awaited<ReturnType<typeof startEmulator>>;
    try {
        running = await startEmulator(opts);
    } catch (e) {
        release();
        throw e;
    }
    console.log(
        `Qlik Cloud emulator listening on ${running.info.httpUrl}${running.info.httpsUrl ? ` and ${running.info.httpsUrl}` : ""}` +
            ` (region ${running.info.region}.${running.info.domain}, profile ${running.info.profile}); info in ${opts.dataDir}/emulator.json`,
    );
    let stopping = false;
    const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        if (!opts.quiet) console.log(`${sig}: stopping`);
        running.close().then(
            () => process.exit(0),
            (e) => {
                console.error(e);
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
