// A space's live members as read() reports them (provider/resources/managedSpaceMembers.ts), with a stand-in client.
import { expect } from "chai";
import type { HostClient } from "../../../provider/qlik";
import { liveMembers, type Member } from "../../../provider/resources/managedSpaceMembers";

const GROUPS = [
    { id: "g-sales", name: "Sales" },
    { id: "g-fin", name: "Finance" },
];

function client(assignments: { id: string; type: string; assigneeId: string; roles: string[] }[]): HostClient {
    return {
        paginateAll: async (p: string) => (p.endsWith("/assignments") ? assignments : GROUPS),
    } as unknown as HostClient;
}

describe("space members: liveMembers", () => {
    const live = [
        { id: "a1", type: "group", assigneeId: "g-fin", roles: ["consumer"] },
        { id: "a2", type: "group", assigneeId: "g-sales", roles: ["producer", "consumer"] },
        { id: "a3", type: "user", assigneeId: "u-1", roles: ["consumer"] },
    ];

    it("keeps the recorded order when the members are the same (no `members` noise in the next preview)", async () => {
        const declared: Member[] = [
            { groupName: "Sales", roles: ["consumer", "producer"] },
            { groupName: "Finance", roles: ["consumer"] },
        ];
        const r = await liveMembers(client(live), "s1", declared);
        expect(r.members).to.equal(declared);
        // Users assigned by hand are not members this resource manages.
        expect(r.assignmentIds).to.deep.equal({ "g-fin": "a1", "g-sales": "a2" });
    });

    it("reports the live members, canonical, when they differ; groups not declared by name by their id", async () => {
        const declared: Member[] = [{ groupName: "Sales", roles: ["consumer"] }];
        const r = await liveMembers(client(live), "s1", declared);
        expect(r.members).to.deep.equal([
            { groupId: "g-fin", roles: ["consumer"] },
            { groupName: "Sales", roles: ["consumer", "producer"] },
        ]);
    });
});
