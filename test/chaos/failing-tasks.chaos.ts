import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { JobRequest } from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import { isAlive, MODEL_LANES, type ComputeModel } from '../helpers/e2e-stack';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { printFigure, seconds } from './support/figure';
import { settleJobs } from './support/job-outcomes';

/** Jobs run on a lane right after a bad one: all must succeed. */
const FOLLOW_UP_JOBS = 100;
/** Allowance past a job's timeout for stopping its thread or child and writing the failure. */
const STOP_SLACK_MS = 2_000;
/** An inline run cannot be cut short: its runaway spins this long, past a timeout it cannot honour. */
const INLINE_SPIN_MS = 3_000;
/** Heap limit of each compute process, and so of its threads and children. */
const WORKER_HEAP_MB = 256;

interface BadTask {
  kind: string;
  job: JobRequest;
  /** The error name the job must fail with. */
  error?: string;
  /** Longest time from the attempt's start to its failure; default: the job's own timeout. */
  boundMs?: number;
}

/**
 * What each model is given. A runaway is a 60 s spin with a 2 s timeout; on `inline` nothing can
 * interrupt a task that blocks the consumer's thread (the anti-pattern the model is kept to show), so
 * its runaway is a 3 s spin that must end failed with JobTimeoutError, never completed. `exit` is
 * refused on `inline` (it would end the consumer), which is what its case checks.
 */
function badTasksFor(model: ComputeModel): BadTask[] {
  const lane = MODEL_LANES[model];
  const runaway: BadTask =
    model === 'inline'
      ? {
          kind: 'runaway',
          job: { task: 'diag.spin', payload: { ms: INLINE_SPIN_MS }, timeoutMs: 1_000, lane },
          error: 'JobTimeoutError',
          boundMs: INLINE_SPIN_MS + STOP_SLACK_MS,
        }
      : {
          kind: 'runaway',
          job: { task: 'diag.spin', payload: { ms: 60_000 }, timeoutMs: 2_000, lane },
          error: 'JobTimeoutError',
        };
  return [
    runaway,
    {
      kind: 'throw',
      job: { task: 'diag.crash', payload: { mode: 'throw' }, lane },
      error: 'DiagnosticCrashError',
    },
    {
      kind: 'process.exit',
      job: { task: 'diag.crash', payload: { mode: 'exit' }, lane },
      error: model === 'inline' ? 'DiagnosticCrashError' : 'WorkerCrashedError',
    },
  ];
}

interface CaseResult {
  label: string;
  /** The bad job's final state: `failed` is right. */
  state?: string;
  failedInMs?: number;
  error?: string;
  followUpsCompleted: number;
}

function runMs(view: JobView): number | undefined {
  return view.startedAt && view.finishedAt
    ? Date.parse(view.finishedAt) - Date.parse(view.startedAt)
    : undefined;
}

/** Whether the catalog's `diag.crash` accepts `mode` (read from its payload's JSON Schema). */
async function diagCrashAccepts(chaos: ChaosStack, mode: string): Promise<boolean> {
  const response = await fetch(`${chaos.stack.apiUrl}/v1/tasks`);
  const { tasks } = (await response.json()) as { tasks: { name: string; payloadSchema: unknown }[] };
  const schema = tasks.find((task) => task.name === 'diag.crash')?.payloadSchema as
    { properties?: { mode?: { enum?: unknown[] } } } | undefined;
  return schema?.properties?.mode?.enum?.includes(mode) ?? false;
}

