import type { JobView } from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';
import type { AutoRoutingWarmUp } from '../plan';
import type { CellResult } from '../lab-results';
import { buildRequests, type RunContext } from './cell-measurement';

/** How long a warm-up may go on before the cell fails: `auto` never routed by measurement. */
const WARM_UP_TIMEOUT_MS = 60_000;
/**
 * Pause between rounds: the consumers send their measured ratios once a second, and the api reads them
 * at most once a second, so a round right after the last would still be routed by the declared profile.
 */
const ROUND_INTERVAL_MS = 1_000;

const unmeasuredTasks = (views: readonly JobView[]) => [
  ...new Set(views.filter((view) => view.routing.reason !== 'measured').map((view) => view.task)),
];

/**
 * Runs rounds of the warm-up's jobs, unmeasured, until every job of a round was routed by its task's
 * measured CPU ratio (`routing.reason: "measured"`), so the cell's repeats measure `auto` routing as it
 * runs once the api knows each task, not the declared profiles it falls back on before.
 * @throws when a warm-up job fails, or auto routing did not engage within a minute.
 */
export async function warmUpAutoRouting(
  warmUp: AutoRoutingWarmUp,
  context: RunContext,
): Promise<NonNullable<CellResult['warmUp']>> {
  let rounds = 0;
  let jobs = 0;
  let waitingFor: string[] = [];
  await pollUntil(
    async () => {
      const ids = await context.api.submitMany(buildRequests(warmUp.jobs, context), context.signal);
      const views = await context.api.waitUntilDrained(ids, {
        signal: context.signal,
        timeoutMs: context.timeoutMs,
      });
      rounds += 1;
      jobs += views.length;
      const failed = views.find((view) => view.state !== 'completed');
      if (failed) {
        throw new Error(
          `warm-up job ${failed.id} (${failed.task}) ended ${failed.state}: ${failed.error?.message ?? 'no error recorded'}`,
        );
      }
      waitingFor = unmeasuredTasks(views);
      return waitingFor.length === 0;
    },
    {
      timeoutMs: WARM_UP_TIMEOUT_MS,
      intervalMs: ROUND_INTERVAL_MS,
      signal: context.signal,
      onTimeout: () =>
        new Error(
          `profile "auto" still routed ${waitingFor.join(', ')} by the declared profile after ${rounds} warm-up rounds (${jobs} jobs, ${WARM_UP_TIMEOUT_MS / 1000} s): the api routes by measurement after AUTO_ROUTING_MIN_SAMPLES measured attempts of a task, which the consumers report once a second`,
        ),
    },
  );
  return { rounds, jobs };
}
