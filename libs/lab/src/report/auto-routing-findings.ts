import {
  distinguishable,
  findCell,
  formatMs,
  routedJobsOf,
  taskP99Spread,
  withInterval,
} from './cell-queries';
import type { CellResult, LabResults, Spread } from '../lab-results';

/** The ratio as the job views carry it (rounded to 0.001 by the api). */
const formatRatio = (ratio: number) => ratio.toFixed(3);

/** Where `auto` sent each task: `**io.sleep** → io lane for 600 of 600 jobs (measured, CPU ratio 0.012)`. */
function routingFinding(auto: CellResult): string | undefined {
  const routed = routedJobsOf(auto);
  if (routed.length === 0) return undefined;
  const tasks = [...new Set(routed.map((entry) => entry.task))];
  const perTask = tasks.map((task) => {
    const entries = routed.filter((entry) => entry.task === task).sort((a, b) => b.jobs - a.jobs);
    const total = entries.reduce((sum, entry) => sum + entry.jobs, 0);
    const where = entries.map(
      (entry) =>
        `${entry.lane} lane for ${entry.jobs} of ${total} jobs (${entry.reason}` +
        (entry.cpuRatio !== undefined ? `, CPU ratio ${formatRatio(entry.cpuRatio)})` : ')'),
    );
    return `**${task}** → ${where.join(', ')}`;
  });
  const warmUp = auto.warmUp
    ? ` after a warm-up of ${auto.warmUp.rounds} round(s) (${auto.warmUp.jobs} jobs)`
    : '';
  return `Submitted with \`profile: "auto"\`${warmUp}, the api sent ${perTask.join('; ')}.`;
}

/** `not distinguishable from correct routing (24.0 ms [20.1–30.2])`, or below / above it. */
function against(value: Spread, other: Spread, name: string): string {
  const shown = `${name} (${withInterval(other, formatMs)})`;
  if (!distinguishable(value, other)) return `not distinguishable from ${shown}`;
  return `${value.median < other.median ? 'below' : 'above'} ${shown}`;
}

/** One metric of the auto cell against the correctly routed and the misrouted cell, where measured. */
function metricFinding(
  subject: string,
  auto: Spread | undefined,
  correct: Spread | undefined,
  misrouted: Spread | undefined,
): string | undefined {
  if (!auto || (!correct && !misrouted)) return undefined;
  const comparisons = [
    ...(correct ? [against(auto, correct, 'routing by hand to their own lane')] : []),
    ...(misrouted ? [against(auto, misrouted, 'the misrouted case')] : []),
  ];
  const atCorrectLevel = correct !== undefined && !distinguishable(auto, correct);
  const apartFromMisrouted = misrouted !== undefined && distinguishable(auto, misrouted);
  const verdict =
    atCorrectLevel && apartFromMisrouted && auto.median < (misrouted?.median ?? 0)
      ? ': `auto` kept it at the level of correct routing'
      : atCorrectLevel && misrouted && !apartFromMisrouted
        ? ': this run cannot tell `auto` from either'
        : '';
  return `With \`auto\`, ${subject} was ${withInterval(auto, formatMs)}: ${comparisons.join(', and ')}${verdict}.`;
}

/**
 * The auto-routing cell against the same workload routed by hand (CPU jobs on their own lane) and
 * misrouted (CPU jobs on the io lane): where `auto` sent each task, and whether the io-consumer's
 * event-loop delay p99 and io.sleep p99 stayed at the correct routing's level, as far as the intervals say.
 */
export function autoRoutingFindings(results: LabResults): string[] {
  const auto = findCell(results.cells, 'misrouting/auto');
  if (!auto) return [];
  const correct = findCell(results.cells, 'misrouting/cpu-on-cpu-lane');
  const misrouted = findCell(results.cells, 'misrouting/cpu-on-io-lane');
  return [
    routingFinding(auto),
    metricFinding(
      "the io-consumer's event-loop delay p99",
      auto.eventLoopDelayP99Ms,
      correct?.eventLoopDelayP99Ms,
      misrouted?.eventLoopDelayP99Ms,
    ),
    metricFinding(
      'io.sleep p99',
      taskP99Spread(auto, 'io.sleep'),
      correct && taskP99Spread(correct, 'io.sleep'),
      misrouted && taskP99Spread(misrouted, 'io.sleep'),
    ),
  ].filter((finding): finding is string => finding !== undefined);
}
