/** Inline SVG charts, drawn by hand so the report needs no script, font or network. */

export interface ChartPoint {
  x: number;
  y: number;
  /** The median's interval over repeats, drawn as a whisker. */
  yMin?: number;
  yMax?: number;
  /** Measured on a busy machine: drawn hollow, with a note in its tooltip. */
  flagged?: string;
}

export interface LineSeries {
  name: string;
  points: ChartPoint[];
  /** Dashed and without markers: reference lines such as ideal-linear scaling. */
  reference?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Logarithmic axes, for concurrency 1…1000. @defaultValue false */
  logX?: boolean;
  logY?: boolean;
  /** Vertical markers, such as the core count. */
  markers?: { x: number; label: string }[];
}

export interface BarGroup {
  label: string;
  /** `low`–`high`: the median's interval, drawn as an error bar. */
  values: { name: string; value: number; low?: number; high?: number }[];
  /** Measured on a busy machine: the label gets a `*` and the bars a note. */
  flagged?: string;
}

export interface BarChartSpec {
  title: string;
  yLabel: string;
  groups: BarGroup[];
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 36, right: 170, bottom: 56, left: 70 };
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const round = (value: number) => Math.round(value * 10) / 10;

function formatTick(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return `${round(value / 1000)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 1 ? 2 : 1);
}

/** About five round ticks from min to max (1, 2 or 5 times a power of ten apart). */
function linearTicks(max: number): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? raw;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  if (ticks[ticks.length - 1] < top) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++)
    ticks.push(10 ** power);
  return ticks;
}

interface Scale {
  ticks: number[];
  map(value: number): number;
}

function makeScale(values: number[], log: boolean, from: number, to: number, startAtZero: boolean): Scale {
  const positive = values.filter((value) => value > 0);
  if (log && positive.length > 0) {
    const ticks = logTicks(Math.min(...positive), Math.max(...positive));
    const [low, high] = [Math.log10(ticks[0]), Math.log10(ticks[ticks.length - 1])];
    const span = high - low || 1;
    return {
      ticks,
      map: (value) => from + ((Math.log10(Math.max(value, ticks[0])) - low) / span) * (to - from),
    };
  }
  const ticks = linearTicks(Math.max(0, ...values));
  const low = startAtZero ? 0 : Math.min(...values);
  const high = ticks[ticks.length - 1];
  const span = high - low || 1;
  return {
    ticks: ticks.filter((tick) => tick >= low),
    map: (value) => from + ((value - low) / span) * (to - from),
  };
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function axes(x: Scale, y: Scale, xLabel: string, yLabel: string, xTickLabels?: string[]): string[] {
  const bottom = HEIGHT - MARGIN.bottom;
  const right = WIDTH - MARGIN.right;
  const parts = [
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#111"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#111"/>`,
    `<text x="${(MARGIN.left + right) / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
  for (const tick of y.ticks) {
    const position = round(y.map(tick));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${position}" x2="${right}" y2="${position}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 6}" y="${position + 4}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  if (!xTickLabels) {
    for (const tick of x.ticks) {
      const position = round(x.map(tick));
      parts.push(`<text x="${position}" y="${bottom + 16}" text-anchor="middle">${formatTick(tick)}</text>`);
    }
  }
  return parts;
}

function legend(names: { name: string; color: string; dashed?: boolean }[]): string[] {
  const left = WIDTH - MARGIN.right + 14;
  return names.flatMap((entry, index) => {
    const y = MARGIN.top + 8 + index * 18;
    return [
      `<line x1="${left}" y1="${y}" x2="${left + 18}" y2="${y}" stroke="${entry.color}" stroke-width="3"${entry.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      `<text x="${left + 24}" y="${y + 4}">${escapeXml(entry.name)}</text>`,
    ];
  });
}

