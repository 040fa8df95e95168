import { Module, type DynamicModule } from '@nestjs/common';
import {
  JobCanceller,
  JobProducer,
  JobReader,
  JobRetrier,
  JobWatcher,
  LaneControls,
  LaneEvents,
  LaneQueues,
  LaneRedis,
  RetentionSweeper,
} from '@switchyard/queue';
import { TaskCatalog } from '@switchyard/tasks';
import { ApiLifecycle } from './api-lifecycle';
import { ApiMetrics } from './api-metrics';
import type { ApiServices } from './api-services';
import { CONFIG } from './api.tokens';
import { CatalogController } from './controllers/catalog.controller';
import { HealthController } from './controllers/health.controller';
import { JobEventsController } from './controllers/job-events.controller';
import { JobOperationsController } from './controllers/job-operations.controller';
import { JobsController } from './controllers/jobs.controller';
import { QueueControlsController } from './controllers/queue-controls.controller';

/** The api's controllers and hooks over services built by `createApiServices`, each injected by its class. */
@Module({})
export class ApiModule {
  static register(services: ApiServices): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        JobsController,
        JobEventsController,
        JobOperationsController,
        QueueControlsController,
        CatalogController,
        HealthController,
      ],
      providers: [
        { provide: CONFIG, useValue: services.config },
        { provide: LaneRedis, useValue: services.laneRedis },
        { provide: TaskCatalog, useValue: services.catalog },
        { provide: LaneQueues, useValue: services.queues },
        { provide: JobProducer, useValue: services.producer },
        { provide: JobReader, useValue: services.reader },
        { provide: JobCanceller, useValue: services.canceller },
        { provide: LaneEvents, useValue: services.events },
        { provide: JobWatcher, useValue: services.watcher },
        { provide: JobRetrier, useValue: services.retrier },
        { provide: LaneControls, useValue: services.laneControls },
        { provide: RetentionSweeper, useValue: services.retention },
        ApiLifecycle,
        ApiMetrics,
      ],
    };
  }
}
