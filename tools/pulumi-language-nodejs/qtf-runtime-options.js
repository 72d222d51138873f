// The `runtime.options` of a Pulumi.yaml with `runtime: nodejs`, read the way Pulumi's Go language
// host reads them (parseOptions in
// https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/pulumi-language-nodejs/main.go and
// https://www.pulumi.com/docs/iac/concepts/projects/project-file/#runtime-options):
//   typescript      boolean, default true: run .ts sources through ts-node (PULUMI_NODEJS_TYPESCRIPT=true)
//   tsconfig        string: the tsconfig file ts-node uses (PULUMI_NODEJS_TSCONFIG_PATH)
//   nodeargs        string: extra arguments for `node`, split like a shell would (Go: shlex.Split)
//   packagemanager  auto | npm | yarn | pnpm | bun, default auto: used by `pulumi install` and `pulumi about`
"use strict";

const fs = require("fs");
const path = require("path");

const PACKAGE_MANAGERS = ["auto", "npm", "yarn", "pnpm", "bun"];

/** Validates the options object; throws one message naming the option and the fix. */
function parseOptions(raw) {
    const options = raw || {};
    const out = { typescript: true, tsconfig: "", nodeargs: "", packagemanager: "auto" };
    if (options.typescript !== undefined) {
        if (typeof options.typescript !== "boolean")
            throw new Error("runtime option `typescript` must be a boolean (true or false)");
        out.typescript = options.typescript;
    }
    if (options.tsconfig !== undefined) {
        if (typeof options.tsconfig !== "string")
            throw new Error("runtime option `tsconfig` must be a string: the path of a tsconfig file");
        out.tsconfig = options.tsconfig;
    }
    if (options.nodeargs !== undefined) {
        if (typeof options.nodeargs !== "string")
            throw new Error('runtime option `nodeargs` must be a string, e.g. "--require ./setup.js"');
        out.nodeargs = options.nodeargs;
    }
    if (options.packagemanager !== undefined) {
        if (!PACKAGE_MANAGERS.includes(options.packagemanager)) {
            throw new Error(
                `runtime option \`packagemanager\` must be one of ${PACKAGE_MANAGERS.join(", ")}, got ${JSON.stringify(options.packagemanager)}`,
            );
        }
        out.packagemanager = options.packagemanager;
    }
    return out;
}

/**
 * Older engines pass runtime options as plugin flags (`-typescript=false`); the ProgramInfo options
 * of the request win over them.
 */
function optionsFromFlags(flags) {
    const out = {};
    if (flags.typescript !== undefined) out.typescript = flags.typescript === true || flags.typescript === "true";
    for (const key of ["tsconfig", "nodeargs", "packagemanager"]) {
        if (typeof flags[key] === "string") out[key] = flags[key];
    }
    return out;
}

/** Splits a string into arguments like a POSIX shell (quotes and backslashes, no expansion). */
function shellSplit(text) {
    const args = [];
    let cur = "";
    let inArg = false;
    let quote = "";
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote === "'") {
            if (c === "'") quote = "";
            else cur += c;
        } else if (quote === '"') {
            if (c === '"') quote = "";
            else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) cur += text[++i];
            else cur += c;
        } else if (c === "'" || c === '"') {
            quote = c;
            inArg = true;
        } else if (c === "\\" && i + 1 < text.length) {
            cur += text[++i];
            inArg = true;
        } else if (/\s/.test(c)) {
            if (inArg) args.push(cur);
            cur = "";
            inArg = false;
        } else {
            cur += c;
            inArg = true;
        }
    }
    if (quote) throw new Error(`runtime option \`nodeargs\` has an unterminated ${quote} quote: ${text}`);
    if (inArg) args.push(cur);
    return args;
}

/**
 * The package manager of a project: the option, else the lock file found walking up from the
 * program directory (Pulumi's npm.ResolvePackageManager "auto" mode), else npm.
 */
function resolvePackageManager(option, programDir) {
    if (option && option !== "auto") return option;
    const locks = [
        ["yarn.lock", "yarn"],
        ["pnpm-lock.yaml", "pnpm"],
        ["bun.lock", "bun"],
        ["bun.lockb", "bun"],
        ["package-lock.json", "npm"],
    ];
    for (let dir = path.resolve(programDir); ; dir = path.dirname(dir)) {
        for (const [file, pm] of locks) {
            if (fs.existsSync(path.join(dir, file))) return pm;
        }
        if (path.dirname(dir) === dir) break;
    }
    return "npm";
}

module.exports = { parseOptions, optionsFromFlags, shellSplit, resolvePackageManager, PACKAGE_MANAGERS };
