// Script versions of an app (/api/v1/apps/{appId}/scripts, qliksense-apps-api-openapi.yml): a new version per
// save, "current" as an alias of the latest, the current one never deleted. Access rules are the app's (model.ts).
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import type { Actor } from "../spaces/model";
import { currentScript, scriptVersion, type ScriptVersion } from "./appDocument";
import { appsModel } from "./model";
import { bad } from "./rules";

export class AppScriptsModel {
    constructor(private readonly emu: Emulator) {}

    private get apps() {
        return appsModel(this.emu);
    }

    listScripts(tenantId: string, actor: Actor, appId: string): ScriptVersion[] {
        const d = this.apps.read(tenantId, actor, appId);
        return [...d.scripts].reverse();
    }

    setScript(
        tenantId: string,
        actor: Actor,
        appId: string,
        body: { script?: unknown; versionMessage?: unknown },
    ): void {
        const d = this.apps.editable(tenantId, actor, appId);
        if (typeof body.script !== "string") throw bad("script is required.");
        const v = scriptVersion(
            this.emu.clock.iso(),
            body.script,
            typeof body.versionMessage === "string" ? body.versionMessage : "",
            actor.userId,
        );
        d.scripts.push(v);
        d.currentScriptId = v.scriptId;
        d.attributes.modifiedDate = this.emu.clock.iso();
        this.apps.save(d, actor.userId);
    }

    getScript(tenantId: string, actor: Actor, appId: string, scriptId: string): ScriptVersion {
        const d = this.apps.read(tenantId, actor, appId);
        const v = scriptId === "current" ? currentScript(d) : d.scripts.find((s) => s.scriptId === scriptId);
        if (!v)
            throw domainError("not-found", "AppsScriptNotFound", "Not found", `Script version ${scriptId} not found.`);
        return v;
    }

    /** PATCH of a script version: only its versionMessage changes (add/replace set it, remove clears it). */
    patchScript(
        tenantId: string,
        actor: Actor,
        appId: string,
        scriptId: string,
        patches: { op: "add" | "remove" | "replace"; value: string }[],
    ): void {
        const d = this.apps.editable(tenantId, actor, appId);
        const v = scriptId === "current" ? currentScript(d) : d.scripts.find((x) => x.scriptId === scriptId);
        if (!v)
            throw domainError("not-found", "AppsScriptNotFound", "Not found", `Script version ${scriptId} not found.`);
        for (const p of patches) v.versionMessage = p.op === "remove" ? "" : p.value;
        this.apps.save(d, actor.userId);
    }

    deleteScript(tenantId: string, actor: Actor, appId: string, scriptId: string): void {
        const d = this.apps.editable(tenantId, actor, appId);
        const cur = currentScript(d);
        if (scriptId === "current" || cur?.scriptId === scriptId)
            throw bad("The current script version cannot be deleted.");
        const before = d.scripts.length;
        d.scripts = d.scripts.filter((s) => s.scriptId !== scriptId);
        if (d.scripts.length === before)
            throw domainError("not-found", "AppsScriptNotFound", "Not found", `Script version ${scriptId} not found.`);
        this.apps.save(d, actor.userId);
    }
}

export const appScriptsModel = (emu: Emulator): AppScriptsModel =>
    emu.model("appScripts", (e) => new AppScriptsModel(e));
