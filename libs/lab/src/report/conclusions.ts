import {
  cellAtMost,
  distinguishable,
  findCell,
  formatMiB,
  formatMs,
  formatPercent,
  formatRate,
  formatTimes,
  measured,
  peak,
  seriesCells,
  taskP99,
  withInterval,
} from './cell-queries';
import type { CellResult, LabResults } from '../lab-results';
import { autoRoutingFindings } from './auto-routing-findings';
import { redisFindings } from './redis-findings';

export interface Conclusion {
  profile: 'confidence' | 'cpu' | 'io' | 'misrouting' | 'horizontal' | 'redis';
  title: string;
  findings: string[];
}

/** Speedup from the first cell of a series to this one below which the lab calls a series flat. */
const SCALES = 1.3;
/** Jobs in flight up to this count as one at a time: what a single thread can do. */
const ONE_AT_A_TIME = 1.15;
/** A ratio within this of 1 counts as "no measurable change" on a noisy machine. */
const NOISE = 0.15;

/**
 * Ranks the models' peaks, but only as far as their intervals allow: models whose intervals overlap
 * the leader's are "not distinguishable" from it rather than placed behind it.
 */
function bestCpuModel(peaks: { model: string; cell: CellResult }[]): string {
  const ranked = [...peaks].sort((a, b) => b.cell.throughputPerSec.median - a.cell.throughputPerSec.median);
  const leaders = ranked.filter(
    (entry, index) =>
      index === 0 || !distinguishable(entry.cell.throughputPerSec, ranked[0].cell.throughputPerSec),
  );
  const rest = ranked.filter((entry) => !leaders.includes(entry));
  const describe = (entry: { model: string; cell: CellResult }) =>
    `${entry.model} ${withInterval(entry.cell.throughputPerSec, formatRate)}`;
  const then = rest.length > 0 ? `; then ${rest.map(describe).join(', ')}.` : '.';
  if (leaders.length === 1)
    return `Best for CPU-bound work here: **${ranked[0].model}** at ${withInterval(ranked[0].cell.throughputPerSec, formatRate)}${then}`;
  return `Best for CPU-bound work here: not distinguishable between ${leaders
    .map((entry) => `**${entry.model}** (${withInterval(entry.cell.throughputPerSec, formatRate)})`)
    .join(' and ')}, whose intervals overlap${then}`;
}

