import { formatTable } from './format-table';
import type { RedisDelta } from './bench-redis';

/**
 * Redis commands per job of each side, by command (script calls and the commands the scripts ran, as
 * INFO commandstats counts them), with the server's time per job: where the round trips and the
 * server's work go. A script's (`evalsha`) or transaction's (`exec`) time includes the commands it ran,
 * so the times do not add up; the server's CPU per job is the total.
 */
export function formatRedisPerJob(sides: { subject: string; redis: RedisDelta; jobs: number }[]): string {
  const commands = [...new Set(sides.flatMap((side) => [...side.redis.calls.keys()]))];
  const perJob = (side: (typeof sides)[number], command: string) =>
    (side.redis.calls.get(command) ?? 0) / side.jobs;
  commands.sort((a, b) => perJob(sides[sides.length - 1], b) - perJob(sides[sides.length - 1], a));
  const usecPerJob = (side: (typeof sides)[number], command: string) =>
    (side.redis.usec.get(command) ?? 0) / side.jobs;
  const rows = commands
    .filter((command) =>
      sides.some((side) => perJob(side, command) >= 0.005 || usecPerJob(side, command) >= 0.5),
    )
    .map((command) => [
      command,
      ...sides.map((side) => perJob(side, command).toFixed(2)),
      ...sides.map((side) => usecPerJob(side, command).toFixed(1)),
    ]);
  rows.push([
    'all commands',
    ...sides.map((side) => (side.redis.totalCalls / side.jobs).toFixed(2)),
    ...sides.map(() => ''),
  ]);
  rows.push([
    'redis-server CPU µs per job',
    ...sides.map(() => ''),
    ...sides.map((side) => ((side.redis.cpuSeconds * 1e6) / side.jobs).toFixed(1)),
  ]);
  return formatTable(
    [
      'command',
      ...sides.map((side) => `${side.subject}: calls/job`),
      ...sides.map((side) => `${side.subject}: server µs/job`),
    ],
    rows,
  );
}
