#!/usr/bin/env node
// A Node.js language host for the Pulumi engine (the `pulumi-language-nodejs` plugin).
//
// Why this exists: Pulumi's own language host is a Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has no tags and is only
// reachable as a pseudo-version, and the Go module proxy reachable here answers 403 for it (see
// README "Why there is a Node.js language host in `tools/`"). The CLI itself builds fine from
// pkg/v3. The plugin protocol is public (pulumirpc.LanguageRuntime, whose generated stubs ship
// inside @pulumi/pulumi), and the program runner it must start is `@pulumi/pulumi/cmd/run`. So this
// host speaks the protocol and starts the real runner, as Pulumi's Go host does
// (https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/pulumi-language-nodejs/main.go):
// - the engine starts the plugin with the engine address as the last argument (flags such as
//   -root=<dir> or -tracing=<url> before it) and reads the gRPC port from the first stdout line;
// - Run starts `node [nodeargs] .../cmd/run --monitor … --engine … --pwd <program dir> <entry point>`
//   with stack config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT=true
//   unless `typescript: false` (the runner then registers ts-node, the project's or the one
//   vendored in @pulumi/pulumi), PULUMI_NODEJS_TSCONFIG_PATH for `tsconfig`; the entry point is the
//   engine's (Pulumi.yaml `main`, else "." so the runner applies package.json `main`/`exports` and
//   Node's index.js/index.ts lookup); exit code 32 means the program already reported its error
//   (answer `bail`);
// - InstallDependencies and About use the `packagemanager` option (qtf-runtime-options.js).
// And, unlike a plain gRPC server, it exits when its engine is gone (qtf-engine-watchdog.js, issue 14).
"use strict";

const fs = require("fs");
const path = require("path");
const { spawn, spawnSync } = require("child_process");
const { watchEngine } = require("./qtf-engine-watchdog.js");
const { parseOptions, optionsFromFlags, shellSplit, resolvePackageManager } = require("./qtf-runtime-options.js");

const HOST_VERSION = "3.274.1";
const BAIL_EXIT_CODE = 32; // @pulumi/pulumi/cmd/run: nodeJSProcessExitedAfterLoggingUserActionableMessage
/** How long a program gets to end on SIGTERM once the engine is gone, before SIGKILL. */
const CHILD_GRACE_MS = 2000;

function parseArgs(argv) {
    const flags = {};
    const positional = [];
    for (const arg of argv) {
        const m = /^--?([A-Za-z-]+)(?:=(.*))?$/.exec(arg);
        if (m) {
            flags[m[1]] = m[2] === undefined ? true : m[2];
        } else {
            positional.push(arg);
        }
    }
    return { flags, positional };
}

// @pulumi/pulumi is resolved from the project, like Pulumi's own host does, so the runner and the
// SDK the program imports are the same copy.
function resolveFromProject(request, dirs) {
    for (const dir of dirs) {
        if (!dir) continue;
        try {
            return require.resolve(request, { paths: [dir] });
        } catch {
            // try the next directory
        }
    }
    throw new Error(
        `pulumi-language-nodejs: cannot find ${request} from ${dirs.filter(Boolean).join(", ")}; ` +
            "run `npm install` (or `pulumi install`) in the project directory",
    );
}

/** Child processes (programs, installs) to end when the engine goes away. */
const children = new Set();

function track(child) {
    children.add(child);
    child.on("exit", () => children.delete(child));
    return child;
}

function shutdown(reason) {
    try {
        // Synchronous and guarded: the CLI that read our stderr may be gone (EPIPE).
        fs.writeSync(2, `pulumi-language-nodejs: ${reason}; exiting\n`);
    } catch {
        // nobody is listening
    }
    for (const child of children) child.kill("SIGTERM");
    const deadline = setTimeout(() => {
        for (const child of children) child.kill("SIGKILL");
        process.exit(1);
    }, CHILD_GRACE_MS);
    const poll = setInterval(() => {
        if (children.size === 0) {
            clearTimeout(deadline);
            clearInterval(poll);
            process.exit(1);
        }
    }, 50);
}

function programOptions(info, flagOptions) {
    const fromRequest = info && info.getOptions() ? info.getOptions().toJavaScript() : {};
    return parseOptions({ ...flagOptions, ...fromRequest });
}

