// Ends a plugin process once the Pulumi engine that started it is gone (issue 14).
//
// The engine (the `pulumi` CLI) starts every plugin as its direct child. When the CLI is SIGKILLed
// (a cancelled CI job, an OOM kill), nothing tells its plugins: they are reparented to PID 1 (or to
// the nearest subreaper) and, being gRPC servers, would wait forever. Pulumi's own Go plugins guard
// against this with `rpcutil.Healthcheck`, a gRPC health check of the engine every 5 minutes that
// cancels the plugin when it fails (sdk/go/common/util/rpcutil/health.go; called from
// https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/pulumi-language-nodejs/main.go).
//
// Two checks here, both free while the engine lives:
// - the parent pid, every `parentIntervalMs` (1 s): getppid() is one syscall and changes the moment
//   the parent dies (Linux reparents orphans; see `man 2 getppid`, `PR_SET_CHILD_SUBREAPER`);
// - the engine's gRPC health service (`grpc.health.v1.Health/Check`, which Pulumi's rpcutil.Serve
//   registers on the engine's host server), every `healthIntervalMs` (15 s), for a plugin that was
//   not started by the engine itself. Only "unavailable" twice in a row counts as gone, so a slow,
//   busy engine is never mistaken for a dead one.
// Plain JavaScript, no dependency of its own: it is installed next to the CLI by scripts/lib/engine.js.
"use strict";

const DEFAULT_PARENT_INTERVAL_MS = 1000;
const DEFAULT_HEALTH_INTERVAL_MS = 15000;
const HEALTH_DEADLINE_MS = 10000;

/** The positional `host:port` argument Pulumi gives a plugin (flags such as -root=… or -v=9 come before it). */
function engineAddressFrom(argv) {
    const positional = argv.filter((a) => !a.startsWith("-"));
    return positional.find((a) => /^[\w.[\]:-]+:\d+$/.test(a));
}

/**
 * One gRPC health check without a compiled proto: the request (HealthCheckRequest{service: ""}) is
 * the empty message, and any answer, even "unimplemented", proves the engine still listens.
 * Resolves true when the engine is unreachable.
 */
function engineUnreachable(grpc, address) {
    return new Promise((resolve) => {
        const client = new grpc.Client(address, grpc.credentials.createInsecure());
        const deadline = new Date(Date.now() + HEALTH_DEADLINE_MS);
        client.makeUnaryRequest(
            "/grpc.health.v1.Health/Check",
            () => Buffer.alloc(0),
            (b) => b,
            {},
            { deadline },
            (err) => {
                client.close();
                resolve(!!err && err.code === grpc.status.UNAVAILABLE);
            },
        );
    });
}

/**
 * Watches the parent process and, when `grpc` and an address are given, the engine's health
 * service. Calls `onGone(reason)` once. The timers are unref'd: they never keep a process alive.
 */
function watchEngine({ onGone, grpc, engineAddress, parentIntervalMs, healthIntervalMs } = {}) {
    const startPpid = process.ppid;
    let fired = false;
    const timers = [];
    const fire = (reason) => {
        if (fired) return;
        fired = true;
        for (const t of timers) clearInterval(t);
        onGone(reason);
    };
    const parentTimer = setInterval(
        () => {
            if (process.ppid !== startPpid) fire(`parent process ${startPpid} is gone`);
        },
        parentIntervalMs || Number(process.env.QTF_WATCHDOG_PARENT_INTERVAL_MS) || DEFAULT_PARENT_INTERVAL_MS,
    );
    parentTimer.unref();
    timers.push(parentTimer);

    if (grpc && engineAddress) {
        let failures = 0;
        let busy = false;
        const healthTimer = setInterval(
            async () => {
                if (busy) return;
                busy = true;
                try {
                    failures = (await engineUnreachable(grpc, engineAddress)) ? failures + 1 : 0;
                } finally {
                    busy = false;
                }
                if (failures >= 2) fire(`engine ${engineAddress} does not answer`);
            },
            healthIntervalMs || Number(process.env.QTF_WATCHDOG_HEALTH_INTERVAL_MS) || DEFAULT_HEALTH_INTERVAL_MS,
        );
        healthTimer.unref();
        timers.push(healthTimer);
    }
    return {
        stop() {
            fired = true;
            for (const t of timers) clearInterval(t);
        },
    };
}

module.exports = { watchEngine, engineAddressFrom, engineUnreachable };
