// The template app's load script. It reads through the connection every tenant names the same way
// ('Staging:CustomerDB'), so one script serves every customer: each copy reads its own customer's
// database. Written for the Qlik load-script subset the emulator runs (docs/load-script.md): no
// GROUP BY or MAPPING LOAD, so the summary is built from variables and the labels are an associated
// INLINE table instead of an ApplyMap.

export const CONNECTION_SPACE = "Staging";
export const CONNECTION_NAME = "CustomerDB";

export const LOAD_SCRIPT = `///$tab Main
SET ThousandSep=',';
SET DecimalSep='.';
SET MoneyFormat='$#,##0.00;-$#,##0.00';

LIB CONNECT TO '${CONNECTION_SPACE}:${CONNECTION_NAME}';

// Fact table: a preceding LOAD renames the columns and derives the net amount (returns count as 0).
Orders:
LOAD
    id AS OrderId,
    customer_id AS AccountId,
    product_id AS ProductId,
    order_date AS OrderDate,
    quantity AS Quantity,
    amount AS Amount,
    status AS StatusCode,
    If(status = 'returned', 0, amount) AS NetAmount;
SQL SELECT id, customer_id, product_id, order_date, quantity, amount, status FROM orders;

Products:
LOAD id AS ProductId, name AS Product, category AS Category, unit_price AS UnitPrice;
SQL SELECT id, name, category, unit_price FROM products;

Accounts:
LOAD id AS AccountId, name AS Account, city AS City, segment AS Segment;
SQL SELECT id, name, city, segment FROM customers;

DISCONNECT;

///$tab Labels
StatusLabels:
LOAD * INLINE [
StatusCode, StatusLabel
shipped, Shipped
returned, Returned to stock
];

///$tab Summary
BigOrders:
LOAD OrderId AS BigOrderId, Amount AS BigOrderAmount RESIDENT Orders WHERE Amount >= 2500;

LET vOrders = NoOfRows('Orders');
LET vBigOrders = NoOfRows('BigOrders');
LET vRevenue = Sum(Amount);

Summary:
LOAD * INLINE [
Metric, Value
Orders, $(vOrders)
Big orders, $(vBigOrders)
Revenue, $(vRevenue)
];
`;
