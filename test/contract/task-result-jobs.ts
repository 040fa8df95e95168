/**
 * A small payload per task, so the contract test reads a completed job of every task the document lists
 * and checks its result against that task's `TaskResult.<task>`. A task documented without a payload here
 * fails the test: add one.
 */
export function completingPayloads(httpTargetUrl: string): Record<string, unknown> {
  return {
    'io.sleep': { ms: 1 },
    'io.http': { url: httpTargetUrl },
    'cpu.primes': { limit: 1_000 },
    'cpu.hash': { input: 'contract', rounds: 10 },
    'cpu.mandelbrot': { width: 16, height: 12, maxIterations: 50 },
    'cpu.matmul': { n: 8, seed: 1 },
    'diag.spin': { ms: 10 },
  };
}

/** A result schema no value matches (`not: {}`): the task never completes (diag.crash). */
export function admitsNoResult(schema: Record<string, unknown>): boolean {
  const not = schema.not as Record<string, unknown> | undefined;
  return not !== undefined && Object.keys(not).length === 0;
}
