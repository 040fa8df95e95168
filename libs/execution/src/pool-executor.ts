import type { AttemptContext, ExecutionModel, ExecutionPlacement, PoolStats } from '@switchyard/contracts';
import type { ExecutionOutcome, Executor, ExecutorTraits, RunHooks } from './executor';
import { ExecuteSpanRelay } from './execute-span-relay';
import { deserializeError, ExecutorClosedError } from './execution-errors';
import type { PoolEngine } from './pool-engine';
import type { RunEvent, RunReply } from './remote-run';
import { RunAbortScope } from './run-abort-scope';

/** Every pool: one job per worker, and a worker is elsewhere than the consumer's event loop. */
const POOL_TRAITS = { blocksEventLoop: false, reportsPlacementAtStart: true } as const;

/**
 * Runs attempts on a pool of workers, whatever the engine: worker threads (ThreadPool) or child
 * processes (ChildProcessPool). It gives every run its timeout, maps how a run ended (cancel, timeout,
 * crash, close) to the error it rejects with, relays the execute span the worker recorded, and counts.
 */
export class PoolExecutor implements Executor {
  readonly traits: ExecutorTraits;
  readonly #engine: PoolEngine;
  #completed = 0;
  #failed = 0;
  #closing?: Promise<void>;

  constructor(
    readonly model: ExecutionModel,
    readonly size: number,
    engine: PoolEngine,
  ) {
    this.traits = { ...POOL_TRAITS, concurrency: size };
    this.#engine = engine;
  }

  async run(attempt: AttemptContext, hooks: RunHooks = {}): Promise<ExecutionOutcome> {
    if (this.#closing) throw new ExecutorClosedError(this.model);
    const scope = new RunAbortScope(attempt, hooks.signal);
    // Only a traced attempt has an execute span to relay.
    const span = attempt.traceparent ? new ExecuteSpanRelay(attempt, this.model) : undefined;
    let placement: ExecutionPlacement | undefined;
    let settled = false;
    const started = (where: ExecutionPlacement) => {
      if (placement || settled) return;
      placement = where;
      hooks.onStart?.(where);
    };
    const onEvent = (event: RunEvent) => {
      if (event.type === 'start') {
        // Heard even once the run has failed: a span opened by a worker stopped meanwhile is closed at once.
        if (event.span) span?.started(event.span, event.placement);
        if (!settled) started(event.placement);
      } else if (!settled) hooks.onProgress?.(event.percent);
    };
    let reply: RunReply;
    try {
      reply = await this.#engine.run(attempt, scope.signal, onEvent);
    } catch (error) {
      settled = true;
      const failure = scope.signal.aborted
        ? scope.signal.reason
        : this.#closing
          ? new ExecutorClosedError(this.model)
          : error;
      span?.abandoned(failure);
      this.#failed++;
      throw failure;
    } finally {
      scope.dispose();
    }
    // The reply may overtake the start event (a thread's events use another port): report the start
    // first, for a failed run too, so its attempt still records where it ran and what CPU it used.
    if (reply.placement) started(reply.placement);
    if (reply.percent !== undefined) hooks.onProgress?.(reply.percent);
    settled = true;
    span?.finished(reply.span);
    if (!reply.ok) {
      this.#failed++;
      throw deserializeError(reply.error);
    }
    this.#completed++;
    const { result, startedAt, finishedAt, cpuMs } = reply;
    return { result, placement: reply.placement, startedAt, finishedAt, cpuMs };
  }

  stats(): PoolStats {
    return {
      model: this.model,
      size: this.size,
      busy: this.#engine.busy,
      queued: this.#engine.queued,
      workers: this.#engine.workers,
      completed: this.#completed,
      failed: this.#failed,
    };
  }

  /** Stops every worker at once (threads terminated, children SIGKILLed); runs in progress reject with ExecutorClosedError. */
  close(): Promise<void> {
    this.#closing ??= this.#engine.close();
    return this.#closing;
  }
}