function main() {
    const { flags, positional } = parseArgs(process.argv.slice(2));
    let engineAddress = positional[positional.length - 1];
    const flagOptions = optionsFromFlags(flags);
    const searchDirs = [typeof flags.root === "string" ? flags.root : undefined, process.cwd()];

    // The protocol stubs may come from any copy of the SDK; a project whose dependencies are not
    // installed yet (`pulumi install` in a fresh clone) uses the copy setup recorded beside this host.
    let sdkDir;
    try {
        sdkDir = path.dirname(resolveFromProject("@pulumi/pulumi/package.json", searchDirs));
    } catch (err) {
        sdkDir = fallbackSdkDir();
        if (!sdkDir) throw err;
    }
    const grpc = require(resolveFromProject("@grpc/grpc-js", [sdkDir]));
    const services = require(path.join(sdkDir, "proto", "language_grpc_pb.js"));
    const messages = require(path.join(sdkDir, "proto", "language_pb.js"));
    const pluginMessages = require(path.join(sdkDir, "proto", "plugin_pb.js"));

    let watchdog = engineAddress ? watchEngine({ grpc, engineAddress, onGone: shutdown }) : undefined;

    const impl = {
        handshake(call, cb) {
            // A host started by a debugger learns its engine here rather than from argv.
            const addr = call.request.getEngineAddress();
            if (addr && addr !== engineAddress) {
                engineAddress = addr;
                if (watchdog) watchdog.stop();
                watchdog = watchEngine({ grpc, engineAddress, onGone: shutdown });
            }
            cb(null, new messages.LanguageHandshakeResponse());
        },
        getPluginInfo(_call, cb) {
            const info = new pluginMessages.PluginInfo();
            info.setVersion(HOST_VERSION);
            cb(null, info);
        },
        // Provider plugins are found by the engine on demand (the dynamic-provider launcher sits
        // next to the CLI), so nothing has to be announced here.
        getRequiredPlugins(_call, cb) {
            cb(null, new messages.GetRequiredPluginsResponse());
        },
        getRequiredPackages(_call, cb) {
            cb(null, new messages.GetRequiredPackagesResponse());
        },
        installDependencies(call) {
            installDependencies(call, messages, flagOptions).then(
                () => call.end(),
                // grpc-js turns an 'error' event on a server stream into the call's status.
                (err) => call.emit("error", { code: grpc.status.UNKNOWN, details: err.message }),
            );
        },
        runtimeOptionsPrompts(_call, cb) {
            cb(null, new messages.RuntimeOptionsResponse());
        },
        about(call, cb) {
            let opts;
            try {
                opts = programOptions(call.request.getInfo(), flagOptions);
            } catch (err) {
                cb({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
                return;
            }
            const info = call.request.getInfo();
            const pm = resolvePackageManager(
                opts.packagemanager,
                (info && info.getProgramDirectory()) || process.cwd(),
            );
            const res = new messages.AboutResponse();
            res.setExecutable(process.execPath);
            res.setVersion(process.version);
            res.getMetadataMap().set("packagemanager", pm);
            const version = spawnSync(pm, ["--version"], { encoding: "utf8", timeout: 20000 });
            if (version.status === 0) res.getMetadataMap().set("packagemanagerVersion", version.stdout.trim());
            cb(null, res);
        },
        getProgramDependencies(call, cb) {
            const info = call.request.getInfo();
            cb(
                null,
                programDependencies(
                    messages,
                    (info && info.getProgramDirectory()) || call.request.getPwd() || process.cwd(),
                ),
            );
        },
        run(call, cb) {
            let opts;
            try {
                opts = programOptions(call.request.getInfo(), flagOptions);
            } catch (err) {
                const res = new messages.RunResponse();
                res.setError(err.message);
                cb(null, res);
                return;
            }
            runProgram(call, engineAddress, opts)
                .then((outcome) => {
                    const res = new messages.RunResponse();
                    if (outcome.bail) res.setBail(true);
                    if (outcome.error) res.setError(outcome.error);
                    cb(null, res);
                })
                .catch((err) => cb(err));
        },
    };

    const server = new grpc.Server({
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    server.addService(services.LanguageRuntimeService, impl);
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            console.error(`pulumi-language-nodejs: cannot listen: ${err.message}`);
            process.exit(1);
        }
        // The engine reads the port from the first line of stdout.
        process.stdout.write(`${port}\n`);
    });
}

/** The SDK copy `npm run setup` recorded next to the installed host (scripts/lib/engine.js), if any. */
function fallbackSdkDir() {
    try {
        const rec = JSON.parse(fs.readFileSync(path.join(__dirname, "qtf-plugin-sdk.json"), "utf8"));
        // sdkDir: the one-entry record of earlier setups.
        const dirs = [...(rec.sdkDirs || []), ...(rec.sdkDir ? [rec.sdkDir] : [])];
        return dirs.find((dir) => fs.existsSync(path.join(dir, "package.json")));
    } catch {
        return undefined;
    }
}

function runProgram(call, engineAddress, opts) {
    const req = call.request;
    const info = req.getInfo();
    const programDir = (info && info.getProgramDirectory()) || req.getPwd() || process.cwd();
    const rootDir = (info && info.getRootDirectory()) || programDir;
    // The runner and the SDK the program imports must be the same copy: the project's own.
    let sdkDir;
    try {
        sdkDir = path.dirname(resolveFromProject("@pulumi/pulumi/package.json", [programDir, rootDir]));
    } catch (err) {
        return Promise.resolve({ error: `${err.message}` });
    }
    // "." lets the runner apply package.json `main`/`exports`, then Node's index lookup.
    const entryPoint = (info && info.getEntryPoint()) || req.getProgram() || ".";

    let nodeArgs;
    try {
        nodeArgs = shellSplit(opts.nodeargs);
    } catch (err) {
        return Promise.resolve({ error: err.message });
    }
    const args = [
        ...nodeArgs,
        path.join(sdkDir, "cmd", "run", "index.js"),
        `--monitor=${req.getMonitorAddress()}`,
        `--engine=${engineAddress}`,
        `--project=${req.getProject()}`,
        `--stack=${req.getStack()}`,
        `--pwd=${programDir}`,
        `--root-directory=${rootDir}`,
        `--parallel=${req.getParallel()}`,
    ];
    if (req.getOrganization()) args.push(`--organization=${req.getOrganization()}`);
    if (req.getDryrun()) args.push("--dry-run");
    args.push(entryPoint, ...req.getArgsList());

    const config = {};
    req.getConfigMap().forEach((value, key) => {
        config[key] = value;
    });
    const env = {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };
    delete env.PULUMI_NODEJS_TYPESCRIPT;
    delete env.PULUMI_NODEJS_TSCONFIG_PATH;
    if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;

    return new Promise((resolve) => {
        const child = track(
            spawn(process.execPath, args, { cwd: programDir, env, stdio: ["ignore", "inherit", "inherit"] }),
        );
        // The engine gave up on this run (Ctrl-C, or its own error): the program must not go on alone.
        call.on("cancelled", () => child.kill("SIGTERM"));
        child.on("error", (err) => resolve({ error: `could not start the Node.js program runner: ${err.message}` }));
        child.on("exit", (code, signal) => {
            if (code === 0) resolve({});
            else if (code === BAIL_EXIT_CODE) resolve({ bail: true });
            else if (signal) resolve({ error: `Program exited with signal ${signal}` });
            else resolve({ error: `Program exited with non-zero exit code: ${code}` });
        });
    });
}

/** `pulumi install`: the project's package manager installs its dependencies, its output streamed to the CLI. */
async function installDependencies(call, messages, flagOptions) {
    const req = call.request;
    const info = req.getInfo();
    const opts = programOptions(info, flagOptions);
    const dir = (info && info.getProgramDirectory()) || req.getDirectory() || process.cwd();
    const pm = resolvePackageManager(opts.packagemanager, dir);
    const send = (kind, data) => {
        const res = new messages.InstallDependenciesResponse();
        if (kind === "stdout") res.setStdout(data);
        else res.setStderr(data);
        call.write(res);
    };
    send("stdout", Buffer.from(`Installing dependencies with ${pm}...\n\n`));
    const child = track(spawn(pm, ["install"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }));
    child.stdout.on("data", (d) => send("stdout", d));
    child.stderr.on("data", (d) => send("stderr", d));
    const code = await new Promise((resolve, reject) => {
        child.on("error", (err) =>
            reject(new Error(`could not run ${pm}: ${err.message}; install it or set runtime option packagemanager`)),
        );
        child.on("exit", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`${pm} install exited with code ${code}`);
    send("stdout", Buffer.from("Finished installing dependencies\n\n"));
}

/** The project's direct dependencies and the versions installed in its node_modules (`pulumi about`). */
function programDependencies(messages, dir) {
    const res = new messages.GetProgramDependenciesResponse();
    let pkg;
    try {
        pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    } catch {
        return res;
    }
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort();
    for (const name of names) {
        let version;
        try {
            version = JSON.parse(
                fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [dir] }), "utf8"),
            ).version;
        } catch {
            continue; // not installed (or its package.json is not exported): nothing to report
        }
        const dep = new messages.DependencyInfo();
        dep.setName(name);
        dep.setVersion(version);
        res.addDependencies(dep);
    }
    return res;
}

main();
