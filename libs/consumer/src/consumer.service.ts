import os from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import { createExecutor, type Executor } from '@switchyard/execution';
import { createRedis, LaneWorker, SwitchyardKeys } from '@switchyard/queue';
import {
  bullmqTelemetry,
  createLogger,
  injectTraceContext,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  RuntimeStats,
  shutdownTelemetry,
  switchyardMetrics,
} from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { allObservers, attemptLog } from './attempt-log';
import type { ConsumerSpec } from './consumer-spec';
import { HealthServer } from './health-server';
import { CONSUMER_CONFIG, CONSUMER_SPEC } from './consumer.tokens';

/** Longest lock an `inline` lane needs: its event loop cannot renew a lock while a job blocks it. */
const INLINE_LOCK_MS = 10 * 60_000;

/** One consumer process: a lane worker over an executor, and its health port. Starts after Nest init. */
@Injectable()
export class ConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Consumer');
  private readonly lane: string;
  private readonly connection: Redis;
  private readonly executor: Executor;
  private readonly worker: LaneWorker;
  private readonly health: HealthServer;
  private readonly runtime = new RuntimeStats();

  constructor(
    @Inject(CONSUMER_SPEC) private readonly spec: ConsumerSpec,
    @Inject(CONSUMER_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.lane = config.LANE ?? spec.defaultLane;
    const model = spec.model ?? config.EXECUTION_MODEL;
    this.executor = createExecutor(model, { poolSize: config.POOL_SIZE });
    const concurrency = model === 'event-loop' ? config.IO_CONCURRENCY : this.executor.size;
    this.connection = createRedis(config.REDIS_URL, 'worker', `switchyard-${spec.service}`);
    this.worker = new LaneWorker({
      lane: this.lane,
      prefix: config.QUEUE_PREFIX,
      connection: this.connection,
      keys: new SwitchyardKeys(config.QUEUE_PREFIX),
      executor: this.executor,
      concurrency,
      name: `${spec.service}@${os.hostname()}:${process.pid}`,
      telemetry: bullmqTelemetry(),
      traceCarrier: injectTraceContext,
      observer: allObservers(
        switchyardMetrics().laneObserver(model),
        attemptLog(createLogger(`switchyard-${spec.service}`, { level: config.LOG_LEVEL }), model),
      ),
      lockDurationMs: model === 'inline' ? INLINE_LOCK_MS : undefined,
    });
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

  async onApplicationBootstrap(): Promise<void> {
    const port = await this.health.listen(
      this.config.HEALTH_PORT ?? this.spec.defaultHealthPort,
      this.config.HOST,
    );
    await this.worker.start();
    this.logger.log(
      `${this.spec.service} consuming lane "${this.lane}" with ${this.executor.model} (pool ${this.executor.size}); health on :${port}`,
    );
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(
      `${signal ?? 'shutdown'}: draining ${this.worker.activeJobs} active job(s), up to ${this.config.DRAIN_TIMEOUT_MS} ms`,
    );
    await this.worker.close(this.config.DRAIN_TIMEOUT_MS);
    await this.executor.close();
    await this.health.close();
    await this.connection.quit().catch(() => undefined);
    // Last: the drained attempts' spans and the final metrics go out before the process ends.
    await shutdownTelemetry();
  }

  private async readiness() {
    try {
      await this.connection.ping();
    } catch (error) {
      return { status: 503, body: { status: 'not ready', reason: `Redis: ${(error as Error).message}` } };
    }
    return this.worker.isRunning
      ? { status: 200, body: { status: 'ready', lane: this.lane } }
      : { status: 503, body: { status: 'not ready', reason: 'the lane worker is not running' } };
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
