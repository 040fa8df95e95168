/**
 * The span names the Jaeger tests expect, in one place. The tests find spans by structure (parent,
 * kind, attributes) and check names against this table only, so a renaming (e.g. to the OpenTelemetry
 * messaging conventions) is one edit here.
 */
export const SPAN_NAMES = {
  /** The API's HTTP server span for a single submit. */
  submitRequest: 'POST /v1/jobs',
  /** The API's HTTP server span for a batch submit. */
  batchRequest: 'POST /v1/jobs/batch',
  /** The producer span that enqueues one job of a single submit. */
  publish: (lane: string, _task: string) => `publish ${lane}`,
  /** The producer span that starts each job's own trace in a batch (linked to the batch request). */
  batchJob: (lane: string, _task: string) => `create ${lane}`,
  /** The consumer span of one attempt. */
  process: (lane: string) => `process ${lane}`,
  /** The span of the task's run, inside the thread, child process or event loop that ran it. */
  execute: (task: string) => `execute ${task}`,
} as const;
