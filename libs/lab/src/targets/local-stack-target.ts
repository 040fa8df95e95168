import { spawnSync } from 'node:child_process';
import {
  ensureRedis,
  startDelayServer,
  startLocalStack,
  type DelayServer,
  type LocalStack,
  type RedisHandle,
} from '@switchyard/local-stack';
import { buildLocalPlan, type CellSpec } from '../plan';
import type { ExperimentName, LanePlacement, MachineInfo } from '../lab-results';
import {
  deleteRunKeys,
  describeMachine,
  localRedisPids,
  readLanePlacement,
  type LabTarget,
  type PreparedCell,
} from '../measure';
import { startCellStack, stopCellStack, cellStackKey, type CellStack } from './cell-stack';

export interface LocalStackTargetOptions {
  quick: boolean;
  only?: readonly ExperimentName[];
  /** Cores the plan sizes pools for. @defaultValue os.availableParallelism() of the machine */
  cores: number;
  /** Redis to use; a private redis-server is started when none answers. @defaultValue REDIS_URL or redis://127.0.0.1:6379 */
  redisUrl?: string;
  /**
   * `cluster`: `redisUrl` lists the seed nodes of a Redis Cluster (as REDIS_MODE=cluster). The redis
   * experiment runs on Redis servers of its own either way. @defaultValue standalone
   */
  redisMode?: 'standalone' | 'cluster';
  /** One log file per service process here. @defaultValue logs are discarded */
  logDir?: string;
  /** Environment given to every service (OTEL_*, JAEGER_UI_URL…). */
  env?: Record<string, string>;
}

/** What every local service gets: io.http may call the lab's delay server, and diag.spin exists. */
/**
 * The lab floods lanes on purpose (quotas far above its largest cell) and misroutes CPU jobs onto the io
 * lane to measure what that costs (ALLOW_PROFILE_OVERRIDE).
 */
const LAB_ENV = {
  DIAGNOSTIC_TASKS: 'true',
  LOG_LEVEL: 'warn',
  ALLOW_PROFILE_OVERRIDE: 'true',
  TENANT_MAX_PENDING_JOBS: '1000000',
  LANE_MAX_DEPTH: '1000000',
};

