#!/usr/bin/env node
// The `pulumi-resource-pulumi-nodejs` plugin: the launcher the engine runs for dynamic resources.
//
// @pulumi/pulumi ships this launcher as a 4-line sh script that resolves
// `@pulumi/pulumi/cmd/dynamic-provider` from the working directory (the project) and runs it with
// `node`, passing the engine address. That leaves two processes (sh, node) that never notice when
// the engine dies (issue 14). This launcher resolves the same module the same way and runs it in
// this very process, with the engine watchdog beside it: one process, and it exits within about a
// second of its engine (the CLI, its parent) disappearing.
"use strict";

const fs = require("fs");
const path = require("path");
const { watchEngine, engineAddressFrom } = require("./qtf-engine-watchdog.js");

function resolveFromProject(request) {
    try {
        return require.resolve(request, { paths: [process.cwd()] });
    } catch {
        return undefined;
    }
}

const providerPath = resolveFromProject("@pulumi/pulumi/cmd/dynamic-provider");
if (!providerPath) {
    // Same outcome as Pulumi's script when the SDK is missing: no port on stdout, so the engine reports it.
    process.stderr.write(
        `pulumi-resource-pulumi-nodejs: cannot find @pulumi/pulumi from ${process.cwd()}; run \`npm install\` in the project\n`,
    );
    process.exit(1);
}

const args = process.argv.slice(2);
let grpcPath;
try {
    grpcPath = require.resolve("@grpc/grpc-js", { paths: [path.dirname(providerPath)] });
} catch {
    grpcPath = undefined; // the parent-pid check still runs
}
watchEngine({
    grpc: grpcPath ? require(grpcPath) : undefined,
    engineAddress: engineAddressFrom(args),
    onGone(reason) {
        try {
            // Synchronous and guarded: the CLI that read our stderr may be gone (EPIPE).
            fs.writeSync(2, `pulumi-resource-pulumi-nodejs: ${reason}; exiting\n`);
        } catch {
            // nobody is listening
        }
        process.exit(1);
    },
});

// The provider reads its arguments from process.argv and serves until the engine kills it.
process.argv = [process.argv[0], providerPath, ...args];
require(providerPath);
