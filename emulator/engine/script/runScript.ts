// Entry point the reloads REST model loads lazily (emulator/apis/reloads/model.ts requires this path).
export { runScript } from "../reloadRunner";
