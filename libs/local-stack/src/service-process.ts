import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pollUntil } from '@switchyard/polling';

export type AppName = 'api' | 'io-consumer' | 'compute';

/** The compiled entry point of an app, from this file's place in dist/. */
export function appEntry(app: AppName): string {
  return path.resolve(__dirname, '../../../apps', app, 'src/main.js');
}

/**
 * Runs AsyncLocalStorage (OpenTelemetry's context manager) on V8's continuation-preserved data instead of
 * async_hooks' promise hooks: ~20 µs less per job on a consumer's event loop, and ~6 KiB less garbage.
 * The default from Node 24; the images set it too (docker/Dockerfile). Threads and forked children inherit it.
 */
export const ASYNC_CONTEXT_FRAME = '--experimental-async-context-frame';

/** `nodeOptions` with `ASYNC_CONTEXT_FRAME` added unless it is there already. */
export function withAsyncContextFrame(nodeOptions: string | undefined): string {
  if (!nodeOptions) return ASYNC_CONTEXT_FRAME;
  return nodeOptions.includes(ASYNC_CONTEXT_FRAME) ? nodeOptions : `${ASYNC_CONTEXT_FRAME} ${nodeOptions}`;
}

export interface ServiceProcessOptions {
  app: AppName;
  /** Label in logs and status, e.g. `compute-threads#1`. */
  label: string;
  env: NodeJS.ProcessEnv;
  /** URL polled until it answers 200. */
  readyUrl: string;
  /** Where stdout and stderr go; `inherit` shows them on this terminal. */
  logFile?: string | 'inherit';
  /** @defaultValue 30000 */
  readyTimeoutMs?: number;
}

/** One OS process of an app: the local stand-in for a pod. */
export class ServiceProcess {
  readonly child: ChildProcess;
  private exited: Promise<number | null>;

  constructor(readonly options: ServiceProcessOptions) {
    const inherit = options.logFile === 'inherit';
    this.child = spawn(process.execPath, [appEntry(options.app)], {
      env: { ...options.env, NODE_OPTIONS: withAsyncContextFrame(options.env.NODE_OPTIONS) },
      stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    if (!inherit && options.logFile) {
      const log = createWriteStream(options.logFile, { flags: 'a' });
      this.child.stdout?.pipe(log);
      this.child.stderr?.pipe(log);
    } else if (!inherit) {
      this.child.stdout?.resume();
      this.child.stderr?.resume();
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** The signal that ended the process (a Nest app re-raises SIGTERM after its shutdown hooks). */
  get exitSignal(): NodeJS.Signals | null {
    return this.child.signalCode;
  }

  /** Sends a signal without waiting: SIGKILL for a crash, SIGTERM for a shutdown to observe. */
  signal(signal: NodeJS.Signals): void {
    if (!this.hasExited) this.child.kill(signal);
  }

  async waitUntilReady(): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    await pollUntil(
      async () => {
        if (this.child.exitCode !== null) {
          throw new Error(
            `${this.options.label} exited with code ${this.child.exitCode} before it was ready${this.logHint()}`,
          );
        }
        return fetch(this.options.readyUrl, { signal: AbortSignal.timeout(1_000) }).then(
          (response) => response.ok,
          () => false,
        );
      },
      {
        timeoutMs,
        intervalMs: 100,
        onTimeout: () =>
          new Error(
            `${this.options.label} was not ready at ${this.options.readyUrl} within ${timeoutMs} ms${this.logHint()}`,
          ),
      },
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }

  private logHint(): string {
    return typeof this.options.logFile === 'string' && this.options.logFile !== 'inherit'
      ? `; see ${this.options.logFile}`
      : '';
  }
}
