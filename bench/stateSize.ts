// `node dist/bench/stateSize.js <export.json | stored checkpoint[.gz]> [--json]`
// `node dist/bench/stateSize.js --stack <name> [--cwd <project dir>] [--json]`   (a live stack, via `pulumi stack export`)
// What a stack's state costs per tenant (docs/state-size.md): the bytes a DIY backend stores after every step, plain
// and with PULUMI_DIY_BACKEND_GZIP, and what they are made of (provider text, secrets, source positions, engine
// bookkeeping) by resource type. Pulumi 3.274's DIY backends write compact JSON (compactJSONMarshaler in
// pkg/backend/diy/state.go), so "plain" is the compact text of the checkpoint. A checkpoint file as the backend
// stored it (.json, .json.gz) is also measured as is; an export is encoded the way the backend would store it
// (zlib level 6 like Go's compress/gzip default; Node's output is a few percent smaller, the stored file is the truth).
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { REPO_ROOT, engine } from "../scripts/lib/repo";

interface StateResource {
    urn: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [bookkeeping: string]: unknown;
}

export interface Measured {
    tenants: number;
    resources: number;
    /** Whole stack, bytes: the checkpoint as compact JSON, gzipped, and the given file's own size. */
    stored: { plain: number; gzip: number; file?: { name: string; bytes: number } };
    /** The deployment alone (resources and manifest), compact JSON. */
    compact: number;
    /** Compact bytes by what they are (overlapping: secrets sit inside inputs/outputs). */
    parts: { providerText: number; secrets: number; sourcePositions: number; bookkeeping: number; properties: number };
    byType: { type: string; count: number; bytes: number; providerText: number; secrets: number; positions: number }[];
    /** How many copies of a JWT private key the state holds (secret envelopes of about a PEM's size). */
    privateKeyCopies: number;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const size = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
const isSecret = (v: unknown): v is { ciphertext?: string } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] !== undefined;

/** Every secret envelope under `v`. */
function secretsIn(v: unknown, found: { ciphertext?: string }[] = []): { ciphertext?: string }[] {
    if (isSecret(v)) found.push(v);
    else if (Array.isArray(v)) v.forEach((x) => secretsIn(x, found));
    else if (typeof v === "object" && v !== null) Object.values(v).forEach((x) => secretsIn(x, found));
    return found;
}

/** The bytes as text: plain JSON or gzip (by magic bytes). */
function decode(bytes: Buffer): string {
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
}

/** The deployment (`{manifest, resources, ...}`) of a stack export or of a stored checkpoint. */
function deploymentOf(doc: Record<string, unknown>): { resources?: StateResource[] } {
    const d = (doc.deployment ?? (doc.checkpoint as Record<string, unknown> | undefined)?.latest) as
        { resources?: StateResource[] } | undefined;
    if (!d) throw new Error("neither a `pulumi stack export` document nor a stored checkpoint (no deployment)");
    return d;
}

export function measure(bytes: Buffer, fileName?: string): Measured {
    const doc = JSON.parse(decode(bytes)) as Record<string, unknown>;
    const deployment = deploymentOf(doc);
    const resources = deployment.resources ?? [];
    const isCheckpoint = doc.checkpoint !== undefined;
    // The backend stores {version, checkpoint: {stack, config, latest}}; an export lacks only that small envelope.
    const plain = Buffer.from(JSON.stringify(doc));
    const byType = new Map<string, Measured["byType"][number]>();
    const parts = { providerText: 0, secrets: 0, sourcePositions: 0, bookkeeping: 0, properties: 0 };
    let privateKeyCopies = 0;
    for (const r of resources) {
        const type = r.type.split(":").pop() ?? r.type;
        const t = byType.get(type) ?? { type, count: 0, bytes: 0, providerText: 0, secrets: 0, positions: 0 };
        const provider = size(r.inputs?.__provider) + size(r.outputs?.__provider);
        const secrets = secretsIn([r.inputs, r.outputs]);
        const secretBytes = secrets.reduce((n, s) => n + size(s), 0);
        const positions = size(r.stackTrace) + size(r.sourcePosition);
        const props = size(r.inputs) + size(r.outputs);
        t.count++;
        t.bytes += size(r);
        t.providerText += provider;
        t.secrets += secretBytes;
        t.positions += positions;
        byType.set(type, t);
        parts.providerText += provider;
        parts.secrets += secretBytes;
        parts.sourcePositions += positions;
        parts.properties += props - provider;
        parts.bookkeeping += size(r) - props - positions;
        // A 2048-bit PKCS#8 PEM is ~1.7 KB; its ciphertext (base64 of AES-GCM) ~2.3 KB. Nothing else is that big.
        privateKeyCopies += secrets.filter((s) => (s.ciphertext?.length ?? 0) > 2000).length;
    }
    return {
        tenants: resources.filter((r) => r.type.endsWith(":QlikTenant")).length,
        resources: resources.length,
        stored: {
            plain: plain.length,
            gzip: zlib.gzipSync(plain).length,
            file: fileName && isCheckpoint ? { name: path.basename(fileName), bytes: bytes.length } : undefined,
        },
        compact: size(deployment),
        parts,
        byType: [...byType.values()].sort((a, b) => b.bytes - a.bytes),
        privateKeyCopies,
    };
}

