import { expect } from "chai";
import { evaluateDual, evaluateText } from "../../../emulator/engine/data/evaluate";
import type { DataTable } from "../../../emulator/apis/apps/appDocument";

const tables: DataTable[] = [
    {
        name: "Orders",
        fields: ["OrderId", "Product", "Quantity", "UnitPrice"],
        rows: [
            [1, "A", 2, 1.5],
            [2, "B", 1, 10],
            [3, "A", 4, 1.5],
            [4, "C", null, 3],
        ],
    },
    {
        name: "Products",
        fields: ["Product", "Category"],
        rows: [
            ["A", "x"],
            ["B", "x"],
            ["C", "y"],
        ],
    },
];

describe("engine/data expressions and aggregates", () => {
    const ev = (e: string) => evaluateText(e, tables);
    it("aggregates over the table holding the fields", () => {
        expect(ev("Sum(Quantity)")).to.equal("7");
        expect(ev("Sum(Quantity*UnitPrice)")).to.equal(String(2 * 1.5 + 10 + 4 * 1.5));
        expect(ev("Count(Quantity)")).to.equal("3");
        expect(ev("Count(DISTINCT Product)")).to.equal("3");
        expect(ev("Count(Product)")).to.equal("4");
        expect(ev("Min(UnitPrice)")).to.equal("1.5");
        expect(ev("Max(Quantity)")).to.equal("4");
        expect(ev("Avg(Quantity)")).to.equal(
            String(7 / 3)
                .slice(0, 15)
                .replace(/0+$/, ""),
        );
        expect(ev("Only(Category)")).to.equal("-");
        expect(ev("NoOfRows('Orders')")).to.equal("4");
        expect(ev("Sum(NoSuchField)")).to.equal("0");
    });
    it("scalar functions and operators", () => {
        expect(ev("=Round(10/3, 0.01)")).to.equal("3.33");
        expect(ev("Upper('ab') & Lower('CD') & Len('xyz')")).to.equal("ABcd3");
        expect(ev("If(Sum(Quantity) > 5, 'big', 'small')")).to.equal("big");
        expect(ev("Num(1234.5, '#,##0.00')")).to.equal("1,234.50");
        expect(ev("1 = 1")).to.equal("-1");
    });
    it("errors come back as text; EvaluateEx returns a dual", () => {
        expect(ev("Sum(Quantity")).to.match(/^Error: /);
        expect(ev("Sum(Sum(Quantity))")).to.equal("Error: Nested aggregation not allowed");
        expect(evaluateDual("Sum(Quantity)", tables)).to.deep.equal({ qText: "7", qIsNumeric: true, qNumber: 7 });
        expect(evaluateDual("'a'", tables)).to.deep.equal({ qText: "a", qIsNumeric: false, qNumber: "NaN" });
    });
});
