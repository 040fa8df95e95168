import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import {
  endProcess,
  redisServerOnPath,
  spawnRedisServer,
  waitUntilRedisAnswers,
} from './redis-server-process';

export type AppendFsyncPolicy = 'always' | 'everysec' | 'no';

export interface DurableRedisOptions {
  /**
   * When Redis fsyncs its append-only file. `always`: before it answers a write, so a crash loses no
   * acknowledged write. `everysec`: once a second (what the Helm chart and the compose file run).
   * @defaultValue everysec
   */
  appendfsync?: AppendFsyncPolicy;
  /** Longest wait for the server to answer after a start (an AOF is replayed first). @defaultValue 15000 */
  startTimeoutMs?: number;
}

/**
 * A private redis-server configured like production queues want it (AOF on, `noeviction`) on a free
 * port and its own data dir, that can be crashed or stopped and started again on the same port and
 * dir: the stand-in for a Redis pod that restarts with its volume, for tests of what a restart loses.
 */
export class DurableRedis {
  private child?: ChildProcess;
  private disposing?: Promise<void>;

  private constructor(
    readonly port: number,
    /** Holds the append-only file across restarts. */
    readonly dir: string,
    private readonly appendfsync: AppendFsyncPolicy,
    private readonly startTimeoutMs: number,
  ) {}

  /** Starts a new server; resolves once it answers. */
  static async start(options: DurableRedisOptions = {}): Promise<DurableRedis> {
    if (!redisServerOnPath()) {
      throw new Error('redis-server is not on PATH: install Redis (e.g. apt-get install redis-server)');
    }
    const redis = new DurableRedis(
      await freePort(),
      mkdtempSync(path.join(os.tmpdir(), 'switchyard-durable-redis-')),
      options.appendfsync ?? 'everysec',
      options.startTimeoutMs ?? 15_000,
    );
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Ends the server. SIGKILL is a crash: Redis keeps only what its fsync policy had written.
   * SIGTERM is a clean shutdown: Redis flushes the AOF first. @defaultValue SIGKILL
   */
  async halt(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    if (this.child) await endProcess(this.child, signal);
  }

  /** Starts the server again on the same port and dir; resolves once it has replayed its AOF and answers. */
  async resume(): Promise<void> {
    if (this.running) throw new Error(`redis-server on port ${this.port} is still running: halt it first`);
    this.child = spawnRedisServer(this.port, this.dir, [
      '--appendonly',
      'yes',
      '--appendfsync',
      this.appendfsync,
      '--save',
      '',
    ]);
    if (!(await waitUntilRedisAnswers(this.url, this.startTimeoutMs))) {
      await this.halt();
      throw new Error(
        `redis-server on port ${this.port} (dir ${this.dir}) did not answer within ${this.startTimeoutMs} ms: is the port taken?`,
      );
    }
  }

  /** Stops the server and deletes its dir. Safe to call twice. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await this.halt('SIGTERM');
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.disposing;
  }
}
