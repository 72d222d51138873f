// Flat config: typescript-eslint's recommended rules over the TypeScript sources, and ESLint's recommended rules
// over the plain JavaScript the repository runs before anything is compiled (scripts/*.js, scripts/lib/*.js,
// tools/**/*.js: CommonJS under Node.js). `no-explicit-any` is an error everywhere: the few places that need
// `any` say why on the line (`// eslint-disable-next-line @typescript-eslint/no-explicit-any -- <reason>`).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "dist/**",
            "**/dist/**",
            "**/node_modules/**",
            ".pulumi-state/**",
            ".emulator/**",
            ".data/**",
            "tests/contract/qlik-openapi/**",
        ],
    },
    { linterOptions: { reportUnusedDisableDirectives: "warn" } },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["**/*.js", "**/*.cjs"],
        ...js.configs.recommended,
        languageOptions: { sourceType: "commonjs", ecmaVersion: 2022, globals: { ...globals.node } },
        rules: {
            ...js.configs.recommended.rules,
            "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            // `const crypto = require("crypto")` is the CommonJS idiom, not a mistake, although Node also has a global `crypto`.
            "no-redeclare": ["error", { builtinGlobals: false }],
            // typescript-eslint's rule of the same name is for TypeScript; for JavaScript the core rule above applies.
            "@typescript-eslint/no-unused-vars": "off",
        },
    },
    {
        files: ["**/*.mjs"],
        ...js.configs.recommended,
        languageOptions: { sourceType: "module", ecmaVersion: 2022, globals: { ...globals.node } },
    },
);
