import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { lanePauseStateSchema, type LanePauseStateResponse } from '@switchyard/contracts';
import { LaneControls } from '@switchyard/queue';
import { RequireScope } from '../security/require-scope';
import { openApiSchemaOf } from './caller-scope';

const PAUSE_STATE = openApiSchemaOf(lanePauseStateSchema);

@ApiTags('queues')
@ApiBearerAuth()
@Controller('v1/queues')
export class QueueControlsController {
  constructor(private readonly lanes: LaneControls) {}

  @Post(':lane/pause')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Pause a lane',
    description:
      "Every consumer of the lane, in every pod, stops taking jobs; active jobs run to their end and submissions still queue up. GET /v1/queues shows the lane's paused flag.",
  })
  @ApiResponse({ status: 200, description: 'Paused (also when it already was)', schema: PAUSE_STATE })
  @ApiResponse({ status: 404, description: 'No such lane; the problem lists the lanes' })
  pause(@Param('lane') lane: string): Promise<LanePauseStateResponse> {
    return this.lanes.pause(lane);
  }

  @Post(':lane/resume')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Resume a paused lane', description: "The lane's consumers take jobs again." })
  @ApiResponse({ status: 200, description: 'Resumed (also when it was not paused)', schema: PAUSE_STATE })
  @ApiResponse({ status: 404, description: 'No such lane; the problem lists the lanes' })
  resume(@Param('lane') lane: string): Promise<LanePauseStateResponse> {
    return this.lanes.resume(lane);
  }
}
