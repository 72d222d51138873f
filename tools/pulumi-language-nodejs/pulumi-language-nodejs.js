#!/usr/bin/env node
// A Node.js language host for the Pulumi engine (the `pulumi-language-nodejs` plugin).
//
// Why this exists: Pulumi's own language host is a Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has no tags and is only
// reachable as a pseudo-version, and the Go module proxy reachable here answers 403 for it (see
// README "Getting the engine"). The CLI itself builds fine from pkg/v3. The plugin protocol is
// public (pulumirpc.LanguageRuntime, whose generated stubs ship inside @pulumi/pulumi), and the
// program runner it must start is `@pulumi/pulumi/cmd/run`, whose flags are documented in that
// file's usage text. So this host speaks the protocol and starts the real runner; the engine,
// the SDK and the dynamic-provider plugin are all Pulumi's own.
//
// Protocol facts used here:
// - the engine starts the plugin with the engine address as the last argument (flags such as
//   -root=<dir> or -tracing=<url> before it) and reads the gRPC port from the first stdout line;
// - Run must start the program with the monitor/engine addresses and project settings, pass stack
//   config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, and answer `bail` when the program exited
//   with code 32 (it already reported a user-facing error through the engine).
"use strict";

const path = require("path");
const { spawn } = require("child_process");

const HOST_VERSION = "3.274.1";
const BAIL_EXIT_CODE = 32; // @pulumi/pulumi/cmd/run: nodeJSProcessExitedAfterLoggingUserActionableMessage

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
            "run `npm install` in the project directory",
    );
}

function main() {
    const { flags, positional } = parseArgs(process.argv.slice(2));
    const engineAddress = positional[positional.length - 1];
    const searchDirs = [typeof flags.root === "string" ? flags.root : undefined, process.cwd()];

    const grpc = require(resolveFromProject("@grpc/grpc-js", [path.dirname(resolveFromProject("@pulumi/pulumi/package.json", searchDirs))]));
    const sdkDir = path.dirname(resolveFromProject("@pulumi/pulumi/package.json", searchDirs));
    const services = require(path.join(sdkDir, "proto", "language_grpc_pb.js"));
    const messages = require(path.join(sdkDir, "proto", "language_pb.js"));
    const pluginMessages = require(path.join(sdkDir, "proto", "plugin_pb.js"));
    const runnerPath = path.join(sdkDir, "cmd", "run", "index.js");

    const impl = {
        handshake(_call, cb) {
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
            // Dependencies are installed by the project's own setup script (npm ci).
            call.end();
        },
        runtimeOptionsPrompts(_call, cb) {
            cb(null, new messages.RuntimeOptionsResponse());
        },
        about(_call, cb) {
            const res = new messages.AboutResponse();
            res.setExecutable(process.execPath);
            res.setVersion(process.version);
            cb(null, res);
        },
        getProgramDependencies(_call, cb) {
            cb(null, new messages.GetProgramDependenciesResponse());
        },
        run(call, cb) {
            runProgram(call.request, runnerPath, engineAddress)
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

function runProgram(req, runnerPath, engineAddress) {
    const info = req.getInfo();
    const pwd = req.getPwd() || (info && info.getProgramDirectory()) || process.cwd();
    const rootDir = (info && info.getRootDirectory()) || pwd;
    let program = req.getProgram() || ".";
    if (info && info.getEntryPoint()) {
        program = path.resolve(info.getProgramDirectory() || pwd, info.getEntryPoint());
    }

    const args = [
        runnerPath,
        `--monitor=${req.getMonitorAddress()}`,
        `--engine=${engineAddress}`,
        `--project=${req.getProject()}`,
        `--stack=${req.getStack()}`,
        `--pwd=${pwd}`,
        `--root-directory=${rootDir}`,
        `--parallel=${req.getParallel()}`,
    ];
    if (req.getOrganization()) args.push(`--organization=${req.getOrganization()}`);
    if (req.getDryrun()) args.push("--dry-run");
    args.push(program, ...req.getArgsList());

    const config = {};
    req.getConfigMap().forEach((value, key) => {
        config[key] = value;
    });
    const env = {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };

    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd: pwd, env, stdio: ["ignore", "inherit", "inherit"] });
        child.on("error", (err) => resolve({ error: `could not start the Node.js program runner: ${err.message}` }));
        child.on("exit", (code, signal) => {
            if (code === 0) resolve({});
            else if (code === BAIL_EXIT_CODE) resolve({ bail: true });
            else if (signal) resolve({ error: `Program exited with signal ${signal}` });
            else resolve({ error: `Program exited with non-zero exit code: ${code}` });
        });
    });
}

main();
