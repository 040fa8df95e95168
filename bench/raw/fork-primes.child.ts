/**
 * The raw-library baseline of the processes executor: a forked child that answers each IPC message
 * `{ payload }` with `{ result }`, calling the same task handler with nothing of Switchyard around it.
 */
import { createTaskCatalog } from '@switchyard/tasks';

const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
const never = new AbortController().signal;
const primes = catalog.get('cpu.primes').handler;

process.on('message', (message: { payload: { limit: number } }) => {
  void primes(message.payload, { signal: never, progress: () => undefined }).then((result) =>
    process.send?.({ result }),
  );
});
process.on('disconnect', () => process.exit(0));
