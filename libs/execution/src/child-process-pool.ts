import { fork, type ChildProcess } from 'node:child_process';
import { WorkerCrashedError, type ExecutionPlacement } from '@switchyard/contracts';
import type { ExecuteSpanStart } from '@switchyard/telemetry/worker';
import { childLaunch, type ChildLaunch } from './child-launch';
import type { ChildMessage, ChildRunMessage } from './child-messages';
import type { RunReply } from './remote-run';
import type { TaskInvocation } from './run-task';

export interface ChildProcessPoolOptions {
  /** Children kept alive; a dead one is replaced. */
  size: number;
  /** The compiled child entry. */
  entry: string;
  /** Arguments passed to every child. */
  args: string[];
  /** Node options for every child, after this process's own (e.g. `--max-old-space-size=256`). */
  execArgv: string[];
  /** The error a run rejects with once the pool is closing. */
  closedError(): Error;
}

export interface ChildRunHooks {
  /** Aborting it kills the child running the task (SIGKILL); the run rejects with the reason once it is gone. */
  signal: AbortSignal;
  onStart(placement: ExecutionPlacement): void;
  onProgress(percent: number): void;
  /** The child opened the run's execute span. */
  onSpanStart(start: ExecuteSpanStart): void;
}

interface PendingRun {
  invocation: TaskInvocation;
  hooks: ChildRunHooks;
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

/**
 * A fixed pool of forked children, one task at a time each, FIFO queue in front. The private engine of
 * ProcessPoolExecutor: it knows nothing of timeouts or catalogs, only of runs, signals and dead children.
 * Children die with this process (see childLaunch).
 */
export class ChildProcessPool {
  readonly #options: ChildProcessPoolOptions;
  readonly #children = new Set<PoolChild>();
  readonly #queue: PendingRun[] = [];
  readonly #launch: ChildLaunch;
  #closing = false;
  /** Set when a child dies before it is ready: the entry cannot start, so respawning would loop. */
  #startupFailure?: string;

  constructor(options: ChildProcessPoolOptions) {
    this.#options = options;
    this.#launch = childLaunch(options.execArgv);
    for (let i = 0; i < options.size; i++) this.#spawn();
  }

  /** Live children's placements. */
  get children(): ExecutionPlacement[] {
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

  run(invocation: TaskInvocation, hooks: ChildRunHooks): Promise<RunReply> {
    return new Promise<RunReply>((resolve, reject) => {
      if (this.#closing) return reject(this.#options.closedError());
      if (this.#startupFailure) return reject(new WorkerCrashedError(this.#startupFailure));
      if (hooks.signal.aborted) return reject(hooks.signal.reason);
      const pending: PendingRun = { invocation, hooks, resolve, reject };
      hooks.signal.addEventListener('abort', () => this.#abort(pending), { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Kills every child and waits until all are gone; queued and running runs reject with closedError. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const pending of this.#queue.splice(0)) pending.reject(this.#options.closedError());
    const children = [...this.#children];
    for (const child of children) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
  }

  #spawn(): void {
    const child = fork(this.#options.entry, this.#options.args, {
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
        run?.hooks.onStart(message.placement);
        return;
      case 'progress':
        run?.hooks.onProgress(message.percent);
        return;
      case 'span-start':
        run?.hooks.onSpanStart(message.start);
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
      if (run.hooks.signal.aborted) run.reject(run.hooks.signal.reason);
      else if (this.#closing) run.reject(this.#options.closedError());
      else {
        run.reject(
          new WorkerCrashedError(
            `child process ${child.process.pid} ${how} while running job ${run.invocation.jobId}; it was replaced`,
          ),
        );
      }
    }
    if (this.#closing) return;
    if (!child.ready) {
      this.#startupFailure = `a pool child process ${how} before it was ready: check ${this.#options.entry} and its output`;
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
      pending.reject(pending.hooks.signal.reason);
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
      const message: ChildRunMessage = { type: 'run', invocation: pending.invocation };
      child.process.send(message, (error) => {
        if (error) child.process.kill('SIGKILL');
      });
    }
  }
}
