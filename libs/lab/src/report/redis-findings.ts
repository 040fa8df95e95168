import type { CellResult, LabResults, LanePlacement } from '../lab-results';
import { distinguishable, findCell, formatRate, formatTimes, withInterval } from './cell-queries';

function placementText(placements: readonly LanePlacement[]): string {
  return placements
    .map(
      (entry) =>
        `${entry.lane} → ${entry.master === undefined ? entry.node : `master ${entry.master + 1}`}` +
        `${entry.slot === undefined ? '' : ` (slot ${entry.slot})`}, ${entry.keys} keys`,
    )
    .join('; ');
}

const cpuText = (cell: CellResult) =>
  cell.cpuPercent ? `, machine CPU ${cell.cpuPercent.median.toFixed(0)} %` : '';

/** One Redis's share of a core below which it was not what limited the cell (it runs commands on one thread). */
const REDIS_LIMIT_PERCENT = 70;

const redisCpu = (cell: CellResult) => cell.redisCpuPercentOfCore?.median;

/**
 * The redis experiment: the same lanes on one Redis and on a 3-master cluster. Ranks the two only when
 * their intervals do not overlap, says where the cluster put each lane, and why a cluster on the same
 * cores as everything else is not expected to gain.
 */
export function redisFindings(results: LabResults): string[] {
  const standalone = findCell(results.cells, 'redis/standalone');
  const cluster = findCell(results.cells, 'redis/cluster');
  if (!standalone || !cluster) return [];
  const findings: string[] = [];
  const ratio = cluster.throughputPerSec.median / standalone.throughputPerSec.median;
  const both = `one Redis ${withInterval(standalone.throughputPerSec, formatRate)}${cpuText(standalone)}; a 3-master cluster ${withInterval(cluster.throughputPerSec, formatRate)}${cpuText(cluster)}`;
  findings.push(
    !distinguishable(standalone.throughputPerSec, cluster.throughputPerSec)
      ? `The same ${standalone.replicas} lanes' jobs were **not distinguishable** on one Redis and on a cluster (${both}: the intervals overlap, ${formatTimes(ratio)}).`
      : ratio > 1
        ? `The cluster carried more: ${both} (${formatTimes(ratio)}).`
        : `The cluster carried less: ${both} (${formatTimes(ratio)}).`,
  );
  const placed = cluster.lanePlacement ?? [];
  if (placed.length > 0) {
    const nodes = new Set(placed.map((entry) => entry.node)).size;
    findings.push(
      `On the cluster each lane's keys stayed on one master: ${placementText(placed)} — ${placed.length} lanes on ${nodes} master(s).`,
    );
  }
  const oneRedis = redisCpu(standalone);
  const masters = redisCpu(cluster);
  if (oneRedis !== undefined && masters !== undefined) {
    findings.push(
      `Redis itself took ${oneRedis.toFixed(0)} % of a core as one server (its commands run on one thread: near 100 % it is the limit) and ${masters.toFixed(0)} % summed over the cluster's masters` +
        (oneRedis < REDIS_LIMIT_PERCENT
          ? `: one Redis was not the limit here, the api and the consumers were, so the cluster had no Redis load to spread.`
          : '.'),
    );
  }
  const busy = [standalone, cluster].filter((cell) => cell.busy);
  if (busy.length > 0) {
    findings.push(
      `${busy.map((cell) => cell.id).join(' and ')} ran on a busy machine: other processes took CPU, so the comparison may not hold on a quiet one.`,
    );
  }
  if (results.machine.target === 'local') {
    findings.push(
      `What this measures: the same jobs on ${standalone.replicas} lanes, each cell on a fresh private Redis (one redis-server, or 3 masters) with its own api, on this machine's ${results.machine.cores} cores, which the api, the consumers and every redis-server share. A cluster can only add CPU to Redis where one server's single thread is the limit and a core is left for the other masters; here they compete with the apps for the same cores, so this is no measure of a cluster's capacity on hosts of its own — read it as what the cluster costs or gives on one small machine.`,
    );
  }
  return findings;
}
