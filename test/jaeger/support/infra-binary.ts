/**
 * The real servers built by scripts/test-infra.mjs (Jaeger, etcd, kube-apiserver), found in its cache
 * and run as child processes with their output in a log file. Shared by test/jaeger and test/kube.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pollUntil } from '@switchyard/polling';

export type InfraToolName = 'jaeger' | 'etcd' | 'kube-apiserver';

interface TestInfraScript {
  infraTool(name: InfraToolName): { path: string } | { reason: string };
}

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** The binary's path, or why it is not there (never built, or its build failed and why). */
export async function infraTool(name: InfraToolName): Promise<{ path: string } | { reason: string }> {
  // The script is a plain ES module run by `node`; the compiled tests load it with import().
  const script = (await import(
    pathToFileURL(path.join(repoRoot, 'scripts', 'test-infra.mjs')).href
  )) as TestInfraScript;
  return script.infraTool(name);
}

export class InfraProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #exitCode: number | string | null = null;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    child: ChildProcess,
  ) {
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.#exitCode = code ?? signal;
        resolve();
      }),
    );
  }

  /** Starts `binary args`, its stdout and stderr appended to `logFile`. */
  static start(name: string, binary: string, args: readonly string[], logFile: string): InfraProcess {
    const fd = openSync(logFile, 'a');
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    return new InfraProcess(name, logFile, child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Polls `probe` until it answers; fails early, with the log's tail, if the process exits. */
  async waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    await pollUntil(
      async () => {
        if (this.#exitCode !== null)
          throw new Error(`${this.name} exited (${this.#exitCode}):\n${this.logTail()}`);
        return probe().catch(() => false);
      },
      {
        timeoutMs,
        intervalMs: 200,
        onTimeout: () => new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`),
      },
    );
  }

  logTail(lines = 20): string {
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL after 5 s; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#exitCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
