import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LaneStats } from '@switchyard/contracts';
import { JobReader } from '@switchyard/queue';
import { RequireScope } from '../security/require-scope';
import { TaskCatalog, type TaskDescription } from '@switchyard/tasks';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('v1')
export class CatalogController {
  constructor(
    private readonly catalog: TaskCatalog,
    private readonly reader: JobReader,
  ) {}

  @Get('tasks')
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'The task catalog: name, default profile, payload JSON schema, an example payload',
  })
  tasks(): { tasks: TaskDescription[] } {
    return { tasks: this.catalog.describeAll() };
  }

  @Get('queues')
  @RequireScope('jobs:read')
  @ApiOperation({ summary: 'Per lane: waiting, active, delayed, completed, failed, workers online' })
  async queues(): Promise<{ lanes: LaneStats[] }> {
    return { lanes: await this.reader.laneStats() };
  }
}
