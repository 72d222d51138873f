// Reloads (docs/reference/qlik-cloud-api.md §9): POST queues (QUEUED), then on later ticks RELOADING -> SUCCEEDED | FAILED |
// CANCELED. The app's current script runs through the engine's ReloadRunner; on success the tables replace the
// app's data. Delays come from the latency profile ("reload.queued", "reload.run"; 0 in instant).
import type { Emulator } from "../../core/context";
import { domainError } from "../../core/errors";
import { hex24 } from "../../core/ids";
// Imported statically: a lazy require() that swallowed every load error turned a broken interpreter module
// into "No load-script interpreter is available" on each reload; now such an error fails at start-up.
import { runScript, type ReloadResult, type ReloadRunner } from "../../engine/reloadRunner";
import { appsModel } from "../apps/model";
import { currentScript, type LastReloadInfo } from "../apps/appDocument";
import { dataConnectionsModel } from "../data-connections/model";
import { type Actor, isTenantAdmin } from "../spaces/model";

export const RELOADS = "reloads";
export type ReloadStatus =
    "QUEUED" | "RELOADING" | "CANCELING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "EXCEEDED_LIMIT";

export interface ReloadRecord {
    id: string;
    appId: string;
    tenantId: string;
    userId: string;
    type: "hub" | "external" | "chronos" | "automations" | "data-refresh" | "choreographer";
    status: ReloadStatus;
    partial: boolean;
    weight: number;
    variables?: Record<string, string>;
    creationTime: string;
    startTime?: string;
    endTime?: string;
    engineTime?: string;
    errorCode?: string;
    errorMessage?: string;
    log: string;
    resourceId?: string;
    resourceType?: string;
}

const bad = (detail: string) => domainError("invalid", "RELOADS-002", "Bad request", detail);

export class ReloadsModel {
    private runner: ReloadRunner | undefined;
    private closed = false;

    constructor(private readonly emu: Emulator) {
        emu.onClose(() => {
            this.closed = true;
        });
    }

    /** Tests inject a fake (or the real engine) here. */
    setRunner(runner: ReloadRunner | undefined): void {
        this.runner = runner;
    }

    private get store() {
        return this.emu.store;
    }

    queue(tenantId: string, actor: Actor, body: Record<string, unknown>): ReloadRecord {
        if (typeof body.appId !== "string" || body.appId === "") throw bad("appId is required.");
        const apps = appsModel(this.emu);
        const app = apps.find(tenantId, body.appId);
        // The reloads spec documents no 404 for POST: an app the caller cannot see is RELOADS-003 (403).
        if (!app)
            throw domainError(
                "forbidden",
                "RELOADS-003",
                "Forbidden",
                `The requesting JWT does not allow for execution of this reload: app ${body.appId} is not accessible.`,
            );
        if (!apps.canRead(actor, app) || !apps.canEdit(actor, app)) {
            throw domainError("forbidden", "RELOADS-003", "Forbidden", "Not allowed to reload this app.");
        }
        if (body.partial !== undefined && typeof body.partial !== "boolean") throw bad("partial must be a boolean.");
        let weight = 1;
        if (body.weight !== undefined) {
            if (!Number.isInteger(body.weight) || (body.weight as number) < 1 || (body.weight as number) > 10)
                throw bad("weight must be 1..10.");
            // Personal-space apps always run with weight 1 [qlik.dev changelog 150].
            weight = app.attributes.spaceId ? (body.weight as number) : 1;
        }
        let variables: Record<string, string> | undefined;
        if (body.variables !== undefined) {
            const v = body.variables;
            if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("variables must be an object.");
            const entries = Object.entries(v as Record<string, unknown>);
            if (
                entries.length > 20 ||
                entries.some(([k, val]) => typeof val !== "string" || k.length > 256 || val.length > 256)
            ) {
                throw bad("variables: at most 20 string values of at most 256 characters.");
            }
            variables = Object.fromEntries(entries) as Record<string, string>;
        }
        const r: ReloadRecord = {
            id: hex24(),
            appId: app.attributes.id,
            tenantId,
            userId: actor.userId,
            type: "hub",
            status: "QUEUED",
            partial: body.partial === true,
            weight,
            creationTime: this.emu.clock.iso(),
            log: "",
        };
        if (variables) r.variables = variables;
        if (typeof body.resourceId === "string") r.resourceId = body.resourceId;
        if (typeof body.resourceType === "string") r.resourceType = body.resourceType;
        this.store.put(RELOADS, r.id, r, tenantId);
        this.emu.later(this.emu.profile.delayMs("reload.queued"), () => this.start(r.id));
        return r;
    }

    get(tenantId: string, actor: Actor, id: string): ReloadRecord {
        const r = this.store.get<ReloadRecord>(RELOADS, id);
        if (!r || r.tenantId !== tenantId)
            throw domainError("not-found", "RELOADS-004", "Not found", `Reload ${id} not found.`);
        const app = appsModel(this.emu).find(tenantId, r.appId);
        if (!isTenantAdmin(actor) && r.userId !== actor.userId && !(app && appsModel(this.emu).canRead(actor, app))) {
            throw domainError("forbidden", "RELOADS-003", "Forbidden", "Not allowed to read this reload.");
        }
        return r;
    }

    /** Newest first. appId is required unless the caller is a tenant admin. */
    list(
        tenantId: string,
        actor: Actor,
        f: { appId?: string; partial?: boolean; filter?: (r: ReloadRecord) => boolean },
    ): ReloadRecord[] {
        if (!f.appId && !isTenantAdmin(actor)) throw bad("appId is required.");
        if (f.appId) {
            const app = appsModel(this.emu).find(tenantId, f.appId);
            if (app && !appsModel(this.emu).canRead(actor, app))
                throw domainError("forbidden", "RELOADS-003", "Forbidden", "Not allowed to list reloads of this app.");
        }
        return this.store
            .list<ReloadRecord>(RELOADS, tenantId)
            .filter(
                (r) =>
                    (!f.appId || r.appId === f.appId) &&
                    (f.partial === undefined || r.partial === f.partial) &&
                    (!f.filter || f.filter(r)),
            )
            .reverse();
    }

