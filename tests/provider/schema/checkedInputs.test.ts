import { expect } from "chai";
import { checkedInputs } from "../../../provider/schema/core";
import { appCopySchema } from "../../../provider/schema/appCopy";

// create/update re-read the inputs check() accepted; a copy that dropped nested keys would make AppCopy's outputs
// (source, contentVersion) differ from its stored inputs and diff on every run.
describe("schema: checkedInputs", () => {
    it("hands create/update the inputs check() accepted, nested keys included", () => {
        const props = {
            tenantHost: "acme.us.qlikcloud.com",
            name: "Sales",
            spaceName: "Staging",
            source: { appId: "a1", note: "kept" },
        };
        const got = checkedInputs(appCopySchema)(props);
        expect(got).to.equal(props);
        expect((got.source as Record<string, unknown>).note).to.equal("kept");
    });

    it("still refuses inputs of the wrong shape", () => {
        expect(() => checkedInputs(appCopySchema)({ tenantHost: 42, name: "Sales" })).to.throw();
    });
});
