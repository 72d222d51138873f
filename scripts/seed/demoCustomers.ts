// The three demo customers `npm start` provisions, on two plans and in three rings (docs/plans.md). Users'
// subjects use the ISV's IdP naming ("<alias>\\<login>"); each user's JWT carries exactly these values.
import type { BusinessDbSpec } from "./businessDb";
import type { Ring } from "../../examples/fleet/schema";

export interface DemoCustomer {
    id: string;
    name: string;
    alias: string;
    licenseType: "professional" | "analyzer";
    /** plans.name; default standard. */
    plan?: string;
    /** Rollout ring; default general. */
    ring?: Ring;
    data: BusinessDbSpec;
    groups: { name: string; roles?: string[]; spaceRole?: string }[];
    users: {
        subject: string;
        name: string;
        email: string;
        licenseType?: "professional" | "analyzer";
        groups: string[];
    }[];
}

export const DEMO_CUSTOMERS: DemoCustomer[] = [
    {
        id: "cust-001",
        name: "Acme Corporation",
        alias: "acme",
        licenseType: "analyzer",
        plan: "premium",
        ring: "canary",
        data: { seed: "acme", orders: 3000, accounts: 60 },
        groups: [{ name: "Acme Sales" }, { name: "Acme Finance" }],
        users: [
            { subject: "acme\\john", name: "John Smith", email: "john@acme.example", groups: ["Acme Sales"] },
            {
                subject: "acme\\maria",
                name: "Maria Garcia",
                email: "maria@acme.example",
                licenseType: "professional",
                groups: ["Acme Sales", "Acme Finance"],
            },
        ],
    },
    {
        id: "cust-002",
        name: "Globex Inc.",
        alias: "globex",
        licenseType: "analyzer",
        plan: "standard",
        ring: "general",
        data: { seed: "globex", orders: 2200, accounts: 35 },
        groups: [{ name: "Globex Analysts" }],
        users: [
            {
                subject: "globex\\linda",
                name: "Linda Chen",
                email: "linda@globex.example",
                groups: ["Globex Analysts"],
            },
        ],
    },
    {
        id: "cust-003",
        name: "Initech",
        alias: "initech",
        licenseType: "analyzer",
        plan: "standard",
        ring: "early",
        data: { seed: "initech", orders: 1500, accounts: 25 },
        groups: [{ name: "Initech Managers" }],
        users: [
            {
                subject: "initech\\peter",
                name: "Peter Gibbons",
                email: "peter@initech.example",
                groups: ["Initech Managers"],
            },
        ],
    },
];

/** The connection every customer tenant's copy of the template reads through (`LIB CONNECT TO 'Staging:CustomerDB'`). */
export const CONNECTION_NAME = "CustomerDB";