describe('failing tasks under each compute model', () => {
  let chaos: ChaosStack;
  const computePids = new Map<ComputeModel, number>();
  before(async () => {
    chaos = await startChaosStack({
      services: [
        { name: 'api', app: 'api' },
        ...Object.entries(MODEL_LANES).map(([model, lane]) => ({
          name: `compute-${model}`,
          app: 'compute' as const,
          // A small heap, so a heap-exhausting task reaches its limit in a moment (threads and children
          // inherit it) instead of filling a shared machine's memory until its timeout.
          env: { LANE: lane, EXECUTION_MODEL: model, NODE_OPTIONS: `--max-old-space-size=${WORKER_HEAP_MB}` },
        })),
      ],
    });
    for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
      computePids.set(model, chaos.service(`compute-${model}`).pid);
    }
  });
  after(() => chaos?.stop());

  /** Runs one bad task, then FOLLOW_UP_JOBS good ones on its lane; asserts as a user would see it. */
  async function runCase(t: TestContext, model: ComputeModel, bad: BadTask): Promise<CaseResult> {
    const result: CaseResult = { label: `${bad.kind} on ${model}`, followUpsCompleted: 0 };
    await t.test(result.label, async () => {
      const view = await chaos.client.waitFor(
        (await chaos.client.submit({ ...bad.job, attempts: 1 })).id,
        90_000,
      );
      result.state = view.state;
      result.failedInMs = runMs(view);
      result.error = view.error?.name;
      const followUps = await chaos.client.submitMany(
        Array.from({ length: FOLLOW_UP_JOBS }, () => ({
          task: 'cpu.primes',
          payload: { limit: 10_000 },
          lane: MODEL_LANES[model],
        })),
      );
      result.followUpsCompleted = (await settleJobs(chaos.client, followUps, 60_000)).count('completed');

      assert.equal(view.state, 'failed', `${result.label} ended ${view.state}`);
      if (bad.error) assert.equal(view.error?.name, bad.error, view.error?.message);
      const boundMs = bad.boundMs ?? view.timeoutMs + STOP_SLACK_MS;
      assert.ok(
        result.failedInMs !== undefined && result.failedInMs <= boundMs,
        `${result.label} failed after ${result.failedInMs} ms; bound ${boundMs} ms`,
      );
      const pid = chaos.service(`compute-${model}`).pid;
      assert.equal(pid, computePids.get(model), 'the compute process is the one started with the stack');
      assert.ok(isAlive(pid), `compute-${model} (pid ${pid}) is still running`);
      assert.equal(
        result.followUpsCompleted,
        FOLLOW_UP_JOBS,
        `the next ${FOLLOW_UP_JOBS} jobs on the lane succeed`,
      );
    });
    return result;
  }

  function printResults(what: string, results: CaseResult[]): void {
    const slowest = Math.max(0, ...results.map((result) => result.failedInMs ?? 0));
    const describeCase = (result: CaseResult) =>
      `${result.label} ${result.failedInMs === undefined ? 'unfinished' : seconds(result.failedInMs)} ${result.error ?? 'no error'}`;
    const followUps = results.reduce((sum, result) => sum + result.followUpsCompleted, 0);
    printFigure(
      `${what}: ${results.filter((result) => result.state === 'failed').length}/${results.length} bad jobs ` +
        `failed (slowest in ${seconds(slowest)}), then ` +
        `${followUps}/${results.length * FOLLOW_UP_JOBS} jobs on the same lanes succeeded ` +
        `(${results.map(describeCase).join(', ')})`,
    );
  }

  test('runaway, throwing and process.exit tasks: failed within the timeout, the next 100 jobs succeed', async (t) => {
    // diag.crash mode 'hang' (where the catalog has it) is a runaway that never yields nor checks its signal.
    const hang = await diagCrashAccepts(chaos, 'hang');
    const results: CaseResult[] = [];
    for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
      const lane = MODEL_LANES[model];
      const cases = badTasksFor(model);
      if (hang) {
        cases.push({
          kind: 'hang',
          job: { task: 'diag.crash', payload: { mode: 'hang' }, timeoutMs: 2_000, lane },
          error: model === 'inline' ? undefined : 'JobTimeoutError',
        });
      }
      for (const bad of cases) results.push(await runCase(t, model, bad));
    }
    printResults(
      `runaway/throw/process.exit${hang ? '/hang' : ''} tasks under worker-threads, processes, inline`,
      results,
    );
  });

  // A heap-exhausting task must cost its job, never its consumer.
  test('heap-exhausting tasks: failed within the timeout, the next 100 jobs succeed', async (t) => {
    const results: CaseResult[] = [];
    for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
      const lane = MODEL_LANES[model];
      results.push(
        await runCase(t, model, {
          kind: 'heap',
          job: { task: 'diag.crash', payload: { mode: 'heap' }, lane },
        }),
      );
    }
    printResults('heap-exhausting tasks under worker-threads, processes, inline', results);
  });
});
