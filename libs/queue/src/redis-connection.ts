import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';

/**
 * - `worker`: BullMQ workers and subscribers must never give up on a command
 *   (`maxRetriesPerRequest: null`), or a Redis restart kills consumption.
 * - `client`: the api fails fast while Redis is away, so a request gets a 503 at once instead of
 *   waiting for reconnection attempts. Once the connection has been ready, commands sent while it is
 *   down are rejected at once ("Stream isn't writeable and enableOfflineQueue options is false");
 *   commands in flight when it drops fail after two reconnection attempts (MaxRetriesPerRequestError,
 *   within about 0.6 s). Before the first connection, commands wait in the offline queue as usual, so
 *   BullMQ queues created at start-up can initialise. No `commandTimeout`: a big atomic batch may
 *   legitimately take over a second, and a write that times out on this side may still be applied.
 */
export type RedisRole = 'worker' | 'client';

export function createRedis(url: string, role: RedisRole, connectionName?: string): Redis {
  const redis = new Redis(url, {
    connectionName,
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  if (role === 'client') {
    // ioredis reads the option on every command. A `duplicate()` made after this inherits it: pass
    // `{ enableOfflineQueue: true }` to it if its first commands may be sent before it connects.
    redis.once('ready', () => {
      redis.options.enableOfflineQueue = false;
    });
  }
  return redis;
}

/**
 * Closes a connection politely (QUIT) when Redis answers within `timeoutMs`, else drops it. Never hangs:
 * a QUIT queued while Redis is away would wait for it forever. Resolves true when QUIT was answered.
 */
export async function closeRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'end') return true;
  const quit = redis.quit().then(
    () => true,
    () => false,
  );
  const answered = await Promise.race([quit, delay(timeoutMs, false, { ref: false })]);
  // Also when QUIT failed: dropping clears a pending reconnection timer, which would keep the process up.
  if (!answered) redis.disconnect();
  return answered;
}
