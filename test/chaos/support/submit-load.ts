import { setTimeout as delay } from 'node:timers/promises';
import { SwitchyardApiError, type JobRequest, type SwitchyardClient } from '@switchyard/client';

/** One `POST /v1/jobs` and how it was answered. */
export interface Submission {
  sentAt: number;
  answeredMs: number;
  /** The HTTP status; undefined when no answer came (connection refused, reset or client timeout). */
  status?: number;
  /** The job's id when the api accepted it (202). */
  id?: string;
}

export interface SubmitLoad {
  /** Stops submitting and resolves with every submission once those in flight are answered. */
  stop(): Promise<Submission[]>;
}

/**
 * Submits jobs one at a time from `concurrency` loops with a pause between them, recording how each
 * was answered, until stopped: steady load through whatever the scenario does meanwhile.
 */
export function startSubmitLoad(
  client: SwitchyardClient,
  jobFor: (sequence: number) => JobRequest,
  { concurrency = 4, pauseMs = 50 } = {},
): SubmitLoad {
  const submissions: Submission[] = [];
  let stopped = false;
  let sequence = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      const sentAt = Date.now();
      const submission: Submission = { sentAt, answeredMs: 0 };
      try {
        submission.id = (await client.submit(jobFor(sequence++))).id;
        submission.status = 202;
      } catch (error) {
        if (!(error instanceof SwitchyardApiError)) throw error;
        submission.status = error.status;
      }
      submission.answeredMs = Date.now() - sentAt;
      submissions.push(submission);
      await delay(pauseMs);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return submissions;
    },
  };
}
