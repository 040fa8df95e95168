import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { MachineInfo } from '../lab-results';

/** The first URL of a REDIS_URL, which is a comma-separated list of seed nodes for a cluster. */
export function firstSeed(redisUrl: string): string {
  return redisUrl.split(',')[0].trim();
}

function connect(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
}

/** The Redis server version from `INFO server` (of the first seed, for a cluster). */
async function redisVersion(redisUrl: string | undefined): Promise<string> {
  if (!redisUrl) return "unknown (the cluster's Redis is not reachable from the lab)";
  const redis = connect(firstSeed(redisUrl));
  try {
    await redis.connect();
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    redis.disconnect();
  }
}

/** The pid of the Redis at `url` when it is a local redis-server process, else undefined. */
async function localPidOf(url: string): Promise<number | undefined> {
  const redis = connect(url);
  try {
    await redis.connect();
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis') ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/**
 * The URLs of every node of the cluster a seed belongs to (from `CLUSTER NODES`, with the seed's
 * credentials), or just the seed when it is not a cluster node.
 */
export async function clusterNodeUrls(seed: string): Promise<string[]> {
  const redis = connect(seed);
  try {
    await redis.connect();
    const nodes = String(await redis.cluster('NODES'));
    return nodes
      .split('\n')
      .map((line) => /^\S+ (\S*):(\d+)@/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([, host, port]) => {
        const url = new URL(seed);
        // A node that announces no address (a lone node) is reached the way the seed was.
        if (host) url.hostname = host.includes(':') ? `[${host}]` : host;
        url.port = port;
        return url.toString();
      });
  } catch {
    return [seed];
  } finally {
    redis.disconnect();
  }
}

/**
 * The pids of the Redis servers at `redisUrl` that run on this machine (each `process_id` names a local
 * process called redis-server), so their CPU counts as the stack's own. For a cluster (`mode` cluster, or
 * several seeds) every node's, found from the first seed: a cluster cell's own redis-servers must not
 * make it look busy. A shared Redis's work for others is then counted as own too: foreign CPU errs
 * low, never high.
 */
export async function localRedisPids(
  redisUrl: string,
  mode: 'standalone' | 'cluster' = 'standalone',
): Promise<number[]> {
  const cluster = mode === 'cluster' || redisUrl.includes(',');
  const urls = cluster ? await clusterNodeUrls(firstSeed(redisUrl)) : [redisUrl];
  const pids = await Promise.all(urls.map(localPidOf));
  return [...new Set(pids.filter((pid): pid is number => pid !== undefined))];
}

export async function describeMachine(
  target: MachineInfo['target'],
  redisUrl?: string,
): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    redis: await redisVersion(redisUrl),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    target,
  };
}

/** Busy and total CPU time of all cores, for a machine-wide utilization between two samples. */
export interface CpuSample {
  busy: number;
  total: number;
}

export function sampleCpu(): CpuSample {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

export function cpuPercentBetween(start: CpuSample, end: CpuSample): number {
  const total = end.total - start.total;
  return total > 0 ? (100 * (end.busy - start.busy)) / total : 0;
}
