import type { SwitchyardConfig } from '@switchyard/config';
import {
  JobCanceller,
  JobIndex,
  JobProducer,
  JobReader,
  JobRetrier,
  JobSubmissionValidator,
  JobWatcher,
  LaneControls,
  LaneEvents,
  LaneQueues,
  LaneRedis,
  LaneRouter,
  MeasuredRouting,
  RetentionSweeper,
  SwitchyardKeys,
  TaskCpuProfiles,
  type RedisConnection,
} from '@switchyard/queue';
import { LaneDepthGuard, SubmissionQuotas, TenantPendingJobs } from '@switchyard/quotas';
import { catalogOptionsFrom, createTaskCatalog, type TaskCatalog } from '@switchyard/tasks';
import {
  bullmqTelemetryWhenTracing,
  injectTraceContext,
  startBatchJobTraces,
  switchyardMetrics,
} from '@switchyard/telemetry';

const DAY_MS = 86_400_000;

/** Everything the api's controllers and hooks use, built once from one config. */
export interface ApiServices {
  config: SwitchyardConfig;
  /** The `client` role connection (fails fast while Redis is away) the queues, quotas and index share. */
  redis: RedisConnection;
  /** `redis` and the connections of lanes with a Redis of their own (LANE_REDIS_URLS). */
  laneRedis: LaneRedis;
  catalog: TaskCatalog;
  queues: LaneQueues;
  producer: JobProducer;
  reader: JobReader;
  canceller: JobCanceller;
  /** The lanes' event readers, shared by every event stream and waiting read. */
  events: LaneEvents;
  watcher: JobWatcher;
  retrier: JobRetrier;
  laneControls: LaneControls;
  /** Removes finished jobs past their retention age (the jobs carry retention by count only). */
  retention: RetentionSweeper;
}

/**
 * The api's composition root: plain constructors in dependency order, as the consumers build theirs
 * (`Consumer`, libs/consumer), so every service is wired one way and the graph can be read top to bottom
 * here instead of through Nest factory providers and tokens. Nest is the api's HTTP framework only: it gets
 * the finished objects (`ApiModule.register`) and owns what it is good at: controllers, guards and
 * lifecycle hooks. The consumers serve no routes and run without it (`@nestjs/core` alone is ~50 MiB of RSS).
 */
export function createApiServices(config: SwitchyardConfig): ApiServices {
  const laneRedis = LaneRedis.connect(config, 'client', 'switchyard-api');
  const redis = laneRedis.main;
  // Spans name one Redis server: the first seed of a cluster.
  const redisUrl = config.REDIS_URL.split(',')[0];
  const catalog = createTaskCatalog(catalogOptionsFrom(config));
  // A task name a client made up never becomes a metric label.
  switchyardMetrics().limitTaskLabels(catalog.names());
  const keys = new SwitchyardKeys(config.QUEUE_PREFIX);
  const queues = new LaneQueues({
    connection: redis,
    laneConnections: laneRedis.own,
    prefix: config.QUEUE_PREFIX,
    lanes: config.LANES,
    telemetry: bullmqTelemetryWhenTracing({ redisUrl }),
  });
  const index = new JobIndex({
    redis,
    prefix: config.QUEUE_PREFIX,
    // Past every job's life: its longest delay, its retention, a day of running and slack.
    maxAgeMs:
      config.JOB_DELAY_MAX_MS +
      Math.max(config.COMPLETED_RETENTION_SECONDS, config.FAILED_RETENTION_SECONDS) * 1000 +
      DAY_MS,
    // Every job the lanes may hold at once: a list never outgrows what it can point at.
    maxEntries:
      config.LANES.length *
      (config.LANE_MAX_DEPTH + config.COMPLETED_RETENTION_COUNT + config.FAILED_RETENTION_COUNT),
  });
  const quotas = new SubmissionQuotas(
    new LaneDepthGuard({
      redis,
      laneRedis: (lane) => laneRedis.of(lane),
      laneKey: (lane, type) => queues.get(lane).toKey(type),
      maxDepth: config.LANE_MAX_DEPTH,
    }),
    new TenantPendingJobs({
      redis,
      prefix: config.QUEUE_PREFIX,
      maxPendingJobs: config.TENANT_MAX_PENDING_JOBS,
      maxAgeMs: config.JOB_DELAY_MAX_MS + DAY_MS,
      // A member whose job is gone or finished was left by a consumer that died before it could
      // remove it: the sweep at the cap drops it.
      isFinished: (ids) =>
        Promise.all(
          ids.map(async (id) =>
            (await Promise.all(queues.all().map((queue) => queue.getJobState(id)))).every(
              (state) => state === 'unknown' || state === 'completed' || state === 'failed',
            ),
          ),
        ),
    }),
  );
  const router = new LaneRouter(config);
  const producer = new JobProducer({
    queues,
    redis,
    keys,
    validator: new JobSubmissionValidator(catalog, router, config),
    measuredRouting: new MeasuredRouting({
      profiles: new TaskCpuProfiles({
        redis,
        prefix: config.QUEUE_PREFIX,
        cpuHigh: config.AUTO_ROUTING_CPU_HIGH,
        cpuLow: config.AUTO_ROUTING_CPU_LOW,
      }),
      catalog,
      router,
      minSamples: config.AUTO_ROUTING_MIN_SAMPLES,
    }),
    guard: quotas,
    index,
    traceContext: injectTraceContext,
    batchTraces: (jobs) => startBatchJobTraces(jobs, { redisUrl }),
    onEnqueued: ({ data: { task, routing } }) =>
      switchyardMetrics().recordSubmitted({ task, lane: routing.lane, profile: routing.profile }),
  });
  const reader = new JobReader(
    queues,
    redis,
    keys,
    {
      jaegerUiUrl: config.JAEGER_UI_URL,
      redactPayload: (task, payload) => catalog.redactPayload(task, payload),
    },
    index,
  );
  const canceller = new JobCanceller(redis, keys, reader, {
    retentionSeconds: config.FAILED_RETENTION_SECONDS,
    onRemoved: async (job) => {
      // It never reaches a consumer, so the api counts it.
      switchyardMetrics().recordCancelledBeforeRun(job);
      await quotas.finished(job.tenant, job.id);
    },
  });
  const events = new LaneEvents({
    redisUrl: config.REDIS_URL,
    redisMode: config.REDIS_MODE,
    laneRedisUrls: config.LANE_REDIS_URLS,
    prefix: config.QUEUE_PREFIX,
    lanes: config.LANES,
  });
  const watcher = new JobWatcher(reader, events, { maxWatches: config.JOB_WATCHES_MAX });
  const retrier = new JobRetrier({
    queues,
    redis,
    keys,
    reader,
    guard: quotas,
    index,
    traceContext: injectTraceContext,
    onEnqueued: ({ data: { task, routing } }) =>
      switchyardMetrics().recordSubmitted({ task, lane: routing.lane, profile: routing.profile }),
  });
  const laneControls = new LaneControls(queues);
  const retention = new RetentionSweeper({
    queues,
    completedSeconds: config.COMPLETED_RETENTION_SECONDS,
    failedSeconds: config.FAILED_RETENTION_SECONDS,
  });
  retention.start();
  return {
    config,
    redis,
    laneRedis,
    catalog,
    queues,
    producer,
    reader,
    canceller,
    events,
    watcher,
    retrier,
    laneControls,
    retention,
  };
}
