import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, redisAnswers } from '@switchyard/local-stack';

/**
 * A private `redis-server` (AOF on, like production) that a test can stop and start again on the same
 * port and data dir, to play a Redis outage. Never the shared Redis: that one must never be stopped.
 */
export class RestartableRedis {
  #server?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<RestartableRedis> {
    const redis = new RestartableRedis(
      await freePort(),
      mkdtempSync(path.join(os.tmpdir(), 'switchyard-outage-redis-')),
    );
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and waits until it answers. */
  async up(): Promise<void> {
    if (this.#server) return;
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    this.#server = server;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await redisAnswers(this.url, 200)) return;
      if (server.exitCode !== null) break;
      await delay(50);
    }
    throw new Error(`redis-server on port ${this.port} did not answer; is the port taken?`);
  }

  /** Ends the server at once (SIGKILL: an outage, not a clean shutdown) and waits until it is gone. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers; a hung Redis. */
  freeze(): void {
    this.#server?.kill('SIGSTOP');
  }

  thaw(): void {
    this.#server?.kill('SIGCONT');
  }

  async remove(): Promise<void> {
    this.thaw();
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
