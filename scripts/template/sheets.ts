// The template's sheets and charts as generic-object properties (what the engine's CreateObject
// takes). Fixed qIds make placement idempotent: an object is created once and updated in place.

export interface GenericObjectDef {
    qInfo: { qId: string; qType: string };
    qMetaDef?: { title?: string; description?: string };
    [prop: string]: unknown;
}

const measure = (label: string, expr: string) => ({ qDef: { qLabel: label, qDef: expr } });
const dimension = (label: string, field: string) => ({ qDef: { qFieldDefs: [field], qFieldLabels: [label] } });

function chart(
    id: string,
    type: string,
    title: string,
    dims: ReturnType<typeof dimension>[],
    measures: ReturnType<typeof measure>[],
): GenericObjectDef {
    return {
        qInfo: { qId: id, qType: type },
        title,
        visualization: type,
        qHyperCubeDef: {
            qDimensions: dims,
            qMeasures: measures,
            qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: dims.length + measures.length, qHeight: 50 }],
        },
    };
}

function sheet(id: string, title: string, rank: number, children: GenericObjectDef[]): GenericObjectDef {
    return {
        qInfo: { qId: id, qType: "sheet" },
        qMetaDef: { title, description: `${title} (template)` },
        rank,
        columns: 24,
        rows: 12,
        cells: children.map((c, i) => ({
            name: c.qInfo.qId,
            type: c.qInfo.qType,
            col: (i % 2) * 12,
            row: Math.floor(i / 2) * 6,
            colspan: 12,
            rowspan: 6,
        })),
    };
}

const kpiRevenue = chart("tplKpiRevenue", "kpi", "Revenue", [], [measure("Revenue", "Sum(Amount)")]);
const kpiOrders = chart("tplKpiOrders", "kpi", "Orders", [], [measure("Orders", "Count(OrderId)")]);
const byCategory = chart(
    "tplByCategory",
    "barchart",
    "Revenue by category",
    [dimension("Category", "Category")],
    [measure("Revenue", "Sum(Amount)")],
);
const byCity = chart(
    "tplByCity",
    "barchart",
    "Orders by city",
    [dimension("City", "City")],
    [measure("Orders", "Count(OrderId)")],
);
const orderTable = chart(
    "tplOrderTable",
    "table",
    "Orders",
    [dimension("Order", "OrderId"), dimension("Date", "OrderDate"), dimension("Status", "StatusLabel")],
    [measure("Amount", "Sum(Amount)")],
);

/** Children first: a sheet's cells refer to objects that already exist. */
export const TEMPLATE_OBJECTS: GenericObjectDef[] = [
    kpiRevenue,
    kpiOrders,
    byCategory,
    byCity,
    orderTable,
    sheet("tplOverview", "Overview", 0, [kpiRevenue, kpiOrders, byCategory]),
    sheet("tplCustomers", "Customers", 1, [byCity]),
    sheet("tplOrders", "Order details", 2, [orderTable]),
];
