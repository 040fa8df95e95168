import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import {
  endProcess,
  redisAnswers,
  redisServerOnPath,
  spawnRedisServer,
  waitUntilRedisAnswers,
} from './redis-server-process';

export { redisAnswers };

export interface RedisHandle {
  url: string;
  /** True when this process started the server (and `stop` ends it). */
  started: boolean;
  stop(): Promise<void>;
}

/**
 * Uses the Redis at `url` when it answers; otherwise starts a private `redis-server` on a free
 * port with a throw-away data dir (nothing persisted), stopped by `stop()`.
 */
export async function ensureRedis(url: string): Promise<RedisHandle> {
  if (await redisAnswers(url)) return { url, started: false, stop: async () => undefined };
  if (!redisServerOnPath()) {
    throw new Error(
      `nothing answers at REDIS_URL=${url} and redis-server is not on PATH: start Redis or install redis-server`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-redis-'));
  const child = spawnRedisServer(port, dir, ['--save', '', '--appendonly', 'no']);
  const privateUrl = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    await endProcess(child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await waitUntilRedisAnswers(privateUrl, 5_000))) {
    await stop();
    throw new Error(`started redis-server on port ${port} but it did not answer`);
  }
  return { url: privateUrl, started: true, stop };
}
