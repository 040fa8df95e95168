/** Span and metric attribute names, in one place so a span's vocabulary reads at a glance. */
export enum SwitchyardAttributes {
  JobId = 'switchyard.job.id',
  Task = 'switchyard.task',
  Profile = 'switchyard.profile',
  Lane = 'switchyard.lane',
  ExecutionModel = 'switchyard.execution.model',
  Attempt = 'switchyard.attempt',
  QueueWaitMs = 'switchyard.queue_wait_ms',
  /** CPU time the run used, in ms, as its execution record's `cpuMs` (on the execute span). */
  CpuMs = 'switchyard.cpu_ms',
  Outcome = 'switchyard.outcome',
  /** A lane-depth series' job state: waiting, active or delayed. */
  JobState = 'switchyard.job.state',
  ThreadId = 'thread.id',
  ProcessPid = 'process.pid',
}
