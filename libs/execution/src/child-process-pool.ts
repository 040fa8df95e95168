import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WorkerCrashedError, type AttemptContext, type ExecutionPlacement } from '@switchyard/contracts';
import { childLaunch, type ChildLaunch } from './child-launch';
import type { ChildMessage, ChildRunMessage, ChildSettings } from './child-messages';
import type { ResolvedExecutorOptions } from './executor-options';
import type { PoolEngine } from './pool-engine';
import type { RunEvent, RunReply } from './remote-run';

interface PendingRun {
  attempt: AttemptContext;
  /** Aborting it kills the child running the attempt (SIGKILL); the run rejects with the reason once it is gone. */
  signal: AbortSignal;
  onEvent(event: RunEvent): void;
  resolve(reply: RunReply): void;
  reject(error: unknown): void;
  child?: PoolChild;
}

interface PoolChild {
  process: ChildProcess;
  ready: boolean;
  run?: PendingRun;
  exited: Promise<void>;
}

/** Compiled next to this file, wherever the build puts it (dist/ or any outDir). */
const CHILD_ENTRY = path.join(__dirname, 'process-task.child.js');

/** What a run rejects with once the pool is closing (the executor names it ExecutorClosedError). */
function closedError(): Error {
  return new Error('the child process pool is closed');
}

/**
 * A fixed pool of forked children, one task at a time each, FIFO queue in front: the engine of the
 * processes model. It knows nothing of timeouts or catalogs, only of runs, signals and dead children.
 * Children die with this process (see childLaunch).
 *
 * Why our own small pool over `child_process.fork` rather than workerpool (`workerType: 'process'`):
 * - Cancellation: workerpool first sends a cleanup message and waits up to `workerTerminateTimeout`
 *   for the child to answer; a child busy in CPU work cannot answer, so every cancel or timeout
 *   waits that long before the kill. Here abort is an immediate SIGKILL, and the run rejects only
 *   once the child has exited, so "cancelled" means the work has really stopped.
 * - Errors: workerpool reports a dead child as a generic "Worker terminated Unexpectedly" string;
 *   here a dead child is a WorkerCrashedError with its pid and exit code or signal.
 * - Placement and events: the child's pid and start/progress events are first-class messages here;
 *   workerpool keeps its children private.
 * The pool is about 200 lines: fixed size, FIFO queue, replace on exit, stop respawning when a
 * child cannot even start.
 */
export class ChildProcessPool implements PoolEngine {
  /** The one argument every child gets: its settings as JSON. */
  readonly #settings: string;
  readonly #children = new Set<PoolChild>();
  readonly #queue: PendingRun[] = [];
  readonly #launch: ChildLaunch;
  #closing = false;
  /** Set when a child dies before it is ready: the entry cannot start, so respawning would loop. */
  #startupFailure?: string;

  /** Starts `poolSize` children at once; a dead one is replaced. */
  constructor(options: ResolvedExecutorOptions) {
    const settings: ChildSettings = {
      catalog: options.catalog,
      progressIntervalMs: options.progressIntervalMs,
    };
    this.#settings = JSON.stringify(settings);
    this.#launch = childLaunch(
      options.workerMaxHeapMb ? [`--max-old-space-size=${options.workerMaxHeapMb}`] : [],
    );
    for (let i = 0; i < options.poolSize; i++) this.#spawn();
  }

  /** Live children's placements. */
  get workers(): ExecutionPlacement[] {
    return [...this.#children].flatMap((child) =>
      child.process.pid ? [{ pid: child.process.pid, threadId: 0 }] : [],
    );
  }

  get busy(): number {
    return [...this.#children].filter((child) => child.run).length;
  }

  get queued(): number {
    return this.#queue.length;
  }

  run(attempt: AttemptContext, signal: AbortSignal, onEvent: (event: RunEvent) => void): Promise<RunReply> {
    return new Promise<RunReply>((resolve, reject) => {
      if (this.#closing) return reject(closedError());
      if (this.#startupFailure) return reject(new WorkerCrashedError(this.#startupFailure));
      if (signal.aborted) return reject(signal.reason);
      const pending: PendingRun = { attempt, signal, onEvent, resolve, reject };
      signal.addEventListener('abort', () => this.#abort(pending), { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Kills every child and waits until all are gone; queued and running runs reject. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const pending of this.#queue.splice(0)) pending.reject(closedError());
    const children = [...this.#children];
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
  }

  #spawn(): void {
    const child = fork(CHILD_ENTRY, [this.#settings], {
      ...this.#launch,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const poolChild: PoolChild = {
      process: child,
      ready: false,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    this.#children.add(poolChild);
    child.on('message', (message: ChildMessage) => this.#onMessage(poolChild, message));
    // A failed spawn or a broken IPC channel: make sure the child is gone; 'exit' does the bookkeeping.
    child.on('error', () => child.kill('SIGKILL'));
    child.once('exit', (code, signal) => this.#onExit(poolChild, code, signal));
  }

  #onMessage(child: PoolChild, message: ChildMessage): void {
    const run = child.run;
    switch (message.type) {
      case 'ready':
        child.ready = true;
        this.#dispatch();
        return;
      case 'start':
      case 'progress':
        run?.onEvent(message);
        return;
      case 'reply':
        if (!run) return;
        child.run = undefined;
        run.resolve(message.reply);
        this.#dispatch();
    }
  }

  #onExit(child: PoolChild, code: number | null, signal: NodeJS.Signals | null): void {
    this.#children.delete(child);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const run = child.run;
    if (run) {
      child.run = undefined;
      if (run.signal.aborted) run.reject(run.signal.reason);
      else if (this.#closing) run.reject(closedError());
      else {
        run.reject(
          new WorkerCrashedError(
            `child process ${child.process.pid} ${how} while running job ${run.attempt.jobId}; it was replaced`,
          ),
        );
      }
    }
    if (this.#closing) return;
    if (!child.ready) {
      this.#startupFailure = `a pool child process ${how} before it was ready: check ${CHILD_ENTRY} and its output`;
      if (this.#children.size === 0) {
        for (const pending of this.#queue.splice(0))
          pending.reject(new WorkerCrashedError(this.#startupFailure));
      }
      return;
    }
    this.#spawn();
  }

  #abort(pending: PendingRun): void {
    const index = this.#queue.indexOf(pending);
    if (index !== -1) {
      this.#queue.splice(index, 1);
      pending.reject(pending.signal.reason);
    } else if (pending.child?.run === pending) {
      // The rejection waits for 'exit', so when it arrives the work has really stopped.
      pending.child.process.kill('SIGKILL');
    }
  }

  #dispatch(): void {
    for (const child of this.#children) {
      if (this.#queue.length === 0) return;
      if (!child.ready || child.run || !child.process.connected) continue;
      const pending = this.#queue.shift() as PendingRun;
      pending.child = child;
      child.run = pending;
      const message: ChildRunMessage = { type: 'run', attempt: pending.attempt };
      child.process.send(message, (error) => {
        if (error) child.process.kill('SIGKILL');
      });
    }
  }
}
