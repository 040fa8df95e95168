import { Redis } from 'ioredis';

/**
 * - `worker`: BullMQ workers and subscribers must never give up on a command
 *   (`maxRetriesPerRequest: null`), or a Redis restart kills consumption.
 * - `client`: the api gives up on a command after a couple of reconnection attempts, so a request
 *   gets a 503 instead of hanging while Redis is away.
 */
export type RedisRole = 'worker' | 'client';

export function createRedis(url: string, role: RedisRole, connectionName?: string): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}
