import path from 'node:path';
import {
  startLocalStack,
  startRedisCluster,
  type LocalStack,
  type RedisClusterHandle,
} from '@switchyard/local-stack';
import type { CellSpec, ConsumerShape } from '../plan';
import { localRedisPids } from '../measure';

/** The consumers of one cell shape, with their own api and private cluster for the redis experiment's cells. */
export interface CellStack {
  key: string;
  stack: LocalStack;
  /** The cell's own api (cells with `redis` set); else the run's shared api serves the cell. */
  apiUrl?: string;
  /** The private Redis Cluster of a `redis: 'cluster'` cell, stopped with the stack. */
  cluster?: RedisClusterHandle;
  /** Its redis-server nodes' pids: their CPU is the stack's own. */
  clusterPids: number[];
}

export interface CellStackOptions {
  /** The run's Redis and key prefix (the shared api's). */
  redisUrl: string;
  redisMode: 'standalone' | 'cluster';
  prefix: string;
  env: Record<string, string>;
  logDir?: string;
}

/** What decides whether the next cell can reuse the running consumers. */
export function cellStackKey(cell: Pick<CellSpec, 'consumers' | 'redis'>): string {
  return JSON.stringify({ consumers: cell.consumers, redis: cell.redis ?? null });
}

const service = (shape: ConsumerShape) => ({
  name: shape.env.LANE ? `${shape.app}-${shape.env.LANE}` : shape.app,
  app: shape.app,
  env: shape.env,
  replicas: shape.replicas,
});

/**
 * Starts a cell's consumers on the run's Redis and prefix. A cell with `redis` set gets an api of its
 * own in the same stack, so that api knows the cell's lanes (LANES is made from the stack's
 * consumers); with `redis: 'cluster'` that stack runs on a private 3-master Redis Cluster started here.
 */
export async function startCellStack(cell: CellSpec, options: CellStackOptions): Promise<CellStack> {
  const cluster = cell.redis === 'cluster' ? await startRedisCluster() : undefined;
  try {
    const stack = await startLocalStack({
      redisUrl: cluster?.seeds ?? options.redisUrl,
      redisMode: cluster ? 'cluster' : options.redisMode,
      prefix: options.prefix,
      services: [
        ...(cell.redis ? [{ name: 'api', app: 'api' as const }] : []),
        ...cell.consumers.map(service),
      ],
      env: options.env,
      // Its own directory: the cell's api would otherwise write over the shared api's log.
      logDir:
        options.logDir && cell.redis ? path.join(options.logDir, cell.id.replace(/\//g, '-')) : options.logDir,
    });
    return {
      key: cellStackKey(cell),
      stack,
      ...(cell.redis ? { apiUrl: stack.apiUrl } : {}),
      ...(cluster ? { cluster } : {}),
      clusterPids: cluster ? await localRedisPids(cluster.seeds, 'cluster') : [],
    };
  } catch (error) {
    await cluster?.stop();
    throw error;
  }
}

export async function stopCellStack(cellStack: CellStack | undefined): Promise<void> {
  try {
    await cellStack?.stack.stop();
  } finally {
    await cellStack?.cluster?.stop();
  }
}
