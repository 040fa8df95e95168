import { Module } from '@nestjs/common';
import { ApiLifecycle } from './api-lifecycle';
import { ApiMetrics } from './api-metrics';
import { apiProviders } from './api.providers';
import { CatalogController } from './controllers/catalog.controller';
import { HealthController } from './controllers/health.controller';
import { JobsController } from './controllers/jobs.controller';

@Module({
  controllers: [JobsController, CatalogController, HealthController],
  providers: [...apiProviders, ApiLifecycle, ApiMetrics],
})
export class ApiModule {}
