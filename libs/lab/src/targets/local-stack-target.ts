import {
  startDelayServer,
  startLocalStack,
  type DelayServer,
  type LocalStack,
} from '@switchyard/local-stack';
import { buildLocalPlan, type CellSpec, type ConsumerShape } from '../plan';
import type { ExperimentName, MachineInfo } from '../lab-results';
import { describeMachine, localRedisPid, type LabTarget, type PreparedCell } from '../measure';

export interface LocalStackTargetOptions {
  quick: boolean;
  only?: readonly ExperimentName[];
  /** Cores the plan sizes pools for. @defaultValue os.availableParallelism() of the machine */
  cores: number;
  /** Redis to use; a private redis-server is started when none answers. @defaultValue REDIS_URL or redis://127.0.0.1:6379 */
  redisUrl?: string;
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

const shapeKey = (consumers: readonly ConsumerShape[]) => JSON.stringify(consumers);

/**
 * Runs cells on OS processes of the real apps. One api serves the whole run; each cell gets consumers
 * started with its shape (concurrency, model, pool size, replicas) on the api's key prefix, reused by
 * the next cell when the shape is the same. Consumers of the previous shape are stopped first, so
 * only the cell's own consumers take its jobs.
 */
export class LocalStackTarget implements LabTarget {
  readonly kind = 'local';
  readonly measuresHostCpu = true;
  readonly notes: string[] = [
    'Local replicas are OS processes on this machine: they share its cores with the api, Redis and each other.',
    "Peak RSS is the consumer process; a process pool's children are not included.",
  ];
  readonly #options: LocalStackTargetOptions;
  #api?: LocalStack;
  #delayServer?: DelayServer;
  #redisPid?: Promise<number | undefined>;
  #consumers?: { key: string; stack: LocalStack };
  #closing?: Promise<void>;

  constructor(options: LocalStackTargetOptions) {
    this.#options = options;
  }

  async #ensureApi(): Promise<LocalStack> {
    this.#api ??= await startLocalStack({
      redisUrl: this.#options.redisUrl,
      services: [{ name: 'api', app: 'api' }],
      env: await this.#env(),
      logDir: this.#options.logDir,
    });
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
    return buildLocalPlan({
      quick: this.#options.quick,
      cores: this.#options.cores,
      only: this.#options.only,
    });
  }

  async prepare(cell: CellSpec, signal: AbortSignal): Promise<PreparedCell> {
    const api = await this.#ensureApi();
    const key = shapeKey(cell.consumers);
    if (this.#consumers?.key !== key) {
      await this.#stopConsumers();
      signal.throwIfAborted();
      const stack = await startLocalStack({
        redisUrl: api.redisUrl,
        prefix: api.prefix,
        services: cell.consumers.map((shape) => ({
          name: shape.app,
          app: shape.app,
          env: shape.env,
          replicas: shape.replicas,
        })),
        env: await this.#env(),
        logDir: this.#options.logDir,
      });
      this.#consumers = { key, stack };
    }
    this.#redisPid ??= localRedisPid(api.redisUrl);
    const redisPid = await this.#redisPid;
    return {
      apiUrl: api.apiUrl,
      ownPids: [
        ...api.services.map((service) => service.pid),
        ...this.#consumers.stack.services.map((service) => service.pid),
        ...(redisPid ? [redisPid] : []),
      ],
      delayServerUrl: this.#delayServer?.url,
      consumers: this.#consumers.stack.services.map((service) => ({
        service: service.name,
        replica: service.replica,
        statsUrl: `${service.baseUrl}/stats`,
      })),
    };
  }

  async #stopConsumers(): Promise<void> {
    const consumers = this.#consumers;
    this.#consumers = undefined;
    await consumers?.stack.stop();
  }

  /** After a failed cell, jobs may be left in the queues: start over on a fresh api and key prefix. */
  async reset(): Promise<void> {
    await this.#stopConsumers();
    const api = this.#api;
    this.#api = undefined;
    this.#redisPid = undefined;
    await api?.stop();
  }

  /** Stops every process the target started, and the delay server; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.reset().finally(() => this.#delayServer?.close());
    return this.#closing;
  }
}
