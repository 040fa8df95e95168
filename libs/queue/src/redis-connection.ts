import { setTimeout as delay } from 'node:timers/promises';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

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

/**
 * `standalone`: REDIS_URL is one Redis. `cluster`: REDIS_URL lists seed nodes of a Redis Cluster (or
 * Valkey cluster), comma-separated; the client learns the other nodes and the slot map from them.
 */
export type RedisMode = 'standalone' | 'cluster';

/** What Switchyard talks to: one Redis, or a Redis Cluster (every lane's keys in one slot). */
export type RedisConnection = Redis | Cluster;

const reconnectDelay = (times: number) => Math.min(times * 200, 2_000);

export function createRedis(
  url: string,
  role: RedisRole,
  connectionName?: string,
  mode?: 'standalone',
): Redis;
export function createRedis(
  url: string,
  role: RedisRole,
  connectionName: string | undefined,
  mode: RedisMode,
): RedisConnection;
export function createRedis(
  url: string,
  role: RedisRole,
  connectionName?: string,
  mode: RedisMode = 'standalone',
): RedisConnection {
  const maxRetriesPerRequest = role === 'worker' ? null : 2;
  const redis =
    mode === 'cluster'
      ? createCluster(url, { connectionName, maxRetriesPerRequest })
      : new Redis(url, { connectionName, maxRetriesPerRequest, retryStrategy: reconnectDelay });
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
 * An ioredis Cluster over the seed URLs (`redis://` or `rediss://`, comma-separated). Credentials and
 * TLS come from the first seed that has them and apply to every node the cluster reveals, as a
 * cluster's nodes share them. It reconnects forever; `maxRetriesPerRequest` applies per node.
 */
function createCluster(seeds: string, options: RedisOptions): Cluster {
  const urls = parseSeedUrls(seeds);
  const withCredentials = urls.find((url) => url.password || url.username);
  const tls = urls.some((url) => url.protocol === 'rediss:');
  return new Cluster(
    // An IPv6 literal comes bracketed in a URL, bare in a socket address.
    urls.map((url) => ({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) })),
    {
      clusterRetryStrategy: reconnectDelay,
      redisOptions: {
        ...options,
        username: withCredentials?.username ? decodeURIComponent(withCredentials.username) : undefined,
        password: withCredentials?.password ? decodeURIComponent(withCredentials.password) : undefined,
        tls: tls ? {} : undefined,
      },
    },
  );
}

/** The URLs of a comma-separated REDIS_URL (one in standalone mode). @throws TypeError for one that is not a URL */
function parseSeedUrls(value: string): URL[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => new URL(entry));
}

/** A new connection with the same options (a subscriber, say): `duplicate()` of either kind. */
export function duplicateRedis(redis: RedisConnection): RedisConnection {
  return redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
}

/**
 * Closes a connection politely (QUIT) when Redis answers within `timeoutMs`, else drops it. Never hangs:
 * a QUIT queued while Redis is away would wait for it forever. Resolves true when QUIT was answered.
 */
export async function closeRedis(redis: RedisConnection, timeoutMs: number): Promise<boolean> {
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
