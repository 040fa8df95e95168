import type { Provider } from '@nestjs/common';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import {
  createRedis,
  JobCanceller,
  JobProducer,
  JobReader,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  SwitchyardKeys,
} from '@switchyard/queue';
import { taskCatalogFromEnv, type TaskCatalog } from '@switchyard/tasks';
import {
  bullmqTelemetry,
  injectTraceContext,
  startBatchJobTraces,
  switchyardMetrics,
} from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { CONFIG, REDIS } from './api.tokens';

export const apiProviders: Provider[] = [
  { provide: CONFIG, useFactory: () => loadConfig() },
  {
    provide: REDIS,
    inject: [CONFIG],
    useFactory: (config: SwitchyardConfig) => createRedis(config.REDIS_URL, 'client', 'switchyard-api'),
  },
  { provide: 'TaskCatalog', useFactory: () => taskCatalogFromEnv() },
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
    provide: JobSubmissionValidator,
    inject: ['TaskCatalog', LaneRouter, CONFIG],
    useFactory: (catalog: TaskCatalog, router: LaneRouter, config: SwitchyardConfig) =>
      new JobSubmissionValidator(catalog, router, config),
  },
  {
    provide: JobProducer,
    inject: [LaneQueues, REDIS, SwitchyardKeys, JobSubmissionValidator],
    useFactory: (queues: LaneQueues, redis: Redis, keys: SwitchyardKeys, validator: JobSubmissionValidator) =>
      new JobProducer({
        queues,
        redis,
        keys,
        validator,
        traceCarrier: injectTraceContext,
        batchTraces: startBatchJobTraces,
        onEnqueued: ({ data: { task, routing } }) =>
          switchyardMetrics().recordSubmitted({ task, lane: routing.lane, profile: routing.profile }),
      }),
  },
  {
    provide: JobReader,
    inject: [LaneQueues, REDIS, SwitchyardKeys, CONFIG],
    useFactory: (queues: LaneQueues, redis: Redis, keys: SwitchyardKeys, config: SwitchyardConfig) =>
      new JobReader(queues, redis, keys, { jaegerUiUrl: config.JAEGER_UI_URL }),
  },
  {
    provide: JobCanceller,
    inject: [REDIS, SwitchyardKeys, JobReader, CONFIG],
    useFactory: (redis: Redis, keys: SwitchyardKeys, reader: JobReader, config: SwitchyardConfig) =>
      new JobCanceller(redis, keys, reader, { retentionSeconds: config.FAILED_RETENTION_SECONDS }),
  },
];
