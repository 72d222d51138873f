// The typed handler plumbing (provider/resources/handlers.ts typedHandlers, provider/schema/core.ts checkedInputs and
// stateParser): what reaches a resource's handlers has been parsed, a state of another shape fails before any API
// call with the field named, and nothing secret is echoed. No emulator: every case fails or passes before any call.
import { expect } from "chai";
import { z } from "zod";
import { checkedInputs, stateParser } from "../../../provider/schema/core";
import { licenseAssignmentSchema } from "../../../provider/schema/licenseAssignment";
import { typedHandlers } from "../../../provider/resources/handlers";
import { handlers as licenseAssignment } from "../../../provider/resources/licenseAssignment";
import { handlers as jwtIdentityProvider } from "../../../provider/resources/jwtIdentityProvider";

async function rejection(p: Promise<unknown>): Promise<Error> {
    try {
        await p;
    } catch (e) {
        if (e instanceof Error) return e;
        throw new Error(`rejected with a non-Error: ${String(e)}`);
    }
    throw new Error("expected a rejection");
}

describe("typed resource handlers", () => {
    it("checkedInputs hands create() the inputs check() accepted, extra keys included", () => {
        const raw = {
            tenantHost: "acme.us.qlikcloud.com",
            assignments: { "auth0|1": "professional" },
            autoAssignAnalyzer: true,
            owner: "org/p/s",
            somethingDerived: "kept",
        };
        const parsed = checkedInputs(licenseAssignmentSchema)(raw);
        expect(parsed).to.deep.equal(raw);
        expect(parsed.tenantHost).to.equal("acme.us.qlikcloud.com");
    });

    it("checkedInputs fails, naming the field, on inputs check() would have refused", () => {
        expect(() => checkedInputs(licenseAssignmentSchema)({ tenantHost: "https://x/y" })).to.throw(/hostname/);
    });

    it("stateParser keeps the keys it does not name and names the field of a state of another shape", () => {
        const parse = stateParser("Demo", z.looseObject({ tenantHost: z.string(), n: z.number().optional() }));
        expect(parse({ tenantHost: "h", extra: [1] })).to.deep.equal({ tenantHost: "h", extra: [1] });
        expect(() => parse({ n: 1 })).to.throw(/^Demo: the stored state .*tenantHost/);
        expect(() => parse({ tenantHost: "h", n: "1" })).to.throw(/n: /);
    });

    it("a handler reads a state without tenantHost as an error before any API call", async () => {
        for (const op of [
            () => licenseAssignment.read("h/licenses", { assignments: {} }),
            () => licenseAssignment.delete("h/licenses", { claim: "abc" }),
            () => licenseAssignment.diff("h/licenses", {}, { tenantHost: "acme.us.qlikcloud.com" }),
        ]) {
            const e = await rejection(op());
            expect(e.message).to.match(/^LicenseAssignment: the stored state .*tenantHost/);
        }
    });

    it("a state whose secret field has the wrong shape is refused without echoing the secret", async () => {
        const secret = "-----BEGIN PRIVATE KEY-----s3cr3t-material";
        const e = await rejection(
            jwtIdentityProvider.read("idp1", { tenantHost: "acme.us.qlikcloud.com", privateKeyPem: [secret] }),
        );
        expect(e.message).to.match(/privateKeyPem/);
        expect(e.message).to.not.include("s3cr3t");
    });

    it("typedHandlers routes each bag through its parser: inputs for create/update, state for the rest", async () => {
        const seen: string[] = [];
        const h = typedHandlers<{ i: number }, { s: string }>(
            {
                inputs: (p) => {
                    seen.push(`inputs:${JSON.stringify(p)}`);
                    return { i: Number(p.i) };
                },
                state: (p) => {
                    seen.push(`state:${JSON.stringify(p)}`);
                    return { s: String(p.s) };
                },
            },
            {
                check: async (_o, news) => ({ inputs: news }),
                diff: async (_id, olds, news) => ({ changes: olds.s !== news.s }),
                create: async (inputs) => ({ id: "x", outs: { s: String(inputs.i) } }),
                read: async (id, props) => ({ id, props }),
                update: async (_id, olds, news) => ({ outs: { s: `${olds.s}${news.i}` } }),
                delete: async () => undefined,
            },
        );
        expect((await h.create({ i: "7" })).outs).to.deep.equal({ s: "7" });
        expect((await h.update("x", { s: "a" }, { i: 2 })).outs).to.deep.equal({ s: "a2" });
        expect((await h.diff("x", { s: "a" }, { s: "a" })).changes).to.equal(false);
        await h.read("x", { s: "r" });
        await h.delete("x", { s: "d" });
        expect(seen).to.deep.equal([
            'inputs:{"i":"7"}',
            'state:{"s":"a"}',
            'inputs:{"i":2}',
            'state:{"s":"a"}',
            'state:{"s":"r"}',
            'state:{"s":"d"}',
        ]);
    });
});
