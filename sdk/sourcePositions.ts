// Pulumi's Node.js SDK records where every resource is declared: `new Resource` parses `new Error().stack`
// (Resource.callsites in @pulumi/pulumi/resource.js, 3.248) and sends a `sourcePosition` and the whole
// `stackTrace` with the registration; the engine stores both in the checkpoint (project:/// URIs,
// pkg/resource/deploy/source_eval.go). Neither the SDK nor the engine has a switch to turn it off, and the
// CLI itself never shows them (only the engine's JSON events and Pulumi Cloud's console read them).
// CallSites forces Error.stackTraceLimit to Infinity, so the one lever is Error.prepareStackTrace: while it
// renders no frames, the SDK finds no call site and registers none (docs/state-size.md, "stack traces").

/**
 * Makes the resources registered until the returned function is called carry no source position. For the
 * children of a component only: their frames point into this package, not into the user's program, while
 * the component's own registration (made before) keeps the user's line. Synchronous use only; an Error
 * whose `stack` is read meanwhile has its message but no frames, so call the restore in a `finally`.
 */
export function hideSourcePositions(): () => void {
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = (error: Error) => `${error.name}: ${error.message}`;
    return () => {
        Error.prepareStackTrace = previous;
    };
}
