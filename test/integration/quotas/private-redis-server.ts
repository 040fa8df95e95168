import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, redisAnswers } from '@switchyard/local-stack';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/** A throw-away `redis-server` on a free port with extra settings, for what the shared Redis must not be. */
export async function startPrivateRedis(settings: string[]): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-quotas-redis-'));
  const child = spawn(
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
      ...settings,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await redisAnswers(url, 200)) return { url, stop };
    await delay(50);
  }
  await stop();
  throw new Error(`redis-server on port ${port} (${settings.join(' ')}) did not answer`);
}
