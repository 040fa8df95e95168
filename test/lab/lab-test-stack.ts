import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { deletePrefix } from '../helpers/redis-cleanup';

/**
 * The real apps a lab test drives: the api, one io-consumer and a compute with 2 worker threads, as OS
 * processes on a fresh key prefix. `stop` stops them and deletes the prefix's keys.
 */
export async function startLabTestStack(
  ioConcurrency: number,
  env: Record<string, string> = {},
): Promise<{ stack: LocalStack; stop: () => Promise<void> }> {
  const prefix = `test-${randomUUID()}`;
  const stack = await startLocalStack({
    prefix,
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: String(ioConcurrency) } },
      { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads', POOL_SIZE: '2' } },
    ],
    env: { LOG_LEVEL: 'warn', ...env },
  });
  return {
    stack,
    stop: async () => {
      await stack.stop();
      await deletePrefix(stack.redisUrl, prefix);
    },
  };
}