/** A line chart with markers, min–max whiskers and dashed reference lines. */
export function lineChart(spec: LineChartSpec): string {
  const points = spec.series.flatMap((series) => series.points);
  if (points.length === 0)
    return frame(spec.title, [`<text x="${MARGIN.left}" y="60">no data in this run</text>`]);
  const xs = [...points.map((point) => point.x), ...(spec.markers ?? []).map((marker) => marker.x)];
  const ys = points.flatMap((point) => [point.y, point.yMax ?? point.y]);
  const fullX = makeScale(xs, spec.logX ?? false, MARGIN.left + 10, WIDTH - MARGIN.right - 10, false);
  // Workers and concurrency are whole numbers: no tick at 1.5 workers.
  const x: Scale = xs.every(Number.isInteger)
    ? { ...fullX, ticks: fullX.ticks.filter(Number.isInteger) }
    : fullX;
  const y = makeScale(ys, spec.logY ?? false, HEIGHT - MARGIN.bottom, MARGIN.top, true);
  const body = axes(x, y, spec.xLabel, spec.yLabel);
  for (const marker of spec.markers ?? []) {
    const position = round(x.map(marker.x));
    // A marker at the right edge gets its label on its left, clear of the legend.
    const nearRight = position > WIDTH - MARGIN.right - 80;
    body.push(
      `<line x1="${position}" y1="${MARGIN.top}" x2="${position}" y2="${HEIGHT - MARGIN.bottom}" stroke="#6b7280" stroke-dasharray="2 3"/>`,
      `<text x="${nearRight ? position - 4 : position + 4}" y="${MARGIN.top + 12}" fill="#6b7280"${nearRight ? ' text-anchor="end"' : ''}>${escapeXml(marker.label)}</text>`,
    );
  }
  const colored = spec.series.map((series, index) => ({
    ...series,
    color: series.reference ? '#9ca3af' : PALETTE[index % PALETTE.length],
  }));
  for (const series of colored) {
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const path = sorted.map((point) => `${round(x.map(point.x))},${round(y.map(point.y))}`).join(' ');
    body.push(
      `<polyline class="series" data-series="${escapeXml(series.name)}" fill="none" stroke="${series.color}" stroke-width="2.5" points="${path}"${series.reference ? ' stroke-dasharray="6 5"' : ''}/>`,
    );
    if (series.reference) continue;
    for (const point of sorted) {
      const cx = round(x.map(point.x));
      if (point.yMin !== undefined && point.yMax !== undefined && point.yMax > point.yMin) {
        body.push(
          `<line x1="${cx}" y1="${round(y.map(point.yMin))}" x2="${cx}" y2="${round(y.map(point.yMax))}" stroke="${series.color}" stroke-width="1.5"/>`,
        );
      }
      const tooltip = `${series.name}: ${formatTick(point.x)} → ${point.y.toFixed(1)}${point.flagged ? ` (${point.flagged})` : ''}`;
      const fill = point.flagged
        ? `fill="#ffffff" stroke="${series.color}" stroke-width="2"`
        : `fill="${series.color}"`;
      body.push(
        `<circle${point.flagged ? ' class="flagged"' : ''} cx="${cx}" cy="${round(y.map(point.y))}" r="4" ${fill}><title>${escapeXml(tooltip)}</title></circle>`,
      );
    }
  }
  body.push(
    ...legend(
      colored.map((series) => ({ name: series.name, color: series.color, dashed: series.reference })),
    ),
  );
  return frame(spec.title, body);
}

/** A grouped bar chart: one group per label, one colored bar per value name. */
export function barChart(spec: BarChartSpec): string {
  const names = [...new Set(spec.groups.flatMap((group) => group.values.map((value) => value.name)))];
  if (names.length === 0)
    return frame(spec.title, [`<text x="${MARGIN.left}" y="60">no data in this run</text>`]);
  const y = makeScale(
    spec.groups.flatMap((group) => group.values.map((value) => Math.max(value.value, value.high ?? 0))),
    false,
    HEIGHT - MARGIN.bottom,
    MARGIN.top,
    true,
  );
  const x: Scale = { ticks: [], map: (value) => value };
  const body = axes(x, y, '', spec.yLabel, []);
  const plotWidth = WIDTH - MARGIN.right - MARGIN.left - 10;
  const groupWidth = plotWidth / spec.groups.length;
  const barWidth = Math.max(3, (groupWidth * 0.8) / names.length);
  spec.groups.forEach((group, groupIndex) => {
    const groupLeft = MARGIN.left + 10 + groupIndex * groupWidth + groupWidth * 0.1;
    for (const value of group.values) {
      const index = names.indexOf(value.name);
      const top = round(y.map(value.value));
      const left = round(groupLeft + index * barWidth);
      const interval =
        value.low !== undefined && value.high !== undefined
          ? ` [${value.low.toFixed(1)}–${value.high.toFixed(1)}]`
          : '';
      body.push(
        `<rect class="bar" x="${left}" y="${top}" width="${round(barWidth - 1)}" height="${round(HEIGHT - MARGIN.bottom - top)}" fill="${PALETTE[index % PALETTE.length]}"${group.flagged ? ' fill-opacity="0.45"' : ''}><title>${escapeXml(`${group.label} · ${value.name}: ${value.value.toFixed(1)}${interval}${group.flagged ? ` (${group.flagged})` : ''}`)}</title></rect>`,
      );
      if (value.low !== undefined && value.high !== undefined && value.high > value.low) {
        const middle = round(left + (barWidth - 1) / 2);
        body.push(
          `<line class="error-bar" x1="${middle}" y1="${round(y.map(value.low))}" x2="${middle}" y2="${round(y.map(value.high))}" stroke="#111" stroke-width="1.5"/>`,
        );
      }
    }
    body.push(
      `<text x="${round(groupLeft + (groupWidth * 0.8) / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" font-size="${spec.groups.length > 5 ? 9 : 11}">${escapeXml(`${group.label}${group.flagged ? ' *' : ''}`)}</text>`,
    );
  });
  body.push(...legend(names.map((name, index) => ({ name, color: PALETTE[index % PALETTE.length] }))));
  return frame(spec.title, body);
}
