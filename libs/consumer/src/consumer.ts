import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { SwitchyardConfig } from '@switchyard/config';
import { createExecutor, type Executor } from '@switchyard/execution';
import { LaneRedis, SwitchyardKeys, TaskCpuProfiles } from '@switchyard/queue';
import { TenantPendingJobs, warnUnlessNoeviction } from '@switchyard/quotas';
import { catalogOptionsFrom, createTaskCatalog } from '@switchyard/tasks';
import {
  bullmqTelemetryWhenTracing,
  createLogger,
  injectTraceContext,
  type Logger,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  RuntimeStats,
  shutdownTelemetry,
  switchyardMetrics,
} from '@switchyard/telemetry';
import { allObservers, attemptLog } from './attempt-log';
import { cpuRatioReporter, type CpuRatioReporter } from './cpu-ratio-reporter';
import { pendingJobsObserver, type PendingJobsObserver } from './pending-jobs-observer';
import type { ConsumerSpec } from './consumer-spec';
import { HealthServer } from './health-server';
import { LaneWorker } from './lane-worker';
import { settlesWithin } from './settles-within';

/** Readiness fails when Redis does not answer a PING this fast (probes time out after 1 s or more). */
const READY_PING_TIMEOUT_MS = 500;
/**
 * Shutdown ends within DRAIN_TIMEOUT_MS + this, Redis or not: the lane worker's close takes up to 2.5 s
 * past the drain, the rest is for stopping the pool, dropping the connection and flushing telemetry.
 */
const SHUTDOWN_GRACE_MS = 4_500;
/** Timers of the shutdown path must not keep alive a process that has nothing left to do. */
const UNREF = { ref: false };

/**
 * One consumer process: a lane worker over an executor, and its health port, built with plain
 * constructors (no Nest: a consumer serves no routes, and `@nestjs/core` alone costs ~50 MiB of RSS).
 * `runConsumer` starts it and stops it on a signal.
 */
export class Consumer {
  private readonly logger: Logger;
  private readonly lane: string;
  /** REDIS_URL's connection (quotas, CPU ratios, cancels) and the lane's own when it has one. */
  private readonly redis: LaneRedis;
  private readonly executor: Executor;
  private readonly worker: LaneWorker;
  private readonly pendingJobs: PendingJobsObserver;
  private readonly cpuRatios: CpuRatioReporter;
  private readonly health: HealthServer;
  private readonly runtime = new RuntimeStats();
  private shuttingDown = false;

  constructor(
    private readonly spec: ConsumerSpec,
    private readonly config: SwitchyardConfig,
  ) {
    this.logger = createLogger(`switchyard-${spec.service}`, { level: config.LOG_LEVEL });
    this.lane = config.LANE ?? spec.defaultLane;
    const model = spec.model ?? config.EXECUTION_MODEL;
    this.executor = createExecutor(model, {
      poolSize: config.POOL_SIZE,
      eventLoopConcurrency: config.IO_CONCURRENCY,
      workerMaxHeapMb: config.WORKER_MAX_HEAP_MB,
    });
    // A task name outside the catalog never becomes a metric label.
    switchyardMetrics().limitTaskLabels(createTaskCatalog(catalogOptionsFrom(config)).names());
    this.redis = LaneRedis.connect(config, 'worker', `switchyard-${spec.service}`, [this.lane]);
    this.pendingJobs = pendingJobsObserver(
      new TenantPendingJobs({
        redis: this.redis.main,
        prefix: config.QUEUE_PREFIX,
        maxPendingJobs: config.TENANT_MAX_PENDING_JOBS,
      }),
    );
    this.cpuRatios = cpuRatioReporter(
      new TaskCpuProfiles({
        redis: this.redis.main,
        prefix: config.QUEUE_PREFIX,
        cpuHigh: config.AUTO_ROUTING_CPU_HIGH,
        cpuLow: config.AUTO_ROUTING_CPU_LOW,
      }),
    );
    this.worker = new LaneWorker({
      lane: this.lane,
      prefix: config.QUEUE_PREFIX,
      connection: this.redis.of(this.lane),
      controlConnection: this.redis.main,
      keys: new SwitchyardKeys(config.QUEUE_PREFIX),
      executor: this.executor,
      name: `${spec.service}@${os.hostname()}:${process.pid}`,
      telemetry: bullmqTelemetryWhenTracing({ redisUrl: config.REDIS_URL.split(',')[0] }),
      activeTraceContext: injectTraceContext,
      observer: allObservers(
        switchyardMetrics().laneObserver(model),
        attemptLog(this.logger, model),
        this.pendingJobs,
        this.cpuRatios,
      ),
      errorMaxChars: config.JOB_ERROR_MAX_CHARS,
      cancelledRetention: { seconds: config.FAILED_RETENTION_SECONDS, count: config.FAILED_RETENTION_COUNT },
    });
    this.reportRedisOutages();
    switchyardMetrics().observePool(() => this.executor.stats());
    this.health = new HealthServer({
      '/healthz': async () => ({ status: 200, body: { status: 'ok' } }),
      '/readyz': () => this.readiness(),
      '/stats': async (url) => ({ status: 200, body: this.stats(url.searchParams.get('reset') === '1') }),
      '/metrics': async () => ({
        status: 200,
        body: await renderPrometheus(),
        contentType: PROMETHEUS_CONTENT_TYPE,
      }),
    });
  }

