export {
  closeRedis,
  createRedis,
  duplicateRedis,
  type RedisConnection,
  type RedisMode,
  type RedisRole,
} from './redis-connection';
export { cancelledJobsKey, laneQueuePrefix, SwitchyardKeys } from './switchyard-keys';
export { LaneRedis, type LaneRedisSettings } from './lane-redis';
export {
  IdempotencyKeyBusyError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  InvalidIdempotencyKeyError,
  InvalidJobQueryError,
  InvalidJobRequestError,
  JobAlreadyFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
  TooManyJobWatchesError,
  UnknownLaneError,
} from './errors';
export { LaneRouter, type RouteRequest } from './lane-router';
export {
  TaskCpuProfiles,
  CPU_RATIO_EWMA_WEIGHT,
  type CpuRatioBatch,
  type TaskCpuProfile,
  type TaskCpuProfilesOptions,
} from './task-cpu-profile';
export { MeasuredRouting, type MeasuredRoutingOptions } from './measured-routing';
export {
  LaneQueues,
  type LaneCounts,
  type LaneJobInsert,
  type LaneQueue,
  type LaneQueuesOptions,
} from './lane-queues';
export type { TaskLookup } from './task-lookup';
export {
  JobSubmissionValidator,
  type ValidatedSubmission,
  type SubmissionConfig,
  type Submitter,
} from './job-submission';
export {
  JobProducer,
  type BatchTraces,
  type CurrentTraceContext,
  type EnqueueGuard,
  type EnqueuedJob,
  type JobProducerOptions,
} from './job-producer';
export { JobReader, isJobId, type JobPage, type JobScope } from './job-reader';
export { JobCanceller, type CancelOutcome, type JobCancellerOptions } from './job-canceller';
export { toJobView, jobLinks, type CancellationRecord, type ViewLinks } from './job-view-mapper';
export {
  JobIndex,
  type JobIndexEntry,
  type JobIndexOptions,
  type JobIndexPage,
  type JobIndexQuery,
  type IndexedJob,
} from './job-index';
export { LaneEvents, type JobEventListener, type LaneEventName, type LaneEventsOptions } from './lane-events';
export {
  JobWatcher,
  isFinalState,
  type JobEvent,
  type JobEventKind,
  type JobFollow,
  type JobWatcherOptions,
} from './job-watcher';
export { JobRetrier, type JobRetrierOptions, type RetriedJob } from './job-retrier';
export { LaneControls, type LanePauseState } from './lane-controls';
export { RetentionSweeper, type RetentionSweeperOptions } from './retention-sweeper';
