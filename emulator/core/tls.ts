// TLS material for the HTTPS/WSS listener. selfsigned@2 only makes self-signed certificates, so the
// "CA" is the server certificate itself, marked cA:true: trusting ca.pem (curl --cacert, Node `ca`)
// validates the server for every name in its SAN list. Kept in <dataDir>/tls and reused on restart.
import * as fs from "node:fs";
import * as path from "node:path";
import * as selfsigned from "selfsigned";

export interface TlsMaterial {
    key: string;
    cert: string;
    caFile: string;
}

export function ensureTls(dir: string, region: string, domain: string): TlsMaterial {
    const keyFile = path.join(dir, "server.key"),
        certFile = path.join(dir, "server.pem"),
        caFile = path.join(dir, "ca.pem");
    const names = [`*.${region}.${domain}`, `register.${region}.${domain}`, "localhost"];
    const marker = path.join(dir, "names.json");
    if (
        fs.existsSync(keyFile) &&
        fs.existsSync(certFile) &&
        fs.existsSync(marker) &&
        fs.readFileSync(marker, "utf8") === JSON.stringify(names)
    ) {
        return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), caFile };
    }
    fs.mkdirSync(dir, { recursive: true });
    const pems = selfsigned.generate([{ name: "commonName", value: `Qlik Cloud emulator ${region}.${domain}` }], {
        days: 3650,
        keySize: 2048,
        algorithm: "sha256",
        extensions: [
            { name: "basicConstraints", cA: true },
            { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
            { name: "extKeyUsage", serverAuth: true },
            {
                name: "subjectAltName",
                altNames: [...names.map((value) => ({ type: 2, value })), { type: 7, ip: "127.0.0.1" }],
            },
        ],
    });
    fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
    fs.writeFileSync(certFile, pems.cert);
    fs.writeFileSync(caFile, pems.cert);
    fs.writeFileSync(marker, JSON.stringify(names));
    return { key: pems.private, cert: pems.cert, caFile };
}
