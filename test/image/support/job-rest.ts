import type { JobAccepted, JobView } from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';

// Plain fetch against the api's REST contract, as a user of the image would; no client library in between.

async function expectOk(response: Response, what: string): Promise<unknown> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${body}`);
  return JSON.parse(body);
}

export interface JobSubmission {
  task: string;
  payload: unknown;
  lane?: string;
}

export async function submitJob(baseUrl: string, job: JobSubmission): Promise<JobAccepted> {
  const response = await fetch(`${baseUrl}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(job),
  });
  return (await expectOk(response, `POST /v1/jobs ${job.task}`)) as JobAccepted;
}

export async function getJob(baseUrl: string, id: string): Promise<JobView> {
  return (await expectOk(await fetch(`${baseUrl}/v1/jobs/${id}`), `GET /v1/jobs/${id}`)) as JobView;
}

/** Polls the job until it is in one of `states`, and returns its view. */
export async function waitForJobState(
  baseUrl: string,
  id: string,
  states: JobView['state'][],
  timeoutMs: number,
): Promise<JobView> {
  let last: JobView | undefined;
  return pollUntil(
    async () => {
      last = await getJob(baseUrl, id);
      return states.includes(last.state) ? last : undefined;
    },
    {
      timeoutMs,
      intervalMs: 200,
      onTimeout: () =>
        new Error(
          `job ${id} still ${last?.state ?? 'unseen'} after ${timeoutMs} ms, not ${states.join('/')}`,
        ),
    },
  );
}

/** Waits until GET `url` answers 200 (a container's /readyz). */
export async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    () =>
      fetch(url).then(
        (response) => response.ok,
        () => false,
      ),
    { timeoutMs, intervalMs: 250, what: `${url} to answer 200` },
  );
}