function cpuConclusion(results: LabResults): Conclusion | undefined {
  const cores = results.machine.cores;
  const findings: string[] = [];
  const peaks: { model: string; cell: CellResult }[] = [];
  for (const model of ['inline', 'worker-threads', 'processes']) {
    const series = seriesCells(results.cells, `cpu/${model}`).filter((cell) => cell.replicas === 1);
    const first = series[0];
    const atCores = cellAtMost(series, cores);
    if (!first || !atCores || atCores === first) continue;
    const gain = atCores.throughputPerSec.median / first.throughputPerSec.median;
    const efficiency = gain / (atCores.workers / first.workers);
    const inFlight = atCores.parallelism.median;
    const verdict =
      gain >= SCALES && !distinguishable(first.throughputPerSec, atCores.throughputPerSec)
        ? `not distinguishable from flat: ${withInterval(first.throughputPerSec, formatRate)} with ${first.workers} → ${withInterval(atCores.throughputPerSec, formatRate)} with ${atCores.workers} (${formatTimes(gain)}, the intervals overlap)`
        : gain >= SCALES && inFlight <= ONE_AT_A_TIME
          ? `stayed on one core: ${formatRate(first.throughputPerSec.median)} with ${first.workers} → ${formatRate(atCores.throughputPerSec.median)} with ${atCores.workers} (${formatTimes(gain)}, from overlapping queue round trips) with ${inFlight.toFixed(2)} jobs running at once`
          : gain >= SCALES
            ? `scaled: ${formatRate(first.throughputPerSec.median)} with ${first.workers} → ${formatRate(atCores.throughputPerSec.median)} with ${atCores.workers} (${formatTimes(gain)}, efficiency ${formatPercent(efficiency)})`
            : `stayed flat: ${formatRate(first.throughputPerSec.median)} with ${first.workers} → ${formatRate(atCores.throughputPerSec.median)} with ${atCores.workers} (${formatTimes(gain)})`;
    findings.push(`**${model}** ${verdict}.`);
    const beyond = series[series.length - 1];
    if (beyond.workers > cores) {
      const extra = beyond.throughputPerSec.median / atCores.throughputPerSec.median;
      findings.push(
        extra < 1 + NOISE || !distinguishable(beyond.throughputPerSec, atCores.throughputPerSec)
          ? `${model} past ${cores} cores (${beyond.workers}) added nothing (${formatTimes(extra)}): parallelism is capped by cores.`
          : `${model} past ${cores} cores (${beyond.workers}) still gained ${formatTimes(extra)}.`,
      );
    }
    const best = peak(series);
    if (best) peaks.push({ model, cell: best });
  }
  if (peaks.length === 0) return undefined;
  findings.push(bestCpuModel(peaks));
  const threads = peaks.find((entry) => entry.model === 'worker-threads');
  const inline = peaks.find((entry) => entry.model === 'inline');
  if (threads && inline) {
    const ratio = threads.cell.throughputPerSec.median / inline.cell.throughputPerSec.median;
    findings.push(
      !distinguishable(threads.cell.throughputPerSec, inline.cell.throughputPerSec)
        ? `Worker threads and the single event loop were not distinguishable here (${withInterval(threads.cell.throughputPerSec, formatRate)} against ${withInterval(inline.cell.throughputPerSec, formatRate)}: the intervals overlap).`
        : ratio >= SCALES
          ? `Unlike Python threads under the GIL, Node worker threads ran CPU work in parallel: ${formatTimes(ratio)} the single event loop's throughput.`
          : `Worker threads did not beat the single event loop here (${formatTimes(ratio)}): check that the machine has more than one free core.`,
    );
  }
  return { profile: 'cpu', title: 'CPU-bound', findings };
}

function ioConclusion(results: LabResults): Conclusion | undefined {
  const cores = results.machine.cores;
  const findings: string[] = [];
  for (const task of ['io.sleep', 'io.http']) {
    const series = seriesCells(results.cells, task).filter((cell) => cell.replicas === 1);
    const first = series[0];
    const best = peak(series);
    if (!first || !best || series.length < 2) continue;
    const gain = best.throughputPerSec.median / first.throughputPerSec.median;
    findings.push(
      gain >= SCALES && distinguishable(best.throughputPerSec, first.throughputPerSec)
        ? `**${task}** on one event loop rose ${formatTimes(gain)} from concurrency ${first.perReplica} (${formatRate(first.throughputPerSec.median)}) to ${best.perReplica} (${formatRate(best.throughputPerSec.median)})` +
            (best.perReplica > cores ? `, far past the ${cores} cores: waiting costs no thread.` : '.')
        : `**${task}** did not gain distinguishably from more concurrency (${formatTimes(gain)}).`,
    );
    const saturated = series.find((cell) => cell !== first && (cell.efficiency ?? 1) < 0.5);
    if (saturated) {
      findings.push(
        `${task} stopped scaling linearly at concurrency ${saturated.perReplica} (efficiency ${formatPercent(saturated.efficiency ?? 0)}): the queue round trip, not the wait, became the cost.`,
      );
    }
  }
  const replicated = seriesCells(results.cells, 'io.sleep');
  const concurrency = Math.max(0, ...replicated.map((cell) => cell.perReplica));
  const oneReplica = replicated.find((cell) => cell.perReplica === concurrency && cell.replicas === 1);
  const mostReplicas = replicated.filter((cell) => cell.perReplica === concurrency).pop();
  if (oneReplica && mostReplicas && mostReplicas !== oneReplica) {
    const gain = mostReplicas.throughputPerSec.median / oneReplica.throughputPerSec.median;
    findings.push(
      `At concurrency ${concurrency}, ${mostReplicas.replicas} io-consumer replicas gave ${formatTimes(gain)} one replica's throughput` +
        (gain < 1 + NOISE || !distinguishable(mostReplicas.throughputPerSec, oneReplica.throughputPerSec)
          ? ': not distinguishable from one replica; one event loop was already enough.'
          : '.'),
    );
  }
  return findings.length ? { profile: 'io', title: 'I/O-bound', findings } : undefined;
}

