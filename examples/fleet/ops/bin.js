#!/usr/bin/env node
// The `qlik-fleet` bin of the example package (the same as `npm run fleet --`): it runs the compiled command, which
// the repository's build (`npm run setup`) writes to dist/.
"use strict";

const path = require("path");

require(path.join(__dirname, "..", "..", "..", "dist", "examples", "fleet", "ops", "cli.js")).main(
    process.argv.slice(2),
);
