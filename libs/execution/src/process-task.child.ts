/**
 * Entry of every pool child process (forked by ChildProcessPool from this file's compiled location).
 * Runs one task at a time for its parent; `process.exit` here ends only this child.
 */
import { createTaskCatalog } from '@switchyard/tasks';
import type { ChildMessage, ChildRunMessage, ChildSettings } from './child-messages';
import { ownCpuMeter } from './cpu-meter';
import { runRemoteTask } from './remote-run';
import type { TaskRunner } from './run-task';

const settings = JSON.parse(process.argv[2] ?? '{}') as ChildSettings;
const runner: TaskRunner = {
  catalog: createTaskCatalog({ ...settings.catalog, allowProcessExit: true }),
  model: 'processes',
  progressIntervalMs: settings.progressIntervalMs,
  cpuMeter: ownCpuMeter(),
};

/**
 * Without setpriv (see child-launch.ts) nothing kills this child when its parent dies. An idle child hears
 * it ('disconnect' below); a busy one cannot until its task yields, but it reports progress between
 * chunks, and `process.ppid` is read from the kernel on every access: once the parent is gone, this
 * child has been adopted by another process, so it exits there.
 */
const parentPid = process.ppid;

function send(message: ChildMessage): void {
  if (process.ppid !== parentPid) process.exit(0);
  process.send?.(message);
}

// The parent owns this child's lifetime (it kills it on cancel, timeout and close): a Ctrl-C or SIGTERM
// meant for the consumer's process group must not kill a job the consumer is still draining.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
// Orphaned (the parent died): nothing left to report to.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ChildRunMessage) => {
  if (message.type !== 'run') return;
  void runRemoteTask(runner, message.attempt, send).then((reply) => send({ type: 'reply', reply }));
});

send({ type: 'ready' });
