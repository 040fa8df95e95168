import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { logSize, loggedServerErrors } from './api-error-log';
import {
  describeRequest,
  violationOf,
  type FuzzClient,
  type FuzzLedger,
  type FuzzRequest,
  type Violation,
} from './fuzz-client';

/** One endpoint family: its generated requests and how many to send. */
export interface FuzzGroup {
  name: string;
  runs: number;
  requests: fc.Arbitrary<FuzzRequest>;
}

/** The first request of one kind of violation in a group, and how often the kind occurred. */
export interface ObservedViolation {
  violation: Violation;
  request: FuzzRequest;
  /** The run that produced it: fast-check's replay path from the group's seed. */
  run: number;
  count: number;
  /** The shortest distinct requests of this kind, to look for other causes behind the same answer. */
  samples: FuzzRequest[];
}

const SAMPLES_MAX = 24;

function keepSample(observed: ObservedViolation, request: FuzzRequest): void {
  const text = describeRequest(request);
  if (observed.samples.some((sample) => describeRequest(sample) === text)) return;
  observed.samples.push(request);
  observed.samples.sort((a, b) => describeRequest(a).length - describeRequest(b).length);
  observed.samples.length = Math.min(observed.samples.length, SAMPLES_MAX);
}

export interface GroupSurvey {
  group: FuzzGroup;
  seed: number;
  violations: ObservedViolation[];
  /** Set when the survey stopped early: the harness could not send a generated request. */
  stoppedBy?: string;
}

/**
 * Sends every generated request of a group and records each kind of violation, without stopping
 * at the first: one run shows every cause. The property never fails here, so run k is exactly
 * fast-check's path `k` from this seed.
 */
export async function surveyGroup(
  group: FuzzGroup,
  seed: number,
  client: FuzzClient,
  ledger: FuzzLedger,
): Promise<GroupSurvey> {
  const byKind = new Map<string, ObservedViolation>();
  let run = 0;
  const details = await fc.check(
    fc.asyncProperty(group.requests, async (request) => {
      const index = run++;
      const outcome = await client.send(request);
      ledger.record(request, outcome);
      const violation = violationOf(request, outcome);
      if (!violation) return;
      const known = byKind.get(violation.kind);
      if (known) known.count++;
      else byKind.set(violation.kind, { violation, request, run: index, count: 1, samples: [] });
      keepSample(byKind.get(violation.kind) as ObservedViolation, request);
    }),
    { seed, numRuns: group.runs },
  );
  const stoppedBy = details.failed ? fc.defaultReportMessage(details) : undefined;
  return { group, seed, violations: [...byKind.values()], stoppedBy };
}

class SameViolation extends Error {
  constructor(readonly violation: Violation) {
    super(violation.message);
    this.stack = violation.message; // the request is the story here, not the test's frames
  }
}

/** Shrinking one kind of violation stops here; what is found by then is reported. */
const SHRINK_BUDGET_MS = 20_000;
/** Lets the api's log stream reach its file before it is read. */
const LOG_FLUSH_MS = 200;

/** Sends one request alone and returns its answer's violation and the server errors it logged. */
async function sendAlone(
  client: FuzzClient,
  request: FuzzRequest,
  apiLog: string,
): Promise<{ violation?: Violation; logged: string[] }> {
  const from = logSize(apiLog);
  const violation = violationOf(request, await client.send(request));
  await delay(LOG_FLUSH_MS);
  const logged = loggedServerErrors(apiLog, from).map(({ message, where }) => `${message} at ${where}`);
  return { violation, logged };
}

/**
 * Replays the run that first showed a violation and lets fast-check shrink it, keeping only
 * requests that show the same kind; then sends the smallest once more, alone, and reads what the
 * api logged for it. For a 5xx, the kept samples are sent alone too, and each other logged cause
 * is shown with its request. A hang is reported as found (shrinking takes 10 s a step).
 */
export async function explainViolation(
  survey: GroupSurvey,
  observed: ObservedViolation,
  client: FuzzClient,
  apiLog: string,
): Promise<string> {
  let smallest = observed.request;
  let path = String(observed.run);
  if (observed.violation.kind !== 'hang') {
    const details = await fc.check(
      fc.asyncProperty(survey.group.requests, async (request) => {
        const violation = violationOf(request, await client.send(request));
        if (violation?.kind === observed.violation.kind) throw new SameViolation(violation);
      }),
      { seed: survey.seed, path, plugins: [fc.interruptAfterTimeLimit(SHRINK_BUDGET_MS)] },
    );
    if (details.failed && details.counterexample) {
      [smallest] = details.counterexample as [FuzzRequest];
      path = details.counterexamplePath ?? path;
    }
  }
  const { violation, logged } = await sendAlone(client, smallest, apiLog);
  const lines = [
    `${observed.count} × ${observed.violation.kind}`,
    `    request: ${describeRequest(smallest)}`,
    `    answer:  ${(violation ?? observed.violation).message}`,
    ...logged.map((cause) => `    api log: ${cause}`),
  ];
  if (/^5\d\d /.test(observed.violation.kind)) {
    const causes = new Set(logged);
    for (const sample of observed.samples) {
      for (const cause of (await sendAlone(client, sample, apiLog)).logged) {
        if (causes.has(cause)) continue;
        causes.add(cause);
        lines.push(`    also:    ${cause}\n             ← ${describeRequest(sample)}`);
      }
    }
  }
  lines.push(`    replay:  group seed ${survey.seed}, fast-check path "${path}"`);
  return lines.join('\n');
}
