import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { pollUntil, PollTimeoutError } from '@switchyard/polling';

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

/**
 * Polls until PING answers PONG (a server still loading its AOF answers LOADING, not PONG); past the
 * deadline, one last try with a longer connect timeout decides.
 */
export async function waitUntilRedisAnswers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    return await pollUntil(() => redisAnswers(url, 200), { timeoutMs, what: `Redis at ${url}` });
  } catch (error) {
    if (!(error instanceof PollTimeoutError)) throw error;
    return redisAnswers(url);
  }
}

export function redisServerOnPath(binary: 'redis-server' | 'redis-cli' = 'redis-server'): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/**
 * One redis-server process bound to 127.0.0.1 on `port`, keeping its files in `dir`, never evicting
 * (BullMQ keys must not be evicted). `persistence` are the flags that say what it writes to `dir`.
 */
export function spawnRedisServer(port: number, dir: string, persistence: string[]): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      ...persistence,
    ],
    { stdio: 'ignore' },
  );
}

/** Signals a child and resolves when it has exited (at once when it already has). */
export async function endProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
