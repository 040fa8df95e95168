import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '@switchyard/local-stack';
import { Redis } from 'ioredis';

/** Redis's own counters, read from INFO: what the server did, whoever asked. */
export interface RedisCounters {
  /** Calls per command (`cmdstat_<name>` calls), including those made by Lua scripts. */
  calls: Map<string, number>;
  /** Microseconds the server spent per command (`cmdstat_<name>` usec). */
  usec: Map<string, number>;
  /** CPU seconds of the redis-server process (user + sys, main and background threads). */
  cpuSeconds: number;
}

/**
 * The Redis a side of the bench runs on. Normally a redis-server of its own, configured like the shared
 * development one (no persistence, `noeviction`): nobody else's commands land in its INFO counters, so
 * commands per job are exact, and its data goes with it. Without redis-server on PATH, the Redis at
 * REDIS_URL, shared: the bench then says that its counters include every other client's commands, and
 * deletes its keys when done.
 */
export class BenchRedis {
  /** A connection for the bench's own reads (drain polls, INFO). */
  readonly client: Redis;

  private constructor(
    readonly url: string,
    /** The server started for this side; none when the Redis is shared. */
    private readonly server?: { child: ChildProcess; dir: string },
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1 });
    this.client.on('error', () => undefined);
  }

  /** True when other clients may use the same server (its counters are not this side's alone). */
  get shared(): boolean {
    return this.server === undefined;
  }

  static async start(): Promise<BenchRedis> {
    if (!redisServerOnPath()) {
      const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
      warnShared(url);
      const redis = new BenchRedis(url);
      await redis.waitUntilAnswering(5_000);
      return redis;
    }
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-redis-'));
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      ],
      { stdio: 'ignore' },
    );
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`could not start redis-server: ${error.message}`)));
    });
    // A bench that dies before its `stop` must not leave a server behind.
    const orphanGuard = () => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', orphanGuard);
    child.once('exit', () => process.off('exit', orphanGuard));
    const redis = new BenchRedis(`redis://127.0.0.1:${port}`, { child, dir });
    await Promise.race([redis.waitUntilAnswering(5_000), failed]);
    return redis;
  }

  private async waitUntilAnswering(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (
        await this.client.ping().then(
          (answer) => answer === 'PONG',
          () => false,
        )
      )
        return;
      await delay(50);
    }
    throw new Error(
      `the Redis at ${this.url} did not answer within ${timeoutMs} ms: start Redis or install redis-server`,
    );
  }

  async counters(): Promise<RedisCounters> {
    const [commandstats, cpu] = await Promise.all([
      this.client.info('commandstats'),
      this.client.info('cpu'),
    ]);
    const calls = new Map<string, number>();
    const usec = new Map<string, number>();
    for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      calls.set(match[1], Number(match[2]));
      usec.set(match[1], Number(match[3]));
    }
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
    return { calls, usec, cpuSeconds: field('used_cpu_user') + field('used_cpu_sys') };
  }

  /** Deletes a side's keys from a shared Redis (a private one goes whole at `stop`). */
  async forget(prefix: string): Promise<void> {
    if (!this.shared) return;
    for await (const keys of this.client.scanStream({ match: `${prefix}:*`, count: 1_000 }) as AsyncIterable<
      string[]
    >) {
      if (keys.length > 0) await this.client.unlink(...keys);
    }
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    if (!this.server) return;
    const { child, dir } = this.server;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function redisServerOnPath(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

let warned = false;
function warnShared(url: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `redis-server is not on PATH: the bench runs on the Redis at ${url}, shared, so its Redis command counts and CPU include every other client's (install redis-server for exact ones)`,
  );
}

/** What happened between two readings: calls and server time per command, Redis CPU. */
export interface RedisDelta {
  calls: Map<string, number>;
  usec: Map<string, number>;
  totalCalls: number;
  cpuSeconds: number;
}

/**
 * `after − before`, less the bench's own reads (`own`: calls per command it sent itself) and INFO
 * (the bench's readings; the apps send it only when they connect), so only the apps' commands remain.
 */
export function counterDelta(
  before: RedisCounters,
  after: RedisCounters,
  own: ReadonlyMap<string, number>,
): RedisDelta {
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  for (const [command, count] of after.calls) {
    if (command === 'info') continue;
    const delta = count - (before.calls.get(command) ?? 0) - (own.get(command) ?? 0);
    if (delta <= 0) continue;
    calls.set(command, delta);
    usec.set(command, (after.usec.get(command) ?? 0) - (before.usec.get(command) ?? 0));
  }
  return {
    calls,
    usec,
    totalCalls: [...calls.values()].reduce((sum, count) => sum + count, 0),
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}
