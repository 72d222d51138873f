// A customer's own business database (what the customer's data connection points at): customers,
// products and orders, generated deterministically from a seed so that each customer has different
// but reproducible totals. Written to a temp file and renamed, so a crash never leaves half a file.
import * as fs from "fs";
import * as path from "path";
import Database = require("better-sqlite3");
import { intBetween, mulberry32, pick, seedFrom } from "./prng";

/** Bumped when the generator changes; a file with another version is regenerated. */
export const GENERATOR_VERSION = "1";

export interface BusinessDbSpec {
    /** Label the PRNG is seeded from (the customer alias). */
    seed: string;
    orders: number;
    /** End customers of the customer (rows of the customers table). */
    accounts?: number;
}

export interface BusinessTotals {
    orders: number;
    amount: number;
    quantity: number;
}

const CITIES = [
    "Springfield",
    "Shelbyville",
    "Ogdenville",
    "North Haverbrook",
    "Capital City",
    "Brockway",
    "Cypress Creek",
];
const SEGMENTS = ["Enterprise", "Mid-market", "Small business"];
const CATEGORIES: Record<string, string[]> = {
    Hardware: ["Anvil", "Rocket skates", "Giant magnet", "Spring boots"],
    Software: ["Planner Pro", "Ledger Cloud", "Route Optimizer"],
    Services: ["Installation", "Training day", "Support plan"],
};

const DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, segment TEXT NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, unit_price REAL NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
    product_id INTEGER NOT NULL REFERENCES products(id), order_date TEXT NOT NULL,
    quantity INTEGER NOT NULL, amount REAL NOT NULL, status TEXT NOT NULL
);
`;

function fingerprint(spec: BusinessDbSpec): string {
    return `${GENERATOR_VERSION}:${spec.seed}:${spec.orders}:${spec.accounts ?? 0}`;
}

/** True when `file` already holds exactly what `spec` generates. */
export function isCurrent(file: string, spec: BusinessDbSpec): boolean {
    if (!fs.existsSync(file)) return false;
    try {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
            const row = db.prepare("SELECT value FROM meta WHERE key = 'fingerprint'").get() as
                { value: string } | undefined;
            return row?.value === fingerprint(spec);
        } finally {
            db.close();
        }
    } catch {
        return false;
    }
}

/** Creates (or regenerates) the business database; returns false when it was already current. */
export function ensureBusinessDb(file: string, spec: BusinessDbSpec): boolean {
    if (isCurrent(file, spec)) return false;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true });
    const db = new Database(tmp);
    try {
        db.exec(DDL);
        fill(db, spec);
        db.prepare("INSERT INTO meta(key, value) VALUES ('fingerprint', ?)").run(fingerprint(spec));
    } finally {
        db.close();
    }
    fs.renameSync(tmp, file);
    return true;
}

function fill(db: Database.Database, spec: BusinessDbSpec): void {
    const rng = mulberry32(seedFrom(spec.seed));
    const accounts = spec.accounts ?? 40;
    const insCustomer = db.prepare("INSERT INTO customers(id, name, city, segment) VALUES (?, ?, ?, ?)");
    const insProduct = db.prepare("INSERT INTO products(id, name, category, unit_price) VALUES (?, ?, ?, ?)");
    const insOrder = db.prepare(
        "INSERT INTO orders(id, customer_id, product_id, order_date, quantity, amount, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
        for (let i = 1; i <= accounts; i++) {
            insCustomer.run(
                i,
                `${spec.seed.toUpperCase()} client ${String(i).padStart(3, "0")}`,
                pick(rng, CITIES),
                pick(rng, SEGMENTS),
            );
        }
        const prices: number[] = [];
        let pid = 0;
        for (const [category, names] of Object.entries(CATEGORIES)) {
            for (const name of names) {
                const price = Math.round((5 + rng() * 495) * 100) / 100;
                prices.push(price);
                insProduct.run(++pid, name, category, price);
            }
        }
        const start = Date.UTC(2024, 0, 1);
        for (let i = 1; i <= spec.orders; i++) {
            const product = intBetween(rng, 1, prices.length);
            const quantity = intBetween(rng, 1, 20);
            const amount = Math.round(prices[product - 1] * quantity * 100) / 100;
            const day = new Date(start + intBetween(rng, 0, 729) * 86_400_000).toISOString().slice(0, 10);
            const status = rng() < 0.08 ? "returned" : "shipped";
            insOrder.run(i, intBetween(rng, 1, accounts), product, day, quantity, amount, status);
        }
    })();
}

/** What a dashboard over this database should show: read straight from the file. */
export function businessTotals(file: string): BusinessTotals {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
        const r = db
            .prepare(
                "SELECT COUNT(*) AS orders, ROUND(SUM(amount), 2) AS amount, SUM(quantity) AS quantity FROM orders",
            )
            .get() as BusinessTotals;
        return { orders: r.orders, amount: r.amount ?? 0, quantity: r.quantity ?? 0 };
    } finally {
        db.close();
    }
}
