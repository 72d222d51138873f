/**
 * Reloads started through QIX (Doc.DoReload/DoReloadEx): one at a time per app (a second one gets
 * LOCERR_RELOAD_IN_PROGRESS 11000), cancellable with Global.CancelReload, results stored in the app
 * document the same way the REST reloads model stores them (tables, lastReload, reloadLogs).
 */
import type { Emulator, EngineConnectionContext } from "../../core/context";
import type { LastReloadInfo } from "../../apis/apps/appDocument";
import { currentScript } from "../../apis/apps/appDocument";
import { appsModel } from "../../apis/apps/model";
import { dataConnectionsModel } from "../../apis/data-connections/model";
import { hex24 } from "../../core/ids";
import type { ReloadResult } from "../reloadRunner";
import { executeScript } from "../script/interpreter";
import { QIX } from "./errors";

class ReloadTracker {
    private readonly running = new Map<string, { cancelled: boolean }>();
    private key(tenantId: string, appId: string) {
        return `${tenantId}/${appId}`;
    }
    isRunning(tenantId: string, appId: string): boolean {
        return this.running.has(this.key(tenantId, appId));
    }
    cancel(tenantId: string, appId: string): void {
        const r = this.running.get(this.key(tenantId, appId));
        if (r) r.cancelled = true;
    }
    begin(tenantId: string, appId: string): { cancelled: boolean; end(): void } {
        const k = this.key(tenantId, appId);
        if (this.running.has(k)) throw QIX.reloadInProgress();
        const state = { cancelled: false };
        this.running.set(k, state);
        return Object.assign(state, {
            end: () => {
                this.running.delete(k);
            },
        });
    }
}

/**
 * One tracker per emulator (it is state of that emulator's engine): a module-level singleton was shared by
 * every emulator in the process, so a reload in one made the same app id "in progress" in another.
 */
export const reloadTracker = (emu: Emulator): ReloadTracker => emu.model("qixReloadTracker", () => new ReloadTracker());

export async function reloadApp(ctx: EngineConnectionContext): Promise<ReloadResult & { reloadId: string }> {
    const { emu, tenant, appId, caller } = ctx;
    const apps = appsModel(emu);
    const before = apps.find(tenant.id, appId);
    if (!before) throw QIX.appNotFound(appId);
    if (!apps.canEdit(caller, before)) throw QIX.accessDenied();
    const run = reloadTracker(emu).begin(tenant.id, appId);
    const startTime = emu.clock.iso();
    const reloadId = hex24();
    try {
        const dc = dataConnectionsModel(emu);
        const spaceId = before.attributes.spaceId;
        const result = await executeScript(
            currentScript(before)?.script ?? "",
            {
                tenantId: tenant.id,
                appId,
                spaceId,
                resolveConnection: (name, spaceName) => {
                    const c = dc.resolve(tenant.id, name, spaceId, spaceName);
                    return (
                        c && {
                            datasourceID: c.datasourceID,
                            connectionProperties: { ...c.connectionProperties },
                            qConnectStatement: c.qConnectStatement,
                        }
                    );
                },
            },
            { isCancelled: () => run.cancelled },
        );
        const doc = apps.find(tenant.id, appId);
        if (doc) {
            const endTime = emu.clock.iso();
            const info: LastReloadInfo = { reloadId, success: result.ok, startTime, endTime, log: result.log };
            doc.lastReload = info;
            doc.reloadLogs = [...(doc.reloadLogs ?? []), info];
            if (result.ok) {
                doc.tables = result.tables;
                doc.attributes.lastReloadTime = endTime;
            }
            apps.save(doc, caller.userId);
        }
        return { ...result, reloadId };
    } finally {
        run.end();
    }
}