const kb = (bytes: number, per = 1) => `${(bytes / per / 1024).toFixed(1)} KB`;

export function report(m: Measured): string {
    const n = Math.max(1, m.tenants);
    const lines = [
        `${m.tenants} tenants, ${m.resources} resources; per tenant (whole stack / ${n}):`,
        `  stored, plain (compact JSON)        ${kb(m.stored.plain, n).padStart(9)}`,
        `  stored, PULUMI_DIY_BACKEND_GZIP     ${kb(m.stored.gzip, n).padStart(9)}`,
    ];
    if (m.stored.file)
        lines.push(`  stored file ${m.stored.file.name.padEnd(24)}${kb(m.stored.file.bytes, n).padStart(9)}`);
    lines.push(
        `  resources, compact JSON             ${kb(m.compact, n).padStart(9)}`,
        `    of which __provider text          ${kb(m.parts.providerText, n).padStart(9)}`,
        `    secrets (inside properties)       ${kb(m.parts.secrets, n).padStart(9)}  (JWT private key copies in the stack: ${m.privateKeyCopies})`,
        `    stackTrace + sourcePosition       ${kb(m.parts.sourcePositions, n).padStart(9)}`,
        `    other engine bookkeeping          ${kb(m.parts.bookkeeping, n).padStart(9)}`,
        "  by resource type (compact):  count      total  provider   secrets  positions",
    );
    for (const t of m.byType)
        lines.push(
            `    ${t.type.padEnd(22)} ${String(t.count).padStart(5)} ${kb(t.bytes).padStart(10)} ${kb(t.providerText).padStart(9)} ${kb(t.secrets).padStart(9)} ${kb(t.positions).padStart(10)}`,
        );
    return lines.join("\n");
}

/** `pulumi stack export` of a live stack, with the project's engine and environment (scripts/lib/engine.js). */
function exportLive(stack: string, cwd: string): Buffer {
    const record = engine.readEngineRecord();
    if (!record) throw new Error("the Pulumi engine is not set up: run `npm run setup` first");
    const r = spawnSync(record.pulumi, ["stack", "export", "--stack", stack, "--non-interactive"], {
        cwd,
        env: engine.pulumiEnv(record),
        maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`pulumi stack export --stack ${stack} failed:\n${String(r.stderr)}`);
    return r.stdout;
}

function main(argv: string[]): void {
    const { values, positionals } = parseArgs({
        args: argv,
        options: { stack: { type: "string" }, cwd: { type: "string" }, json: { type: "boolean", default: false } },
        allowPositionals: true,
        strict: true,
    });
    if (!values.stack && positionals.length !== 1)
        throw new Error("usage: stateSize <export.json | checkpoint.json[.gz]> | --stack <name> [--cwd dir] [--json]");
    const m = values.stack
        ? measure(exportLive(values.stack, path.resolve(values.cwd ?? REPO_ROOT)))
        : measure(fs.readFileSync(positionals[0]), positionals[0]);
    console.log(values.json ? JSON.stringify(m, null, 2) : report(m));
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        process.exit(1);
    }
}
