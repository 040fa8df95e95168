import type { JobRequest, SwitchyardClient } from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import { DEMO_CPU_LANES } from './demo-stack';

export interface DemoOptions {
  /** Concurrent `io.sleep` jobs: they interleave on one event loop. @defaultValue 200 */
  sleepJobs?: number;
  /** @defaultValue 500 */
  sleepMs?: number;
  /** `io.http` jobs against the local delay server. @defaultValue 50 */
  httpJobs?: number;
  /** `cpu.primes {limit: 1e6}` jobs per execution model. @defaultValue 6 */
  cpuJobsPerModel?: number;
  /** Base URL of a local delay server for `io.http`. */
  delayServerUrl: string;
  onProgress?: (finished: number, total: number) => void;
}

export const PRIMES_BELOW_A_MILLION = 78_498;

/**
 * Submits the mixed workload over REST, one phase at a time so that each model is seen on its own
 * (on a 2-core machine, CPU jobs running beside the sleeps would slow the consumers down), and
 * waits for every job.
 */
export async function runDemoWorkload(client: SwitchyardClient, options: DemoOptions): Promise<JobView[]> {
  const sleepMs = options.sleepMs ?? 500;
  const phases: JobRequest[][] = [
    Array.from({ length: options.sleepJobs ?? 200 }, () => ({ task: 'io.sleep', payload: { ms: sleepMs } })),
    Array.from({ length: options.httpJobs ?? 50 }, () => ({
      task: 'io.http',
      payload: { url: `${options.delayServerUrl}?ms=100`, method: 'GET' },
    })),
    ...Object.values(DEMO_CPU_LANES).map((lane) =>
      Array.from({ length: options.cpuJobsPerModel ?? 6 }, () => ({
        task: 'cpu.primes',
        payload: { limit: 1_000_000 },
        lane,
      })),
    ),
  ];
  const total = phases.reduce((sum, phase) => sum + phase.length, 0);
  const views: JobView[] = [];
  for (const phase of phases) {
    const ids = await client.submitMany(phase);
    const done = views.length;
    // The demo's stack runs only these jobs: wait on the lane counts, not on each job.
    views.push(
      ...(await client.waitUntilDrained(ids, {
        timeoutMs: 180_000,
        onProgress: (finished) => options.onProgress?.(done + finished, total),
      })),
    );
  }
  return views;
}

/** The claims the demo exists to show, checked against what ran. */
export function demoFindings(views: JobView[], sleepMs = 500): string[] {
  const findings: string[] = [];
  const sleeps = views.filter((view) => view.task === 'io.sleep' && view.state === 'completed');
  if (sleeps.length > 0) {
    const wall =
      Math.max(...sleeps.map((view) => Date.parse(view.finishedAt ?? ''))) -
      Math.min(...sleeps.map((view) => Date.parse(view.startedAt ?? '')));
    const loops = new Set(sleeps.map((view) => `${view.execution?.pid}/${view.execution?.threadId}`)).size;
    findings.push(
      `${sleeps.length} × io.sleep(${sleepMs} ms) ran in ${wall} ms on ${loops} event loop(s): ${(wall / sleepMs).toFixed(2)} sleeps' time, not ${sleeps.length} (${((sleeps.length * sleepMs) / wall).toFixed(0)}× overlap)`,
    );
  }
  for (const model of Object.keys(DEMO_CPU_LANES)) {
    const primes = views.filter((view) => view.task === 'cpu.primes' && view.execution?.model === model);
    if (primes.length === 0) continue;
    const right = primes.filter(
      (view) => (view.result as { count?: number } | undefined)?.count === PRIMES_BELOW_A_MILLION,
    ).length;
    const sample = primes[0].execution;
    findings.push(
      `cpu.primes(1e6) under ${model}: ${right}/${primes.length} returned ${PRIMES_BELOW_A_MILLION}; e.g. pid ${sample?.pid}, thread ${sample?.threadId}`,
    );
  }
  return findings;
}
