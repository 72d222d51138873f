#!/usr/bin/env node
// `qlik-cloud-emulator [--port N] [--data-dir DIR] ...` (README.md in this package): the emulator's CLI.
"use strict";

const fs = require("fs");
const path = require("path");

// A packed or installed package ships only its build (dist/cli.js, from prepack). In the repository's checkout
// (cli.ts next to this folder) the repository's own build is the fresh one: setup keeps dist/emulator current.
const inRepository = fs.existsSync(path.join(__dirname, "..", "cli.ts"));
const cli = inRepository
    ? path.join(__dirname, "..", "..", "dist", "emulator", "cli.js")
    : path.join(__dirname, "..", "dist", "cli.js");
if (!fs.existsSync(cli)) {
    console.error(`qlik-cloud-emulator is not built (${cli} is missing): run \`npm run setup\` in the repository`);
    process.exit(1);
}
require(cli);