    cancel(tenantId: string, actor: Actor, id: string): ReloadRecord {
        const r = this.get(tenantId, actor, id);
        if (r.status !== "QUEUED" && r.status !== "RELOADING") {
            throw domainError(
                "conflict",
                "RELOADS-010",
                "Conflict",
                `Reload ${id} is ${r.status} and cannot be canceled.`,
            );
        }
        const next: ReloadRecord = { ...r, status: "CANCELING" };
        this.store.put(RELOADS, r.id, next, tenantId);
        // A queued reload has nothing running: it ends on the next tick. A running one ends when the script returns.
        if (r.status === "QUEUED") this.emu.later(0, () => this.finishCanceled(r.id));
        return next;
    }

    private load(id: string): ReloadRecord | undefined {
        if (this.closed) return undefined;
        try {
            return this.store.get<ReloadRecord>(RELOADS, id);
        } catch {
            return undefined;
        }
    }

    private write(r: ReloadRecord): void {
        if (!this.closed) this.store.put(RELOADS, r.id, r, r.tenantId);
    }

    private header(r: ReloadRecord): string {
        return `ReloadID: ${r.id}\nStarted loading\n(A detailed script progress log can be downloaded when the reload is finished)\n`;
    }

    private finishCanceled(id: string): void {
        const r = this.load(id);
        if (!r || r.status !== "CANCELING") return;
        const end = this.emu.clock.iso();
        this.write({ ...r, status: "CANCELED", endTime: end, log: `${this.header(r)}Reload was canceled\n` });
    }

    private start(id: string): void {
        const r = this.load(id);
        if (!r) return;
        if (r.status === "CANCELING") {
            this.finishCanceled(id);
            return;
        }
        if (r.status !== "QUEUED") return;
        const running: ReloadRecord = {
            ...r,
            status: "RELOADING",
            startTime: this.emu.clock.iso(),
            log: this.header(r),
        };
        this.write(running);
        const startedMs = this.emu.clock.now();
        void this.execute(running).then((result) => {
            this.emu.later(this.emu.profile.delayMs("reload.run"), () => this.finish(id, result, startedMs));
        });
    }

    private async execute(r: ReloadRecord): Promise<ReloadResult> {
        const app = appsModel(this.emu).find(r.tenantId, r.appId);
        if (!app)
            return {
                ok: false,
                tables: [],
                log: "",
                error: { line: 0, message: "App was deleted while the reload was queued" },
            };
        const runner = this.runner ?? runScript;
        const script = currentScript(app)?.script ?? "";
        const dc = dataConnectionsModel(this.emu);
        try {
            return await runner(script, {
                tenantId: r.tenantId,
                appId: r.appId,
                spaceId: app.attributes.spaceId,
                resolveConnection: (name, spaceName) => {
                    const c = dc.resolve(r.tenantId, name, app.attributes.spaceId, spaceName);
                    return (
                        c && {
                            datasourceID: c.datasourceID,
                            connectionProperties: { ...c.connectionProperties },
                            qConnectStatement: c.qConnectStatement,
                        }
                    );
                },
            });
        } catch (e) {
            return {
                ok: false,
                tables: [],
                log: "",
                error: { line: 0, message: e instanceof Error ? e.message : String(e) },
            };
        }
    }

    private finish(id: string, result: ReloadResult, startedMs: number): void {
        const r = this.load(id);
        if (!r) return;
        const endMs = this.emu.clock.now();
        const end = new Date(endMs).toISOString();
        const progress = result.log && !result.log.endsWith("\n") ? `${result.log}\n` : result.log;
        if (r.status === "CANCELING") {
            this.write({ ...r, status: "CANCELED", endTime: end, log: `${r.log}${progress}Reload was canceled\n` });
            return;
        }
        let log: string;
        const next: ReloadRecord = { ...r, endTime: end, engineTime: `${((endMs - startedMs) / 1000).toFixed(3)}s` };
        if (result.ok) {
            log = `${r.log}${progress}App saved\nFinished successfully\n`;
            next.status = "SUCCEEDED";
        } else {
            const err = result.error ?? { line: 0, message: "Reload failed" };
            const where = err.line > 0 ? ` (script line ${err.line})` : "";
            // The engine's progress log usually ends with its own failure banner; add ours only when it does not.
            const banner = /execution failed/i.test(progress) ? "" : "Execution failed\n";
            log = `${r.log}${progress}Error: ${err.message}${where}\n${banner}`;
            next.status = "FAILED";
            next.errorCode = "ScriptError";
            next.errorMessage = `${err.message}${where}`;
        }
        next.log = log;
        const apps = appsModel(this.emu);
        const app = apps.find(r.tenantId, r.appId);
        this.store.transaction(() => {
            this.write(next);
            if (!app || this.closed) return;
            const info: LastReloadInfo = {
                reloadId: r.id,
                success: result.ok,
                startTime: r.startTime ?? end,
                endTime: end,
                log,
            };
            app.lastReload = info;
            app.reloadLogs = [...(app.reloadLogs ?? []), info];
            if (result.ok) {
                app.tables = result.tables;
                app.attributes.lastReloadTime = end;
            }
            apps.save(app, r.userId);
        });
    }
}

export const reloadsModel = (emu: Emulator): ReloadsModel => emu.model("reloads", (e) => new ReloadsModel(e));