function misroutingConclusion(results: LabResults): Conclusion | undefined {
  const findings: string[] = [];
  const alone = findCell(results.cells, 'misrouting/io-alone');
  const mixed = findCell(results.cells, 'misrouting/cpu-on-io-lane');
  const separate = findCell(results.cells, 'misrouting/cpu-on-cpu-lane');
  if (alone && mixed) {
    const delayBefore = alone.eventLoopDelayP99Ms?.median;
    const delayAfter = mixed.eventLoopDelayP99Ms?.median;
    if (
      delayBefore !== undefined &&
      delayAfter !== undefined &&
      alone.eventLoopDelayP99Ms &&
      mixed.eventLoopDelayP99Ms
    ) {
      findings.push(
        delayAfter > delayBefore * (1 + NOISE) &&
          distinguishable(alone.eventLoopDelayP99Ms, mixed.eventLoopDelayP99Ms)
          ? `CPU jobs on the io lane raised the io-consumer's event-loop delay p99 from ${formatMs(delayBefore)} to ${formatMs(delayAfter)} (${formatTimes(delayAfter / Math.max(delayBefore, 0.01))}).`
          : `CPU jobs on the io lane did not raise event-loop delay distinguishably (${formatMs(delayBefore)} → ${formatMs(delayAfter)}).`,
      );
    }
    const latencyBefore = taskP99(alone, 'io.sleep');
    const latencyAfter = taskP99(mixed, 'io.sleep');
    if (latencyBefore !== undefined && latencyAfter !== undefined) {
      findings.push(
        latencyAfter > latencyBefore * (1 + NOISE)
          ? `The io jobs beside them slowed: io.sleep p99 ${formatMs(latencyBefore)} → ${formatMs(latencyAfter)}.`
          : `The io jobs' p99 latency held (${formatMs(latencyBefore)} → ${formatMs(latencyAfter)}).`,
      );
    }
    const fixed = separate ? taskP99(separate, 'io.sleep') : undefined;
    if (fixed !== undefined)
      findings.push(
        `Routed to their own lane (worker threads), the same CPU jobs left io.sleep p99 at ${formatMs(fixed)}.`,
      );
  }
  findings.push(...autoRoutingFindings(results));
  const loop = findCell(results.cells, 'misrouting/io-on-event-loop');
  for (const [model, id] of [
    ['worker threads', 'misrouting/io-on-worker-threads'],
    ['processes', 'misrouting/io-on-processes'],
  ] as const) {
    const pool = findCell(results.cells, id);
    const loopRss = loop?.peakRssBytesPerReplica?.median;
    const poolRss = pool?.peakRssBytesPerReplica?.median;
    if (!loop || !pool || loopRss === undefined || poolRss === undefined) continue;
    const gain = pool.throughputPerSec.median / loop.throughputPerSec.median;
    const noGain = gain < 1 + NOISE;
    // A process pool's children are not in the consumer's RSS: count them instead of comparing memory.
    const cost =
      model === 'processes'
        ? `while running ${pool.perReplica} extra processes`
        : `for ${formatMiB(poolRss)} RSS against ${formatMiB(loopRss)}`;
    findings.push(
      `io jobs on ${pool.perReplica} ${model}: ${formatRate(pool.throughputPerSec.median)} (${formatTimes(gain)} the event loop's) ${cost}` +
        (noGain && (model === 'processes' || poolRss > loopRss) ? ' — resources spent for no gain.' : '.'),
    );
  }
  return findings.length ? { profile: 'misrouting', title: 'Misrouting', findings } : undefined;
}

