import {
  cellAtMost,
  findCell,
  formatMiB,
  formatMs,
  formatRate,
  formatTimes,
  measured,
  peak,
  seriesCells,
} from './cell-queries';
import type { CellResult, LabResults } from '../lab-results';

export const COMPARISON_COLUMNS = ['Event loop', 'Worker threads', 'Processes', 'Pods (replicas)'] as const;

export interface ComparisonRow {
  aspect: string;
  /** One entry per column of COMPARISON_COLUMNS. */
  cells: string[];
}

const NOT_MEASURED = 'not measured in this run';

/** Throughput gain from the first to the last of some cells (fewest to most workers). */
function gainAcross(cells: readonly CellResult[], by: 'workers' | 'replicas' = 'workers'): string {
  const first = cells[0];
  const last = cells[cells.length - 1];
  if (!first || !last || last === first) return NOT_MEASURED;
  const gain = last.throughputPerSec.median / first.throughputPerSec.median;
  const count = (cell: CellResult) =>
    by === 'replicas' ? `${cell.replicas} replicas` : String(cell.workers);
  return `${formatTimes(gain)} with ${count(last)} vs ${count(first)} (${formatRate(last.throughputPerSec.median)})`;
}

/** A CPU series on one replica, from 1 worker up to the core count. */
function upToCores(results: LabResults, series: string): CellResult[] {
  const cells = seriesCells(results.cells, series).filter((cell) => cell.replicas === 1);
  const atCores = cellAtMost(cells, results.machine.cores);
  return atCores ? cells.slice(0, cells.indexOf(atCores) + 1) : [];
}

/** io.sleep cells at one concurrency across replica counts (local), or a cluster's io-consumer series. */
function ioAcrossReplicas(results: LabResults): CellResult[] {
  const kube = measured(results.cells).find((cell) => cell.model === 'pods' && cell.task === 'io.sleep');
  if (kube) return seriesCells(results.cells, kube.series);
  const io = seriesCells(results.cells, 'io.sleep');
  const concurrency = Math.max(0, ...io.map((cell) => cell.perReplica));
  return io.filter((cell) => cell.perReplica === concurrency).sort((a, b) => a.replicas - b.replicas);
}

function rss(cell: CellResult | undefined): string {
  const value = cell?.peakRssBytesPerReplica?.median;
  return value === undefined ? NOT_MEASURED : `${formatMiB(value)} RSS per replica`;
}

function delay(cell: CellResult | undefined): string {
  const value = cell?.eventLoopDelayP99Ms?.median;
  return value === undefined ? NOT_MEASURED : `event-loop delay p99 ${formatMs(value)}`;
}

/**
 * The classic comparison (execution, context switching, CPU-bound, I/O-bound, scalability,
 * complexity) with each model's measured numbers beside the textbook property.
 */
export function buildComparisonTable(results: LabResults): ComparisonRow[] {
  const cores = results.machine.cores;
  const io = seriesCells(results.cells, 'io.sleep').filter((cell) => cell.replicas === 1);
  const ioPeak = peak(io);
  const threadsAtCores = cellAtMost(seriesCells(results.cells, 'cpu/worker-threads'), cores);
  const processesAtCores = cellAtMost(seriesCells(results.cells, 'cpu/processes'), cores);
  const inlineAtCores = cellAtMost(seriesCells(results.cells, 'cpu/inline'), cores);
  const horizontal = measured(results.cells).filter((cell) => cell.model === 'pods');
  const cpuPods = horizontal.find((cell) => cell.task !== 'io.sleep');
  const blocked = findCell(results.cells, 'misrouting/cpu-on-io-lane');
  const ioOnThreads = findCell(results.cells, 'misrouting/io-on-worker-threads');
  const ioOnProcesses = findCell(results.cells, 'misrouting/io-on-processes');
  const biggestReplicaSet = horizontal.reduce<CellResult | undefined>(
    (best, cell) => (!best || cell.replicas > best.replicas ? cell : best),
    undefined,
  );
  return [
    {
      aspect: 'Execution',
      cells: [
        `one thread; jobs interleave at each await — ${ioPeak ? `${ioPeak.perReplica} io jobs in flight on one thread` : NOT_MEASURED}`,
        'one V8 isolate and event loop per thread, inside one process',
        'one OS process per pool slot, messages over IPC',
        `one process per replica${results.machine.target === 'kubernetes' ? ', pods across nodes' : ' (locally: OS processes of the real app)'}`,
      ],
    },
    {
      aspect: 'Context switching',
      cells: [
        `cooperative, none between awaits — ${delay(ioPeak)}${blocked?.eventLoopDelayP99Ms ? `; ${formatMs(blocked.eventLoopDelayP99Ms.median)} when CPU jobs block it` : ''}`,
        `OS-scheduled threads — consumer ${delay(threadsAtCores)}`,
        `OS-scheduled processes — consumer ${delay(processesAtCores)}`,
        'OS and Kubernetes scheduler',
      ],
    },
    {
      aspect: 'CPU-bound',
      cells: [
        `inline: ${gainAcross(upToCores(results, 'cpu/inline'))}`,
        gainAcross(upToCores(results, 'cpu/worker-threads')),
        gainAcross(upToCores(results, 'cpu/processes')),
        cpuPods ? gainAcross(seriesCells(results.cells, cpuPods.series), 'replicas') : NOT_MEASURED,
      ],
    },
    {
      aspect: 'I/O-bound',
      cells: [
        ioPeak && io[0]
          ? `${formatRate(ioPeak.throughputPerSec.median)} at concurrency ${ioPeak.perReplica} (${formatTimes(ioPeak.throughputPerSec.median / io[0].throughputPerSec.median)} concurrency 1)`
          : NOT_MEASURED,
        ioOnThreads
          ? `${formatRate(ioOnThreads.throughputPerSec.median)} with ${ioOnThreads.perReplica} threads, ${rss(ioOnThreads)}`
          : NOT_MEASURED,
        ioOnProcesses
          ? `${formatRate(ioOnProcesses.throughputPerSec.median)} with ${ioOnProcesses.perReplica} processes`
          : NOT_MEASURED,
        gainAcross(ioAcrossReplicas(results), 'replicas'),
      ],
    },
    {
      aspect: 'Scalability',
      cells: [
        `one core per process${inlineAtCores ? `; CPU work stays at ${formatRate(inlineAtCores.throughputPerSec.median)} whatever the pool` : ''}`,
        `up to the core count (${cores} here)${threadsAtCores?.efficiency !== undefined ? `; efficiency ${(100 * threadsAtCores.efficiency).toFixed(0)} % at ${threadsAtCores.workers}` : ''}`,
        `up to the core count (${cores} here)${processesAtCores?.efficiency !== undefined ? `; efficiency ${(100 * processesAtCores.efficiency).toFixed(0)} % at ${processesAtCores.workers}` : ''}`,
        `across nodes${biggestReplicaSet?.efficiency !== undefined ? `; efficiency ${(100 * biggestReplicaSet.efficiency).toFixed(0)} % at ${biggestReplicaSet.replicas} replicas` : ''}`,
      ],
    },
    {
      aspect: 'Complexity & memory',
      cells: [
        `lowest: async/await, no shared-state hazards; ${rss(ioPeak)}`,
        `moderate: message passing, structured clone of payloads; ${rss(threadsAtCores)}`,
        `higher: serialization over IPC, child supervision; ${rss(processesAtCores)} (parent only)`,
        'highest: images, orchestration, a network hop per job; memory × replicas',
      ],
    },
  ];
}
