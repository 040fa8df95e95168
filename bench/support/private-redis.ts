import { spawn, type ChildProcess } from 'node:child_process';
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
 * A redis-server of the bench's own, configured like the shared development one (no persistence,
 * `noeviction`): nobody else's commands land in its INFO counters, so commands per job are exact.
 */
export class PrivateRedis {
  /** A connection for the bench's own reads (drain polls, INFO). */
  readonly client: Redis;

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  static async start(): Promise<PrivateRedis> {
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
      child.once('error', (error) =>
        reject(new Error(`could not start redis-server (${error.message}): install Redis`)),
      );
    });
    // A bench that dies before its `stop` must not leave a server behind.
    const orphanGuard = () => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', orphanGuard);
    child.once('exit', () => process.off('exit', orphanGuard));
    const redis = new PrivateRedis(`redis://127.0.0.1:${port}`, child, dir);
    redis.client.on('error', () => undefined);
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
    throw new Error(`redis-server at ${this.url} did not answer within ${timeoutMs} ms`);
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

  async stop(): Promise<void> {
    this.client.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
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
