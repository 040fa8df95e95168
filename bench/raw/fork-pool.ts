import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

interface QueuedRun {
  payload: unknown;
  resolve(result: unknown): void;
}

/**
 * The least a process pool can be: `size` children forked once (`serialization: 'advanced'`, structured
 * clone, which Node offers for IPC), one run at a time each, a FIFO queue in front, each run a
 * `child.send` answered by `process.send`. Nothing else: no abort, no timeout, no crash recovery.
 */
export class RawForkPool {
  private readonly idle: ChildProcess[];
  private readonly queue: QueuedRun[] = [];
  private readonly running = new Map<ChildProcess, QueuedRun>();

  private constructor(private readonly children: ChildProcess[]) {
    this.idle = [...children];
    for (const child of children) {
      child.on('message', (message: { result: unknown }) => {
        this.running.get(child)?.resolve(message.result);
        this.running.delete(child);
        this.idle.push(child);
        this.dispatch();
      });
    }
  }

  static async start(size: number): Promise<RawForkPool> {
    const children = Array.from({ length: size }, () =>
      fork(path.join(__dirname, 'fork-primes.child.js'), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      }),
    );
    await Promise.all(children.map((child) => once(child, 'spawn')));
    return new RawForkPool(children);
  }

  run(payload: unknown): Promise<unknown> {
    return new Promise((resolve) => {
      this.queue.push({ payload, resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const child = this.idle.pop() as ChildProcess;
      const run = this.queue.shift() as QueuedRun;
      this.running.set(child, run);
      child.send({ payload: run.payload });
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      }),
    );
  }
}
