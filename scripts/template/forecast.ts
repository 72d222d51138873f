// The premium plan's extra template app, "Sales Forecast": the same customer database through the same
// connection name ('Staging:CustomerDB'), a different model (orders by month, a run-rate projection) and one
// "Forecast" sheet. Placed in the source tenant by place.ts like the main template (docs/plans.md).
import { CONNECTION_NAME, CONNECTION_SPACE } from "./loadScript";
import type { GenericObjectDef } from "./sheets";

export const FORECAST_APP_NAME = "Sales Forecast";
/** plan_apps.app_key of the forecast app in the demo's plan catalogue. */
export const FORECAST_APP_KEY = "forecast";

// Written for the emulator's load-script subset (docs/load-script.md): no GROUP BY, so the projection is
// built from whole-table aggregates in variables; the demo data covers 24 months (scripts/seed/businessDb.ts).
export const FORECAST_SCRIPT = `///$tab Main
LIB CONNECT TO '${CONNECTION_SPACE}:${CONNECTION_NAME}';

Orders:
LOAD
    id AS OrderId,
    order_date AS OrderDate,
    Left(order_date, 7) AS OrderMonth,
    quantity AS Quantity,
    amount AS Amount;
SQL SELECT id, order_date, quantity, amount FROM orders;

DISCONNECT;

///$tab Forecast
LET vRevenue = Sum(Amount);
LET vMonths = Count(DISTINCT OrderMonth);
LET vRunRate = Round($(vRevenue) / $(vMonths), 0.01);

Forecast:
LOAD * INLINE [
Horizon, Months
Next quarter, 3
Next half-year, 6
Next year, 12
];
`;

const measure = (label: string, expr: string) => ({ qDef: { qLabel: label, qDef: expr } });

const kpiRunRate: GenericObjectDef = {
    qInfo: { qId: "fcKpiRunRate", qType: "kpi" },
    title: "Monthly run rate",
    visualization: "kpi",
    qHyperCubeDef: {
        qDimensions: [],
        qMeasures: [measure("Run rate", "Sum(Amount) / Count(DISTINCT OrderMonth)")],
        qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 1, qHeight: 1 }],
    },
};

const projection: GenericObjectDef = {
    qInfo: { qId: "fcProjection", qType: "table" },
    title: "Projected revenue",
    visualization: "table",
    qHyperCubeDef: {
        qDimensions: [{ qDef: { qFieldDefs: ["Horizon"], qFieldLabels: ["Horizon"] } }],
        qMeasures: [measure("Projected revenue", "Sum(Months) * $(vRunRate)")],
        qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 2, qHeight: 10 }],
    },
};

/** Children first, then the sheet that lays them out. */
export const FORECAST_OBJECTS: GenericObjectDef[] = [
    kpiRunRate,
    projection,
    {
        qInfo: { qId: "fcForecast", qType: "sheet" },
        qMetaDef: { title: "Forecast", description: "Forecast (template)" },
        rank: 0,
        columns: 24,
        rows: 12,
        cells: [
            { name: "fcKpiRunRate", type: "kpi", col: 0, row: 0, colspan: 12, rowspan: 6 },
            { name: "fcProjection", type: "table", col: 12, row: 0, colspan: 12, rowspan: 6 },
        ],
    },
];