/** Whether redis-server and redis-cli can be run here, as the redis experiment's private servers need. */
function canStartRedis(): boolean {
  return ['redis-server', 'redis-cli'].every(
    (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

/**
 * Runs cells on OS processes of the real apps. One api serves the whole run; each cell gets consumers
 * started with its shape (concurrency, model, pool size, replicas) on the api's key prefix, reused by
 * the next cell when the shape is the same. Consumers of the previous shape are stopped first, so
 * only the cell's own consumers take its jobs. The redis experiment's cells get their own api too, on
 * a private Redis of their kind, one server or a cluster (cell-stack.ts). Every key a run wrote under its
 * prefixes is deleted on reset and close, unless the Redis was started privately and goes away.
 */
export class LocalStackTarget implements LabTarget {
  readonly kind = 'local';
  readonly measuresHostCpu = true;
  readonly notes: string[] = [
    'Local replicas are OS processes on this machine: they share its cores with the api, Redis and each other.',
    "Peak RSS is the consumer process; a process pool's children are not included.",
  ];
  readonly #options: LocalStackTargetOptions;
  readonly #mode: 'standalone' | 'cluster';
  /** The run's standalone Redis: the shared one, or a private one started because none answered. */
  #redis?: RedisHandle;
  #api?: LocalStack;
  #delayServer?: DelayServer;
  #redisPids?: Promise<number[]>;
  #consumers?: CellStack;
  /** Key prefixes of this run's apis (one per api: a reset starts a new one), and those already cleaned. */
  readonly #prefixes: string[] = [];
  readonly #cleaned = new Set<string>();
  #closing?: Promise<void>;

  constructor(options: LocalStackTargetOptions) {
    this.#options = options;
    this.#mode = options.redisMode ?? 'standalone';
  }

  /** Every key prefix the run has used so far, on the run's Redis. */
  get keyPrefixes(): readonly string[] {
    return this.#prefixes;
  }

  async #redisUrl(): Promise<string> {
    const url = this.#options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (this.#mode === 'cluster') return url;
    this.#redis ??= await ensureRedis(url);
    return this.#redis.url;
  }

  async #ensureApi(): Promise<LocalStack> {
    if (!this.#api) {
      this.#api = await startLocalStack({
        redisUrl: await this.#redisUrl(),
        redisMode: this.#mode,
        services: [{ name: 'api', app: 'api' }],
        env: await this.#env(),
        logDir: this.#options.logDir,
      });
      this.#prefixes.push(this.#api.prefix);
    }
    return this.#api;
  }

  /** io.http may call the lab's delay server, on loopback, and nothing else. */
  async #env(): Promise<Record<string, string>> {
    this.#delayServer ??= await startDelayServer();
    const { host } = new URL(this.#delayServer.url);
    return { ...LAB_ENV, HTTP_ALLOWED_HOSTS: host, HTTP_ALLOWED_CIDRS: '127.0.0.1/32', ...this.#options.env };
  }

  async describe(): Promise<MachineInfo> {
    return describeMachine('local', (await this.#ensureApi()).redisUrl);
  }

  async plan(): Promise<CellSpec[]> {
    const cells = buildLocalPlan({
      quick: this.#options.quick,
      cores: this.#options.cores,
      only: this.#options.only,
    });
    // Asked for by name, the experiment runs and its cells say what is missing; in a full matrix it
    // is left out on a machine that cannot start Redis servers (Redis in a container, say).
    if (this.#options.only?.includes('redis') || !cells.some((cell) => cell.redis) || canStartRedis())
      return cells;
    this.notes.push(
      'The redis experiment was left out: it starts its own redis-server processes, and redis-server or redis-cli is not on PATH.',
    );
    return cells.filter((cell) => !cell.redis);
  }

  async prepare(cell: CellSpec, signal: AbortSignal): Promise<PreparedCell> {
    const api = await this.#ensureApi();
    if (this.#consumers?.key !== cellStackKey(cell)) {
      await this.#stopConsumers();
      signal.throwIfAborted();
      this.#consumers = await startCellStack(cell, {
        redisUrl: api.redisUrl,
        redisMode: this.#mode,
        prefix: api.prefix,
        env: await this.#env(),
        logDir: this.#options.logDir,
      });
    }
    this.#redisPids ??= localRedisPids(api.redisUrl, this.#mode);
    const redisPids = await this.#redisPids;
    const services = this.#consumers.stack.services;
    return {
      apiUrl: this.#consumers.apiUrl ?? api.apiUrl,
      ownPids: [
        ...api.services.map((service) => service.pid),
        ...services.map((service) => service.pid),
        ...redisPids,
        ...this.#consumers.redisPids,
      ],
      ...(this.#consumers.redis ? { redisPids: this.#consumers.redisPids } : {}),
      delayServerUrl: this.#delayServer?.url,
      consumers: services
        .filter((service) => service.app !== 'api')
        .map((service) => ({
          service: service.name,
          replica: service.replica,
          statsUrl: `${service.baseUrl}/stats`,
        })),
    };
  }

  /** The redis experiment's cells: where each lane's keys are, on the cell's Redis. */
  async lanePlacement(cell: CellSpec): Promise<LanePlacement[] | undefined> {
    const running = this.#consumers;
    if (!cell.redis || !running || running.key !== cellStackKey(cell)) return undefined;
    const lanes = [...new Set(cell.jobs.flatMap((mix) => (mix.lane ? [mix.lane] : [])))];
    return readLanePlacement({
      redisUrl: running.redis?.url ?? running.stack.redisUrl,
      mode: running.redis?.mode ?? this.#mode,
      prefix: running.stack.prefix,
      lanes,
      masterUrls: running.redis?.masterUrls,
    });
  }

  async #stopConsumers(): Promise<void> {
    const consumers = this.#consumers;
    this.#consumers = undefined;
    await stopCellStack(consumers);
  }

  /**
   * Deletes the run's keys from the run's Redis, unless it is a private one that goes away with the
   * run. Jobs of a private cluster go with it (stopCellStack).
   */
  async #deleteRunKeys(): Promise<void> {
    if (this.#redis?.started) return;
    const url = this.#mode === 'cluster' ? await this.#redisUrl() : this.#redis?.url;
    if (!url) return;
    for (const prefix of this.#prefixes.filter((prefix) => !this.#cleaned.has(prefix))) {
      // Reported, not thrown: the measurements stand even when the Redis went away before the cleanup.
      await deleteRunKeys(url, prefix, this.#mode).then(
        () => this.#cleaned.add(prefix),
        (error: unknown) =>
          this.notes.push(
            `The run's keys under ${prefix}:* could not be deleted from the run's Redis: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    }
  }

  /** After a failed cell, jobs may be left in the queues: start over on a fresh api and key prefix. */
  async reset(): Promise<void> {
    await this.#stopConsumers();
    const api = this.#api;
    this.#api = undefined;
    this.#redisPids = undefined;
    await api?.stop();
    await this.#deleteRunKeys();
  }

  /** Stops every process the target started, deletes the run's keys, stops the delay server; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.reset().finally(async () => {
      await this.#delayServer?.close();
      await this.#redis?.stop();
    });
    return this.#closing;
  }
}
