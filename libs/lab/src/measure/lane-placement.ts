import { Cluster } from 'ioredis';
import { closeRedis, createRedis } from '@switchyard/queue';
import type { LanePlacement } from '../lab-results';
import { countKeysPerNode, prefixPattern } from './run-keys';

export interface LanePlacementQuery {
  redisUrl: string;
  mode: 'standalone' | 'cluster';
  prefix: string;
  lanes: readonly string[];
  /** A cluster's masters as `redis://host:port`, in slot order: names each master by its index. */
  masterUrls?: readonly string[];
}

/**
 * Where each lane's keys (`<prefix>:{<lane>}:…`) are, found by SCAN on every master (the one Redis when
 * standalone): the node holding most of them, how many, and on a cluster the lane's hash slot. Read
 * from the keys themselves rather than computed from the slot map, so it shows what happened.
 */
export async function readLanePlacement(query: LanePlacementQuery): Promise<LanePlacement[]> {
  const redis = createRedis(query.redisUrl, 'client', 'switchyard-lab-placement', query.mode);
  try {
    await redis.ping();
    const placements: LanePlacement[] = [];
    for (const lane of query.lanes) {
      const counts = await countKeysPerNode(redis, prefixPattern(`${query.prefix}:{${lane}}`));
      const [node, keys] = [...counts.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
      const master = query.masterUrls?.indexOf(`redis://${node}`);
      placements.push({
        lane,
        node,
        keys,
        ...(master !== undefined && master >= 0 ? { master } : {}),
        ...(redis instanceof Cluster ? { slot: Number(await redis.cluster('KEYSLOT', lane)) } : {}),
      });
    }
    return placements;
  } finally {
    await closeRedis(redis, 2_000);
  }
}
