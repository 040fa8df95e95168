import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import type { MachineInfo } from '../lab-results';

/** The Redis server version from `INFO server`. */
async function redisVersion(redisUrl: string | undefined): Promise<string> {
  if (!redisUrl) return "unknown (the cluster's Redis is not reachable from the lab)";
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    await redis.connect();
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    redis.disconnect();
  }
}

/**
 * The pid of the Redis server at `redisUrl` when it runs on this machine (its `process_id` names a
 * local process called redis-server), so its CPU counts as the stack's own; else undefined. A shared
 * Redis's work for others is then counted as own too: foreign CPU errs low, never high.
 */
export async function localRedisPid(redisUrl: string): Promise<number | undefined> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
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
