import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { lanePauseStateSchema, type LanePauseStateResponse } from '@switchyard/contracts';
import { LaneControls } from '@switchyard/queue';
import { ApiContract } from '../openapi/api-contract.decorator';

const LANE = ApiParam({
  name: 'lane',
  description: 'A lane of LANES, e.g. io or cpu',
  schema: { type: 'string' },
});
const UNKNOWN_LANE: [404, string] = [404, 'No such lane: the problem lists the lanes in `lanes`'];

@ApiTags('queues')
@Controller('v1/queues')
export class QueueControlsController {
  constructor(private readonly lanes: LaneControls) {}

  @Post(':lane/pause')
  @HttpCode(200)
  @LANE
  @ApiContract({
    operationId: 'pauseLane',
    summary: 'Pause a lane',
    description:
      "Every consumer of the lane, in every pod, stops taking jobs; active jobs run to their end and submissions still queue up. GET /v1/queues shows the lane's paused flag.",
    scope: 'admin',
    responses: { 200: { description: 'Paused (also when it already was)', schema: lanePauseStateSchema } },
    problems: [UNKNOWN_LANE, 503],
  })
  pause(@Param('lane') lane: string): Promise<LanePauseStateResponse> {
    return this.lanes.pause(lane);
  }

  @Post(':lane/resume')
  @HttpCode(200)
  @LANE
  @ApiContract({
    operationId: 'resumeLane',
    summary: 'Resume a paused lane',
    description: "The lane's consumers take jobs again.",
    scope: 'admin',
    responses: {
      200: { description: 'Resumed (also when it was not paused)', schema: lanePauseStateSchema },
    },
    problems: [UNKNOWN_LANE, 503],
  })
  resume(@Param('lane') lane: string): Promise<LanePauseStateResponse> {
    return this.lanes.resume(lane);
  }
}
