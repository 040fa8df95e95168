import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { laneListSchema, taskListSchema, type LaneStats } from '@switchyard/contracts';
import { JobReader } from '@switchyard/queue';
import { TaskCatalog, type TaskDescription } from '@switchyard/tasks';
import { ApiContract } from '../openapi/api-contract.decorator';

@ApiTags('catalog')
@Controller('v1')
export class CatalogController {
  constructor(
    private readonly catalog: TaskCatalog,
    private readonly reader: JobReader,
  ) {}

  @Get('tasks')
  @ApiContract({
    operationId: 'listTasks',
    summary: 'The task catalog: name, default profile, payload JSON schema, an example payload',
    scope: 'jobs:read',
    responses: { 200: { description: 'Every task, sorted by name', schema: taskListSchema } },
  })
  tasks(): { tasks: TaskDescription[] } {
    return { tasks: this.catalog.describeAll() };
  }

  @Get('queues')
  @ApiContract({
    operationId: 'listQueues',
    summary: 'Per lane: waiting, active, delayed, completed, failed, workers online',
    scope: 'jobs:read',
    responses: { 200: { description: 'Every lane', schema: laneListSchema } },
    problems: [503],
  })
  async queues(): Promise<{ lanes: LaneStats[] }> {
    return { lanes: await this.reader.laneStats() };
  }
}
