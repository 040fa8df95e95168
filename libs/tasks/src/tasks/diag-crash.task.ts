import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';

const payloadSchema = z.strictObject({
  /** `throw`: the handler throws. `exit`: it calls `process.exit(1)`, ending its thread or child process. */
  mode: z.enum(['throw', 'exit']),
});

const resultSchema = z.never();

export type DiagCrashPayload = z.infer<typeof payloadSchema>;

/** The error `diag.crash {mode: 'throw'}` fails with; its name survives thread and process hops. */
export class DiagnosticCrashError extends Error {
  override readonly name = 'DiagnosticCrashError';
}

/**
 * Fails on purpose, to show that a failing or dying worker fails only its job.
 * @param allowProcessExit see TaskCatalogOptions.allowProcessExit: without it, `exit` is refused
 *   (thrown as an error) because `process.exit` there would end the consumer, not a disposable worker.
 */
export function createDiagCrashTask(allowProcessExit: boolean): TaskDefinition<DiagCrashPayload, never> {
  return {
    name: 'diag.crash',
    description:
      "Diagnostic: fails on purpose. mode 'throw' throws an error; mode 'exit' calls process.exit(1), which ends the worker thread or child process running it (refused on the event-loop and inline models, where it would end the consumer).",
    profile: 'cpu',
    payloadSchema,
    resultSchema,
    example: { mode: 'throw' },
    defaultTimeoutMs: 10_000,
    async handler({ mode }) {
      if (mode === 'throw') throw new DiagnosticCrashError('diag.crash failed on purpose (mode throw)');
      if (!allowProcessExit) {
        throw new DiagnosticCrashError(
          "diag.crash refused mode 'exit': this task runs on the consumer's own thread, where process.exit would end the consumer; run it on the worker-threads or processes model",
        );
      }
      process.exit(1);
    },
  };
}
