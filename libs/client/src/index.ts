export {
  SwitchyardClient,
  SwitchyardApiError,
  isFinished,
  type JobRequest,
  type SwitchyardClientOptions,
  type WaitOptions,
} from './switchyard-client';
export { mapWithConcurrency } from './map-with-concurrency';
