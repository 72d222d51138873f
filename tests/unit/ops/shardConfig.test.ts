// A shard stack's config is the base stack's (examples/fleet/ops/stack.ts shardConfigSync): what the orchestrator
// copies, removes and re-sets before it runs a shard. tests/e2e/fleet-orchestrator.test.ts proves it with the CLI
// (the deactivation opt-in set on the base reaches every shard's destroy).
import { expect } from "chai";
import { SHARD_OWN_KEYS, shardConfigSync } from "../../../examples/fleet/ops/stack";

const owner = "organization/fleet/prod";
const base = {
    "qlik:region": { value: "us" },
    "qlik:clientSecret": { value: "s-2", secret: true },
    "fleet:templateVersion": { value: "2026.12" },
    "qlik:owner": { value: owner },
};
const inSync = {
    "qlik:region": { value: "us" },
    "qlik:clientSecret": { value: "s-2", secret: true },
    "fleet:templateVersion": { value: "2026.12" },
    "fleet:shard": { value: "3" },
    "qlik:owner": { value: owner },
};

describe("ops/stack shardConfigSync: the base stack's config is every shard's", () => {
    it("finds nothing to do for a shard made from the same base", () => {
        expect(shardConfigSync(base, inSync, { k: 3, owner })).to.deep.equal({
            changed: [],
            removed: [],
            ownKeys: false,
        });
    });

    it("names a value changed, added or made secret on the base, and a key removed from it", () => {
        const newer = {
            ...base,
            "qlik:clientSecret": { value: "s-3", secret: true },
            "qlik:allowTenantDeactivation": { value: "true" },
            "qlik:region": { value: "us", secret: true },
        };
        const shard = { ...inSync, "fleet:confirmDeletions": { value: "acme" } };
        expect(shardConfigSync(newer, shard, { k: 3, owner })).to.deep.equal({
            changed: ["qlik:allowTenantDeactivation", "qlik:clientSecret", "qlik:region"],
            removed: ["fleet:confirmDeletions"],
            ownKeys: false,
        });
    });

    it("keeps the shard's own keys out of the comparison, and re-sets them when they are wrong", () => {
        expect(SHARD_OWN_KEYS).to.deep.equal(["fleet:shard", "qlik:owner"]);
        // The base has no fleet:shard (it is shard 0) and may have no qlik:owner: neither is 'removed' from the shard.
        const { "qlik:owner": _o, ...baseWithoutOwner } = base;
        void _o;
        expect(shardConfigSync(baseWithoutOwner, inSync, { k: 3, owner })).to.deep.equal({
            changed: [],
            removed: [],
            ownKeys: false,
        });
        expect(shardConfigSync(base, { ...inSync, "fleet:shard": { value: "0" } }, { k: 3, owner }).ownKeys).to.equal(
            true,
        );
        expect(shardConfigSync(base, inSync, { k: 3, owner: "organization/fleet/other" }).ownKeys).to.equal(true);
    });
});
