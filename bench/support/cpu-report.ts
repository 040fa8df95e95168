import { spread } from '@switchyard/stats';
import { formatTable } from './format-table';
import type { QueueRun } from './queue-sides';

/**
 * CPU µs per job of each side's processes (median of its runs), and their sum: on a machine with few
 * cores the sum bounds the throughput, whichever process is the busiest. With the Redis commands per job.
 */
export function formatCpuPerJob(sides: { subject: string; runs: readonly QueueRun[] }[]): string {
  const rows = sides.map(({ subject, runs }) => {
    const roles = [...(runs[0]?.cpuMicrosPerJob.keys() ?? [])];
    const medians = roles.map((role) => spread(runs.map((run) => run.cpuMicrosPerJob.get(role) ?? 0)).median);
    const total = medians.reduce((sum, micros) => sum + micros, 0);
    const commands = spread(runs.map((run) => run.redis.totalCalls / run.jobs)).median;
    return [
      subject,
      roles.map((role, index) => `${role} ${medians[index].toFixed(0)}`).join(' · '),
      total.toFixed(0),
      commands.toFixed(1),
    ];
  });
  return formatTable(['side', 'CPU µs per job, by process', 'all processes', 'Redis commands/job'], rows);
}
