import { cellAtMost, measured, seriesCells, taskP99Spread } from './cell-queries';
import type { CellResult, LabResults } from '../lab-results';
import { barChart, lineChart, type BarGroup, type ChartPoint, type LineSeries } from './svg-chart';

export interface ReportChart {
  /** File name stem and HTML anchor. */
  id: string;
  title: string;
  caption: string;
  svg: string;
}

/** The note a chart puts on a cell measured on a busy machine. */
function busyNote(cell: CellResult): string | undefined {
  return cell.busy
    ? `busy machine: other processes took ${cell.foreignCpuPercentOfCore?.toFixed(0)} % of a core`
    : undefined;
}

function throughputPoints(cells: readonly CellResult[]): ChartPoint[] {
  return cells.map((cell) => ({
    x: cell.workers,
    y: cell.throughputPerSec.median,
    yMin: cell.throughputPerSec.interval.low,
    yMax: cell.throughputPerSec.interval.high,
    flagged: busyNote(cell),
  }));
}

/** A bar with its median's interval as the error bar. */
const withInterval = (name: string, spread: CellResult['runMs']) => ({
  name,
  value: spread.median,
  low: spread.interval.low,
  high: spread.interval.high,
});

/** Said under every chart: what the whiskers are and what a hollow marker means. */
const INTERVAL_CAPTION =
  "Whiskers: the median's 95 % order-statistic interval over repeats (with fewer than 6 repeats, min–max at lower confidence: see the cell table). Hollow markers and starred labels: a cell run on a busy machine.";

/** The ideal-linear line: the baseline cell's throughput times the worker ratio. */
function idealLine(baseline: CellResult | undefined, xs: number[]): LineSeries[] {
  if (!baseline || xs.length < 2) return [];
  const perWorker = baseline.throughputPerSec.median / baseline.workers;
  return [
    {
      name: 'ideal linear',
      reference: true,
      points: [...new Set(xs)].sort((a, b) => a - b).map((x) => ({ x, y: perWorker * x })),
    },
  ];
}

/** A local run marks the machine's core count on the x axis; pods spread over nodes have no such line. */
function coreMarkers(results: LabResults): { x: number; label: string }[] {
  return results.machine.target === 'local'
    ? [{ x: results.machine.cores, label: `${results.machine.cores} cores` }]
    : [];
}

interface BarChartText {
  id: string;
  title: string;
  /** The title inside the SVG. @defaultValue the chart's title */
  svgTitle?: string;
  yLabel: string;
  caption: string;
}

/** One bar group per cell; undefined when no cell was measured (the chart is left out). */
function cellBarChart(
  cells: readonly CellResult[],
  text: BarChartText,
  group: (cell: CellResult) => BarGroup,
): ReportChart | undefined {
  if (cells.length === 0) return undefined;
  return {
    id: text.id,
    title: text.title,
    caption: text.caption,
    svg: barChart({ title: text.svgTitle ?? text.title, yLabel: text.yLabel, groups: cells.map(group) }),
  };
}

function cpuChart(results: LabResults): ReportChart | undefined {
  const models = ['inline', 'worker-threads', 'processes'];
  const series: LineSeries[] = models
    .map((model) => ({
      name: model,
      points: throughputPoints(
        seriesCells(results.cells, `cpu/${model}`).filter((cell) => cell.replicas === 1),
      ),
    }))
    .filter((entry) => entry.points.length > 0);
  const pods = measured(results.cells).filter((cell) => cell.model === 'pods' && cell.task !== 'io.sleep');
  for (const name of new Set(pods.map((cell) => cell.series))) {
    series.push({
      name: `replicas (${name.replace(/^(horizontal|kube)\//, '')})`,
      points: throughputPoints(seriesCells(results.cells, name)),
    });
  }
  if (series.length === 0) return undefined;
  const baseline = seriesCells(results.cells, 'cpu/worker-threads')[0] ?? pods[0];
  const xs = series.flatMap((entry) => entry.points.map((point) => point.x));
  return {
    id: 'cpu-throughput',
    title: 'CPU-bound: throughput vs workers',
    caption: `${results.cpuJob.task} jobs of about ${results.cpuJob.calibratedRunMs.toFixed(0)} ms; workers = pool size × replicas. The dashed line is ideal linear scaling from one worker. ${INTERVAL_CAPTION}`,
    svg: lineChart({
      title: 'CPU-bound: throughput vs workers',
      xLabel: 'workers (pool size × replicas)',
      yLabel: 'jobs/s',
      series: [...series, ...idealLine(baseline, xs)],
      markers: coreMarkers(results),
    }),
  };
}