  /** Opens the health port, then consumes. */
  async start(): Promise<void> {
    const port = await this.health.listen(
      this.config.HEALTH_PORT ?? this.spec.defaultHealthPort,
      this.config.HOST,
    );
    await this.worker.start();
    for (const redis of this.redis.all()) warnUnlessNoeviction(redis, (message) => this.logger.warn(message));
    this.logger.info(
      `${this.spec.service} consuming lane "${this.lane}" with ${this.executor.model} (pool ${this.executor.size}); health on :${port}`,
    );
  }

  /**
   * Drains, then stops. Every step is bounded, so the process ends within DRAIN_TIMEOUT_MS + 4.5 s even
   * while Redis is away (Kubernetes' grace period must be longer). A job run by an executor that blocks
   * this thread (inline) holds it, so there the bound starts once the job in hand returns.
   */
  async stop(signal?: string): Promise<void> {
    this.shuttingDown = true;
    const deadline = Date.now() + this.config.DRAIN_TIMEOUT_MS + SHUTDOWN_GRACE_MS;
    // A last resort against a hang nobody foresaw: a consumer that never exits holds its pod forever.
    setTimeout(() => {
      this.logger.error(
        `shutdown took longer than ${this.config.DRAIN_TIMEOUT_MS + SHUTDOWN_GRACE_MS} ms; exiting`,
      );
      process.exit(1);
    }, deadline - Date.now()).unref();
    this.logger.info(
      `${signal ?? 'shutdown'}: draining ${this.worker.activeJobs} active job(s), up to ${this.config.DRAIN_TIMEOUT_MS} ms`,
    );
    await this.worker.close(this.config.DRAIN_TIMEOUT_MS);
    // The drained jobs' tenant room, collected for the next batched ZREM, goes back before the connection.
    await settlesWithin(Promise.all([this.pendingJobs.flush(), this.cpuRatios.close()]), 500);
    await settlesWithin(this.executor.close(), 1_000);
    await this.health.close();
    // A QUIT sent while Redis is away waits for its return: drop the connection instead.
    await Promise.all(
      this.redis.all().map(async (redis) => {
        if (!(await settlesWithin(redis.quit(), 500))) redis.disconnect();
      }),
    );
    // Last: the drained attempts' spans and the final metrics go out before the process ends.
    await settlesWithin(shutdownTelemetry(), Math.max(0, deadline - Date.now() - 200));
  }

  /**
   * Ready while the lane worker consumes and Redis answers a PING within 500 ms: answers within that
   * bound whatever Redis does (a PING sent while the connection is down would wait for its return).
   */
  private async readiness() {
    const notReady = (reason: string) => ({ status: 503, body: { status: 'not ready', reason } });
    if (this.shuttingDown) return notReady('shutting down');
    if (!this.worker.isRunning) return notReady('the lane worker is not running');
    const down = this.redis.all().find((redis) => redis.status !== 'ready');
    if (down) return notReady(`Redis: the connection is ${down.status}`);
    const problem = await Promise.race([
      Promise.all(this.redis.all().map((redis) => redis.ping())).then(
        () => undefined,
        (error: Error) => error.message,
      ),
      delay(READY_PING_TIMEOUT_MS, `no answer to PING within ${READY_PING_TIMEOUT_MS} ms`, UNREF),
    ]);
    return problem
      ? notReady(`Redis: ${problem}`)
      : { status: 200, body: { status: 'ready', lane: this.lane } };
  }

  /** One warning when Redis goes away and one line when it is back, not one per reconnection attempt. */
  private reportRedisOutages(): void {
    for (const redis of this.redis.all()) {
      let down = false;
      redis.on('error', (error: Error) => {
        if (down || this.shuttingDown) return;
        down = true;
        this.logger.warn(`Redis unreachable (${error.message}); reconnecting, not ready meanwhile`);
      });
      redis.on('ready', () => {
        if (!down) return;
        down = false;
        this.logger.info('Redis reachable again; consuming');
      });
    }
  }

  private stats(reset: boolean) {
    return {
      service: this.spec.service,
      lane: this.lane,
      model: this.executor.model,
      activeJobs: this.worker.activeJobs,
      pool: this.executor.stats(),
      ...this.runtime.snapshot({ reset }),
    };
  }
}
