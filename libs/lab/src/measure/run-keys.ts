import { Cluster, Redis } from 'ioredis';
import { closeRedis, createRedis } from '@switchyard/queue';

/** A key prefix as a SCAN pattern that matches it literally (glob characters escaped). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}:*`;
}

/** SCAN one node for the prefix's keys and UNLINK them (freed in the background); the count removed. */
async function unlinkOnNode(node: Redis, pattern: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    // One UNLINK per key, pipelined: on a cluster node the keys of one page lie in different slots.
    const replies =
      (await keys.reduce((pipeline, key) => pipeline.unlink(key), node.pipeline()).exec()) ?? [];
    removed += replies.filter(([error, count]) => !error && count === 1).length;
  } while (cursor !== '0');
  return removed;
}

/** How many of the prefix's keys each node holds. */
export async function countKeysPerNode(
  redis: Redis | Cluster,
  pattern: string,
): Promise<Map<string, number>> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const counts = new Map<string, number>();
  for (const node of nodes) {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    counts.set(`${node.options.host}:${node.options.port}`, count);
  }
  return counts;
}

/**
 * Deletes every key under a lab run's prefix (`SCAN MATCH <prefix>:*` + `UNLINK`) on the Redis at
 * `redisUrl`, on each master of a cluster: the jobs a run leaves behind would otherwise stay in a
 * shared Redis (thousands per quick run) until their retention or forever. Returns the count removed.
 */
export async function deleteRunKeys(
  redisUrl: string,
  prefix: string,
  mode: 'standalone' | 'cluster' = 'standalone',
): Promise<number> {
  const redis = createRedis(redisUrl, 'client', 'switchyard-lab-cleanup', mode);
  try {
    if (redis instanceof Cluster) {
      // Answered once the slot map is known, which listing the masters needs.
      await redis.ping();
      let removed = 0;
      for (const node of redis.nodes('master')) removed += await unlinkOnNode(node, prefixPattern(prefix));
      return removed;
    }
    return await unlinkOnNode(redis, prefixPattern(prefix));
  } finally {
    await closeRedis(redis, 2_000);
  }
}
