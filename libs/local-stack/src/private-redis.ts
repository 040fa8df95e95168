import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

export interface RedisHandle {
  url: string;
  /** True when this process started the server (and `stop` ends it). */
  started: boolean;
  stop(): Promise<void>;
}

export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Uses the Redis at `url` when it answers; otherwise starts a private `redis-server` on a free
 * port with a throw-away data dir (nothing persisted), stopped by `stop()`.
 */
export async function ensureRedis(url: string): Promise<RedisHandle> {
  if (await redisAnswers(url)) return { url, started: false, stop: async () => undefined };
  if (!onPath('redis-server')) {
    throw new Error(
      `nothing answers at REDIS_URL=${url} and redis-server is not on PATH: start Redis or install redis-server`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100 && !(await redisAnswers(privateUrl, 200)); attempt++) await delay(50);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await redisAnswers(privateUrl))) {
    await stop();
    throw new Error(`started redis-server on port ${port} but it did not answer`);
  }
  return { url: privateUrl, started: true, stop };
}
