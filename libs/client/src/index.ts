export {
  SwitchyardClient,
  SwitchyardApiError,
  isFinished,
  type JobAccepted,
  type JobRequest,
  type JobView,
  type LaneStats,
  type ProblemDetails,
  type SwitchyardClientOptions,
  type WaitOptions,
} from './switchyard-client';
export type { components, operations, paths } from './generated/switchyard-api';
export { mapWithConcurrency } from './map-with-concurrency';
