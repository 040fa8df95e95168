import type { Provider } from '@nestjs/common';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import {
  createRedis,
  JobCanceller,
  JobIndex,
  JobProducer,
  JobReader,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  SwitchyardKeys,
} from '@switchyard/queue';
import { LaneDepthGuard, SubmissionQuotas, TenantPendingJobs } from '@switchyard/quotas';
import { taskCatalogFromEnv, type TaskCatalog } from '@switchyard/tasks';
import {
  bullmqTelemetry,
  injectTraceContext,
  startBatchJobTraces,
  switchyardMetrics,
} from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { CONFIG, REDIS } from './api.tokens';

const DAY_MS = 86_400_000;

export const apiProviders: Provider[] = [
  { provide: CONFIG, useFactory: () => loadConfig() },
  {
    provide: REDIS,
    inject: [CONFIG],
    useFactory: (config: SwitchyardConfig) => createRedis(config.REDIS_URL, 'client', 'switchyard-api'),
  },
  {
    provide: 'TaskCatalog',
    useFactory: () => {
      const catalog = taskCatalogFromEnv();
      // A task name a client made up never becomes a metric label.
      switchyardMetrics().limitTaskLabels(catalog.names());
      return catalog;
    },
  },
  {
    provide: SwitchyardKeys,
    inject: [CONFIG],
    useFactory: (config: SwitchyardConfig) => new SwitchyardKeys(config.QUEUE_PREFIX),
  },
  { provide: LaneRouter, inject: [CONFIG], useFactory: (config: SwitchyardConfig) => new LaneRouter(config) },
  {
    provide: LaneQueues,
    inject: [CONFIG, REDIS],
    useFactory: (config: SwitchyardConfig, redis: Redis) =>
      new LaneQueues({
        connection: redis,
        prefix: config.QUEUE_PREFIX,
        lanes: config.LANES,
        telemetry: bullmqTelemetry(),
      }),
  },
  {
    provide: JobIndex,
    inject: [CONFIG, REDIS],
    useFactory: (config: SwitchyardConfig, redis: Redis) =>
      new JobIndex({
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
      }),
  },
  {
    provide: SubmissionQuotas,
    inject: [CONFIG, REDIS, LaneQueues],
    useFactory: (config: SwitchyardConfig, redis: Redis, queues: LaneQueues) =>
      new SubmissionQuotas(
        new LaneDepthGuard({ redis, prefix: config.QUEUE_PREFIX, maxDepth: config.LANE_MAX_DEPTH }),
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
      ),
  },
  {
    provide: JobSubmissionValidator,
    inject: ['TaskCatalog', LaneRouter, CONFIG],
    useFactory: (catalog: TaskCatalog, router: LaneRouter, config: SwitchyardConfig) =>
      new JobSubmissionValidator(catalog, router, config),
  },
  {
    provide: JobProducer,
    inject: [LaneQueues, REDIS, SwitchyardKeys, JobSubmissionValidator, SubmissionQuotas, JobIndex],
    useFactory: (
      queues: LaneQueues,
      redis: Redis,
      keys: SwitchyardKeys,
      validator: JobSubmissionValidator,
      quotas: SubmissionQuotas,
      index: JobIndex,
    ) =>
      new JobProducer({
        queues,
        redis,
        keys,
        validator,
        guard: quotas,
        index,
        traceCarrier: injectTraceContext,
        batchTraces: startBatchJobTraces,
        onEnqueued: ({ data: { task, routing } }) =>
          switchyardMetrics().recordSubmitted({ task, lane: routing.lane, profile: routing.profile }),
      }),
  },
  {
    provide: JobReader,
    inject: [LaneQueues, REDIS, SwitchyardKeys, CONFIG, 'TaskCatalog', JobIndex],
    useFactory: (
      queues: LaneQueues,
      redis: Redis,
      keys: SwitchyardKeys,
      config: SwitchyardConfig,
      catalog: TaskCatalog,
      index: JobIndex,
    ) =>
      new JobReader(
        queues,
        redis,
        keys,
        {
          jaegerUiUrl: config.JAEGER_UI_URL,
          redactPayload: (task, payload) => catalog.redactPayload(task, payload),
        },
        index,
      ),
  },
  {
    provide: JobCanceller,
    inject: [REDIS, SwitchyardKeys, JobReader, CONFIG, SubmissionQuotas],
    useFactory: (
      redis: Redis,
      keys: SwitchyardKeys,
      reader: JobReader,
      config: SwitchyardConfig,
      quotas: SubmissionQuotas,
    ) =>
      new JobCanceller(redis, keys, reader, {
        retentionSeconds: config.FAILED_RETENTION_SECONDS,
        onRemoved: (job) => quotas.finished(job.tenant, job.id),
      }),
  },
];
