import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';

const payloadSchema = z.strictObject({
  /**
   * `throw`: the handler throws. `exit`: it calls `process.exit(1)`. `heap`: it allocates until the heap
   * limit ends the thread or process running it. `hang`: it loops forever without yielding or looking
   * at its signal (a runaway). The last three only run where they end or stop a disposable worker.
   */
  mode: z.enum(['throw', 'exit', 'heap', 'hang']),
  /** With `throw`: pads the error message to this many characters, to show stored errors are bounded. */
  messageChars: z
    .number()
    .int()
    .min(1)
    .max(1 << 20)
    .optional(),
});

export type DiagCrashPayload = z.infer<typeof payloadSchema>;

/** The error `diag.crash {mode: 'throw'}` fails with; its name survives thread and process hops. */
export class DiagnosticCrashError extends Error {
  override readonly name = 'DiagnosticCrashError';
}

/** Arrays of 64 Ki numbers (512 KiB each) kept alive until V8 runs out of heap. */
function exhaustHeap(): never {
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array<number>(1 << 16).fill(hoard.length));
}

/** A synchronous loop that never ends: nothing on its thread runs again. */
function runAway(): never {
  for (;;);
}

/**
 * Fails on purpose, to show that a failing, dying or runaway worker fails only its job.
 * @param allowProcessExit see TaskCatalogOptions.allowProcessExit: without it, `exit`, `heap` and `hang`
 *   are refused (thrown as an error) because on the consumer's own thread they would end it (`exit`,
 *   `heap`: V8 aborts the process at its heap limit) or wedge it until its liveness probe kills it (`hang`).
 */
export function createDiagCrashTask(allowProcessExit: boolean): TaskDefinition<DiagCrashPayload, never> {
  return {
    name: 'diag.crash',
    description:
      "Diagnostic: fails on purpose. mode 'throw' throws an error; 'exit' calls process.exit(1); 'heap' allocates until the heap limit; 'hang' loops forever without yielding. 'exit', 'heap' and 'hang' end or stop only the worker thread or child process running them, so they are refused on the event-loop and inline models, where they would end or wedge the consumer.",
    profile: 'cpu',
    payloadSchema,
    // It never completes: no result is valid.
    resultSchema: z.never(),
    example: { mode: 'throw' },
    defaultTimeoutMs: 10_000,
    async handler({ mode, messageChars = 0 }) {
      if (mode === 'throw') {
        throw new DiagnosticCrashError('diag.crash failed on purpose (mode throw)'.padEnd(messageChars, '.'));
      }
      if (!allowProcessExit) {
        throw new DiagnosticCrashError(
          `diag.crash refused mode '${mode}': this task runs on the consumer's own thread, where it would end or wedge the consumer; run it on the worker-threads or processes model`,
        );
      }
      if (mode === 'exit') process.exit(1);
      if (mode === 'heap') exhaustHeap();
      runAway();
    },
  };
}