function horizontalConclusion(results: LabResults): Conclusion | undefined {
  const findings: string[] = [];
  const seriesNames = [
    ...new Set(
      measured(results.cells)
        .filter((cell) => cell.experiment === 'horizontal')
        .map((cell) => cell.series),
    ),
  ];
  for (const name of seriesNames) {
    const series = seriesCells(results.cells, name);
    const first = series[0];
    const last = series[series.length - 1];
    if (!first || last === first) continue;
    const gain = last.throughputPerSec.median / first.throughputPerSec.median;
    const efficiency = gain / (last.replicas / first.replicas);
    const overlap = !distinguishable(first.throughputPerSec, last.throughputPerSec);
    findings.push(
      `${name}: ${first.replicas} → ${last.replicas} replicas gave ${formatTimes(gain)} (efficiency ${formatPercent(efficiency)})` +
        (overlap ? ', not distinguishable from one replica (the intervals overlap)' : '') +
        (results.machine.target === 'local' && last.replicas > results.machine.cores
          ? `; locally replicas share ${results.machine.cores} cores, so past that they add processes, not CPU.`
          : '.'),
    );
  }
  return findings.length ? { profile: 'horizontal', title: 'Horizontal (replicas)', findings } : undefined;
}

function redisConclusion(results: LabResults): Conclusion | undefined {
  const findings = redisFindings(results);
  return findings.length ? { profile: 'redis', title: 'One Redis or a cluster', findings } : undefined;
}

/** How far the numbers can be trusted: cells run on a busy machine, and cells whose interval stayed wide. */
function confidenceConclusion(results: LabResults): Conclusion | undefined {
  const cells = measured(results.cells);
  if (cells.length === 0) return undefined;
  const findings: string[] = [];
  const busy = cells.filter((cell) => cell.busy);
  const threshold = results.confidence.busyPercentOfCore;
  if (busy.length > 0) {
    findings.push(
      `**Busy machine**: ${busy.length} of ${cells.length} cells ran while other processes took more than ${threshold} % of one core (${busy
        .map((cell) => `${cell.id} ${cell.foreignCpuPercentOfCore?.toFixed(0)} %`)
        .join(', ')}); their numbers, and what is concluded from them, may not hold on a quiet machine.`,
    );
  } else if (cells.some((cell) => cell.foreignCpuPercentOfCore !== undefined)) {
    findings.push(`No cell ran on a busy machine (other processes stayed under ${threshold} % of one core).`);
  }
  const converged = cells.filter((cell) => cell.repeatsStoppedBy === 'converged');
  const level = formatPercent(results.confidence.level);
  const halfWidth = formatPercent(results.confidence.relativeHalfWidth);
  findings.push(
    converged.length === cells.length
      ? `Every cell's throughput median is known to ±${halfWidth} at ${level} confidence.`
      : `${converged.length} of ${cells.length} cells reached ±${halfWidth} at ${level} confidence; the others stopped at the cap of ${results.options.maxRepeat} repeats, so their intervals are wider (or, under 6 repeats, min–max at lower confidence). Where intervals overlap, the conclusions say "not distinguishable" instead of ranking.`,
  );
  return { profile: 'confidence', title: 'How far to trust these numbers', findings };
}

/** A short conclusion per profile, derived from comparisons of the measured numbers (never fixed prose). */
export function deriveConclusions(results: LabResults): Conclusion[] {
  return [
    confidenceConclusion(results),
    cpuConclusion(results),
    ioConclusion(results),
    misroutingConclusion(results),
    horizontalConclusion(results),
    redisConclusion(results),
  ].filter((conclusion): conclusion is Conclusion => conclusion !== undefined);
}
