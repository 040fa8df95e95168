/** The raw-library baseline: piscina calling the same task handler with nothing of Switchyard around it. */
import { createTaskCatalog } from '@switchyard/tasks';

const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
const never = new AbortController().signal;

export default function runPrimes(payload: { limit: number }): Promise<unknown> {
  return catalog.get('cpu.primes').handler(payload, { signal: never, progress: () => undefined });
}
