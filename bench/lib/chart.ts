// A small hand-written SVG line chart: wall time against fleet size, one line per series. No
// dependency: the benchmark must run offline and its output must be diffable text.

export interface Point {
    n: number;
    seconds: number;
    /** Drawn hollow: extrapolated, not measured. */ estimated?: boolean;
}
export interface Series {
    label: string;
    color: string;
    dashed?: boolean;
    points: Point[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** "Nice" axis maximum and step (1, 2, 5 x 10^k). */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
    if (!(max > 0)) return { max: 1, step: 0.2 };
    const raw = max / ticks;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    return { max: Math.ceil(max / step) * step, step };
}

export interface ChartOptions {
    logY?: boolean;
    /** The y axis: default wall time in seconds (Point.seconds is then the value, whatever its unit). */
    yLabel?: string;
    unit?: string;
}

export function lineChartSvg(title: string, subtitle: string, series: Series[], opts: ChartOptions = {}): string {
    const unit = opts.unit ?? "s";
    const W = 820,
        H = 440,
        left = 70,
        right = 250,
        top = 56,
        bottom = 56;
    const pw = W - left - right,
        ph = H - top - bottom;
    const all = series.flatMap((s) => s.points);
    const nMax = Math.max(1, ...all.map((p) => p.n));
    const xs = niceScale(nMax, 5);
    const logY = !!opts.logY && all.every((p) => p.seconds > 0);
    const yMaxRaw = Math.max(0, ...all.map((p) => p.seconds));
    const ys = niceScale(yMaxRaw, 5);
    const yMinLog = logY ? Math.floor(Math.log10(Math.min(...all.map((p) => p.seconds)))) : 0;
    const yMaxLog = logY ? Math.ceil(Math.log10(yMaxRaw)) : 0;
    const x = (n: number) => left + (n / xs.max) * pw;
    const y = (s: number) =>
        logY
            ? top + ph - ((Math.log10(s) - yMinLog) / Math.max(1, yMaxLog - yMinLog)) * ph
            : top + ph - (s / ys.max) * ph;

    const out: string[] = [];
    out.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    );
    out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
    out.push(`<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`);
    out.push(`<text x="${left}" y="42" fill="#555">${esc(subtitle)}</text>`);
    // grid and axes
    const yTicks: number[] = [];
    if (logY) for (let e = yMinLog; e <= yMaxLog; e++) yTicks.push(10 ** e);
    else for (let v = 0; v <= ys.max + 1e-9; v += ys.step) yTicks.push(v);
    for (const v of yTicks) {
        out.push(
            `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + pw}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`,
        );
        out.push(`<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${+v.toPrecision(3)}</text>`);
    }
    for (let v = 0; v <= xs.max + 1e-9; v += xs.step) {
        out.push(
            `<line x1="${x(v).toFixed(1)}" y1="${top}" x2="${x(v).toFixed(1)}" y2="${top + ph}" stroke="#f0f0f0"/>`,
        );
        out.push(`<text x="${x(v).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${+v.toPrecision(3)}</text>`);
    }
    out.push(`<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="#333"/>`);
    out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="#333"/>`);
    out.push(`<text x="${left + pw / 2}" y="${H - 14}" text-anchor="middle">tenants (N)</text>`);
    out.push(
        `<text transform="translate(18 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel ?? "wall time, seconds")}${logY ? " (log scale)" : ""}</text>`,
    );
    // series
    series.forEach((s, i) => {
        const pts = [...s.points].sort((a, b) => a.n - b.n);
        if (pts.length > 1) {
            const d = pts.map((p, j) => `${j ? "L" : "M"}${x(p.n).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(" ");
            out.push(
                `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
            );
        }
        for (const p of pts) {
            const fill = p.estimated ? "white" : s.color;
            out.push(
                `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="4" fill="${fill}" stroke="${s.color}" stroke-width="2">` +
                    `<title>${esc(s.label)}: N=${p.n}, ${p.seconds.toFixed(1)} ${unit}${p.estimated ? " (extrapolated)" : ""}</title></circle>`,
            );
        }
        const ly = top + 10 + i * 22;
        out.push(
            `<line x1="${left + pw + 16}" y1="${ly}" x2="${left + pw + 40}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
        );
        out.push(`<text x="${left + pw + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
    });
    const anyEstimated = all.some((p) => p.estimated);
    if (anyEstimated) {
        const ly = top + 10 + series.length * 22;
        out.push(`<circle cx="${left + pw + 28}" cy="${ly}" r="4" fill="white" stroke="#333" stroke-width="2"/>`);
        out.push(`<text x="${left + pw + 46}" y="${ly + 4}">extrapolated</text>`);
    }
    out.push("</svg>");
    return out.join("\n") + "\n";
}
