import path from 'node:path';
import {
  ensureRedis,
  freePort,
  startLocalStack,
  startRedisCluster,
  type LocalStack,
  type RedisHandle,
} from '@switchyard/local-stack';
import type { CellSpec, ConsumerShape } from '../plan';
import { localRedisPids } from '../measure';

/** The consumers of one cell shape, with their own api and private cluster for the redis experiment's cells. */
export interface CellStack {
  key: string;
  stack: LocalStack;
  /** The cell's own api (cells with `redis` set); else the run's shared api serves the cell. */
  apiUrl?: string;
  /** The private Redis of a cell with `redis` set (one server, or a cluster's seeds), stopped with the stack. */
  redis?: { url: string; mode: 'standalone' | 'cluster'; masterUrls?: string[]; stop(): Promise<void> };
  /** Its redis-server pids: their CPU is the stack's own, and is reported on its own. */
  redisPids: number[];
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
 * A fresh Redis for a cell of the redis experiment, started here either way so both cells start equal:
 * empty, unpersisted, serving no one else (the run's Redis may be shared and busy with others' keys).
 */
async function startCellRedis(kind: 'standalone' | 'cluster'): Promise<NonNullable<CellStack['redis']>> {
  if (kind === 'cluster') {
    const cluster = await startRedisCluster();
    return { url: cluster.seeds, mode: 'cluster', masterUrls: cluster.nodeUrls, stop: cluster.stop };
  }
  // ensureRedis starts a private redis-server when nothing answers: nothing does on a port just found free.
  const server: RedisHandle = await ensureRedis(`redis://127.0.0.1:${await freePort()}`);
  return { url: server.url, mode: 'standalone', stop: server.stop };
}

/**
 * Starts a cell's consumers on the run's Redis and prefix. A cell with `redis` set gets an api of its
 * own in the same stack, so that api knows the cell's lanes (LANES is made from the stack's
 * consumers), on a private Redis of the cell's kind: one redis-server, or a 3-master Redis Cluster.
 */
export async function startCellStack(cell: CellSpec, options: CellStackOptions): Promise<CellStack> {
  const redis = cell.redis ? await startCellRedis(cell.redis) : undefined;
  try {
    const stack = await startLocalStack({
      redisUrl: redis?.url ?? options.redisUrl,
      redisMode: redis?.mode ?? options.redisMode,
      prefix: options.prefix,
      services: [
        ...(cell.redis ? [{ name: 'api', app: 'api' as const }] : []),
        ...cell.consumers.map(service),
      ],
      env: options.env,
      // Its own directory: the cell's api would otherwise write over the shared api's log.
      logDir:
        options.logDir && cell.redis
          ? path.join(options.logDir, cell.id.replace(/\//g, '-'))
          : options.logDir,
    });
    return {
      key: cellStackKey(cell),
      stack,
      ...(cell.redis ? { apiUrl: stack.apiUrl } : {}),
      ...(redis ? { redis } : {}),
      redisPids: redis ? await localRedisPids(redis.url, redis.mode) : [],
    };
  } catch (error) {
    await redis?.stop();
    throw error;
  }
}

export async function stopCellStack(cellStack: CellStack | undefined): Promise<void> {
  try {
    await cellStack?.stack.stop();
  } finally {
    await cellStack?.redis?.stop();
  }
}
