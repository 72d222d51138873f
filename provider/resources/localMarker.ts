// LocalMarker: the engine smoke resource. It manages a JSON file in a local directory, so the
// dynamic-provider pattern (stable shim, implementation loaded at call time, secrets never in
// state, real read/refresh) can be proven with the real Pulumi CLI without any remote service.
// It is not a Qlik resource and exists for the engine's end-to-end test.
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { z } from "zod";
import { Failures, Props, diffFields, isUnknown, typedHandlers, withoutProviderKey } from "./handlers";
import { configSecrets } from "../config";
import { stateParser } from "../schema/core";

/** Written into the file on every write, so tests can tell which implementation ran. */
const IMPLEMENTATION_TAG = "local-marker/1";

interface MarkerFile {
    name: string;
    value: string;
    secretDigest?: string;
    writtenBy: string;
}

interface MarkerInputs {
    directory: string;
    name: string;
    value: string;
    secretValue?: string;
    requireCredential?: boolean;
}

/** The outputs; `value` and the rest are optional as far as reading and deleting the file is concerned. */
interface MarkerState extends Partial<MarkerInputs> {
    directory: string;
    name: string;
    secretDigest?: string;
    writtenBy?: string;
}

const markerInputs: z.ZodType<MarkerInputs> = z.looseObject({
    directory: z.string(),
    name: z.string(),
    value: z.string(),
    secretValue: z.string().optional(),
    requireCredential: z.boolean().optional(),
});

const markerState: z.ZodType<MarkerState> = z.looseObject({
    directory: z.string(),
    name: z.string(),
    value: z.string().optional(),
    secretValue: z.string().optional(),
    requireCredential: z.boolean().optional(),
    secretDigest: z.string().optional(),
    writtenBy: z.string().optional(),
});

function markerPath(dir: string, name: string): string {
    return path.join(dir, `${name}.json`);
}

function digest(secret: string): string {
    return crypto.createHash("sha256").update(secret).digest("hex");
}

function write(inputs: MarkerInputs): MarkerFile {
    // The credential is read at call time from provider config, never captured or stored.
    if (inputs.requireCredential && configSecrets().length === 0) {
        throw new Error("LocalMarker: set qlik:clientSecret (pulumi config set --secret qlik:clientSecret ...)");
    }
    const file: MarkerFile = {
        name: inputs.name,
        value: inputs.value,
        secretDigest: inputs.secretValue ? digest(inputs.secretValue) : undefined,
        writtenBy: IMPLEMENTATION_TAG,
    };
    fs.mkdirSync(inputs.directory, { recursive: true });
    fs.writeFileSync(markerPath(inputs.directory, inputs.name), JSON.stringify(file));
    return file;
}

function outputs(inputs: MarkerState, file: MarkerFile): MarkerState {
    return {
        directory: inputs.directory,
        name: file.name,
        value: file.value,
        requireCredential: inputs.requireCredential ?? false,
        // Only a digest of the secret is kept; the secret input itself is marked secret by Pulumi.
        secretDigest: file.secretDigest ?? "",
        writtenBy: file.writtenBy,
    };
}

const parse = { inputs: (p: Props) => markerInputs.parse(p), state: stateParser("LocalMarker", markerState) };

export const handlers = typedHandlers<MarkerInputs, MarkerState>(parse, {
    async check(_olds, news) {
        const f = new Failures();
        const inputs = withoutProviderKey(news);
        if (
            !isUnknown(inputs.directory) &&
            (typeof inputs.directory !== "string" || !path.isAbsolute(inputs.directory))
        ) {
            f.add("directory", "must be an absolute path to a directory, e.g. /tmp/markers");
        }
        if (
            !isUnknown(inputs.name) &&
            (typeof inputs.name !== "string" || !/^[a-z][a-z0-9-]{0,62}$/.test(inputs.name))
        ) {
            f.add("name", "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter");
        }
        if (!isUnknown(inputs.value) && typeof inputs.value !== "string") {
            f.add("value", "must be a string");
        }
        return f.ok ? { inputs } : { failures: f.list };
    },
    async diff(_id, olds, news) {
        return diffFields(olds, news, ["value", "secretValue", "requireCredential"], ["directory", "name"]);
    },
    async create(inputs) {
        const file = write(inputs);
        return {
            id: `${inputs.directory}#${inputs.name}`,
            outs: { ...outputs(inputs, file), secretValue: inputs.secretValue },
        };
    },
    async read(id, props) {
        const file = JSON.parse(fs.readFileSync(markerPath(props.directory, props.name), "utf8")) as MarkerFile;
        const live = { ...outputs(props, file), secretValue: props.secretValue };
        const inputs = {
            directory: props.directory,
            name: file.name,
            value: file.value,
            requireCredential: props.requireCredential,
            secretValue: props.secretValue,
        };
        return { id, props: live, inputs };
    },
    async update(_id, _olds, news) {
        const file = write(news);
        return { outs: { ...outputs(news, file), secretValue: news.secretValue } };
    },
    async delete(_id, props) {
        fs.rmSync(markerPath(props.directory, props.name), { force: true });
        fs.appendFileSync(
            path.join(props.directory, "deletions.log"),
            `${props.name} deleted by ${IMPLEMENTATION_TAG}\n`,
        );
    },
});
