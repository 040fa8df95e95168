/**
 * Where a job actually runs.
 * - `event-loop`: many jobs interleaved on one thread (the asyncio analogue).
 * - `worker-threads`: a piscina pool; threads really run CPU work in parallel.
 * - `processes`: a pool of child processes (the multiprocessing analogue).
 * - `inline`: a CPU job run on the consumer's own event loop, kept as the baseline that shows blocking.
 */
export const EXECUTION_MODELS = ['event-loop', 'worker-threads', 'processes', 'inline'] as const;
export type ExecutionModel = (typeof EXECUTION_MODELS)[number];

/** The models a compute service may be configured with (`EXECUTION_MODEL`). */
export const COMPUTE_EXECUTION_MODELS = ['worker-threads', 'processes', 'inline'] as const;
export type ComputeExecutionModel = (typeof COMPUTE_EXECUTION_MODELS)[number];