function ioChart(results: LabResults): ReportChart | undefined {
  const io = measured(results.cells).filter(
    (cell) => cell.experiment === 'io' || (cell.model === 'pods' && cell.task === 'io.sleep'),
  );
  if (io.length === 0) return undefined;
  const groups = new Map<string, CellResult[]>();
  for (const cell of io) {
    const key =
      cell.model === 'pods'
        ? `${cell.task} · pods`
        : `${cell.task} · ${cell.replicas} replica${cell.replicas > 1 ? 's' : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const series: LineSeries[] = [...groups].map(([name, cells]) => ({
    name,
    points: throughputPoints([...cells].sort((a, b) => a.workers - b.workers)),
  }));
  const baseline = seriesCells(results.cells, 'io.sleep')[0];
  return {
    id: 'io-throughput',
    title: 'I/O-bound: throughput vs event-loop concurrency',
    caption: `Log–log. Workers = io-consumer concurrency × replicas; one event loop per replica. The dashed line is ideal linear scaling. ${INTERVAL_CAPTION}`,
    svg: lineChart({
      title: 'I/O-bound: throughput vs concurrency',
      xLabel: 'jobs in flight (concurrency × replicas)',
      yLabel: 'jobs/s',
      series: [
        ...series,
        ...idealLine(
          baseline,
          series.flatMap((entry) => entry.points.map((point) => point.x)),
        ),
      ],
      logX: true,
      logY: true,
      markers: coreMarkers(results),
    }),
  };
}

/** Bar labels short enough not to run into each other. */
const SHORT_MODEL: Record<string, string> = { 'worker-threads': 'threads', processes: 'procs' };

function latencyChart(results: LabResults): ReportChart | undefined {
  const picks: CellResult[] = [];
  for (const model of ['inline', 'worker-threads', 'processes']) {
    const cell = cellAtMost(
      seriesCells(results.cells, `cpu/${model}`).filter((entry) => entry.replicas === 1),
      results.machine.cores,
    );
    if (cell) picks.push(cell);
  }
  picks.push(
    ...seriesCells(results.cells, 'io.sleep')
      .filter((cell) => cell.replicas === 1)
      .slice(0, 4),
  );
  if (picks.length === 0) picks.push(...measured(results.cells).slice(0, 6));
  return cellBarChart(
    picks,
    {
      id: 'latency',
      title: 'End-to-end latency percentiles',
      yLabel: 'ms',
      caption: `createdAt → finishedAt of each job (queue wait + run), median over repeats. CPU cells at the core count; io cells on one replica. ${INTERVAL_CAPTION}`,
    },
    (cell) => ({
      flagged: busyNote(cell),
      label:
        cell.experiment === 'cpu'
          ? `${SHORT_MODEL[cell.model] ?? cell.model} ×${cell.workers}`
          : `${cell.task} c${cell.perReplica}`,
      values: [
        withInterval('p50', cell.latencyMs.p50),
        withInterval('p95', cell.latencyMs.p95),
        withInterval('p99', cell.latencyMs.p99),
      ],
    }),
  );
}

/** The mixed workload's routings, in the order the chart shows them. */
const ROUTINGS = ['io-alone', 'cpu-on-io-lane', 'cpu-on-cpu-lane', 'auto'];

function misroutingChart(results: LabResults): ReportChart | undefined {
  const cells = ROUTINGS.flatMap((name) =>
    measured(results.cells).filter((cell) => cell.id === `misrouting/${name}`),
  );
  return cellBarChart(
    cells,
    {
      id: 'misrouting',
      title: 'Event-loop delay under misrouting',
      yLabel: 'ms',
      caption: `The io-consumer running io.sleep jobs alone, with CPU jobs misrouted onto its lane, with the same CPU jobs on their own lane, and with every job submitted as profile "auto" (routed by measured CPU ratio). ${INTERVAL_CAPTION}`,
    },
    (cell) => {
      const ioP99 = taskP99Spread(cell, 'io.sleep');
      return {
        flagged: busyNote(cell),
        label: cell.id.replace('misrouting/', ''),
        values: [
          ...(cell.eventLoopDelayP99Ms ? [withInterval('loop delay p99', cell.eventLoopDelayP99Ms)] : []),
          withInterval('io.sleep p99', ioP99 ?? cell.latencyMs.p99),
        ],
      };
    },
  );
}

function memoryChart(results: LabResults): ReportChart | undefined {
  const cells = measured(results.cells).filter(
    (cell) => cell.id.startsWith('misrouting/io-on-') && cell.peakRssBytesPerReplica,
  );
  return cellBarChart(
    cells,
    {
      id: 'memory',
      title: 'io jobs on a pool: memory for no gain',
      svgTitle: 'io jobs on a pool: memory vs throughput',
      yLabel: 'MiB · jobs/s',
      caption: `The same io.sleep jobs on the event loop and misrouted to a pool of the same size. RSS is the consumer process (children of a process pool not included). ${INTERVAL_CAPTION}`,
    },
    (cell) => ({
      flagged: busyNote(cell),
      label: cell.id.replace('misrouting/io-on-', 'on '),
      values: [
        { name: 'peak RSS, MiB', value: (cell.peakRssBytesPerReplica?.median ?? 0) / 1024 / 1024 },
        withInterval('jobs/s', cell.throughputPerSec),
      ],
    }),
  );
}

export function buildReportCharts(results: LabResults): ReportChart[] {
  return [
    cpuChart(results),
    ioChart(results),
    latencyChart(results),
    misroutingChart(results),
    memoryChart(results),
  ].filter((chart): chart is ReportChart => chart !== undefined);
}
