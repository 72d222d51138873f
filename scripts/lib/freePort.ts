// The one free-TCP-port helper of scripts, bench and tests (issue 13: the copies in start.ts, the demo-start
// test and the PostgreSQL test server were the same lines). Binding 127.0.0.1 only: everything here is local.
import * as net from "net";

/** Can a server listen on this loopback port right now? */
export function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
}

/** The first free port of `preferred`, else one the OS hands out (port 0: ephemeral, never taken by a peer test). */
export async function freePort(preferred: number[] = []): Promise<number> {
    for (const p of preferred) if (p > 0 && (await portFree(p))) return p;
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}
