// `node dist/emulator/cli.js --port 8080 --data-dir .emulator [--tls-port 8443] [--profile realistic]
//   [--seed seed.json] [--region us] [--domain qlikcloud.com] [--rate-limit-scale 1] [--token-ttl 21600] [--quiet]
//   [--random-seed N] [--fault 429@0.1] [--fault '503@0.02:^/api/v1/'] ...`
// Runs in the foreground; writes <data-dir>/emulator.json once listening; SIGTERM/SIGINT stop it cleanly.
// Holds <data-dir>/emulator.lock while it runs: one emulator per data folder. QLIK_EMULATOR_PORT = --port,
// QLIK_EMULATOR_SEED = --random-seed.
import { startEmulator } from "./index";
import { lockDataDir } from "./dataDirLock";
import { parseArgs, USAGE } from "./cliArgs";

async function main(): Promise<void> {
    const opts = parseArgs(process.argv.slice(2));
    if (opts === "help") {
        console.log(USAGE);
        return;
    }
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
            ` (region ${running.info.region}.${running.info.domain}, profile ${running.info.profile}, random seed ${running.info.randomSeed}); info in ${opts.dataDir}/emulator.json`,
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
