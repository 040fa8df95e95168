import type { z } from 'zod';
import type { Profile } from './profile';

/** What a handler gets besides its payload; the same on the event loop, in a thread or in a child. */
export interface TaskContext {
  /** Aborted on cancellation or timeout. Handlers that await should honour it. */
  readonly signal: AbortSignal;
  /** Reports progress, 0–100. Cheap to call often: reports are throttled by the executor. */
  progress(percent: number): void;
}

export type TaskHandler<Payload, Result> = (payload: Payload, ctx: TaskContext) => Promise<Result>;

/** A named, registered unit of work. */
export interface TaskDefinition<Payload = unknown, Result = unknown> {
  readonly name: string;
  readonly description: string;
  /** The profile a job of this task gets unless the client overrides it. */
  readonly profile: Profile;
  /**
   * Every profile a job of this task may run under; `profile` must be one of them (the catalog refuses to
   * register the task otherwise). Moving a job onto another profile is an admin decision
   * (`ALLOW_PROFILE_OVERRIDE`).
   * @defaultValue [profile] (applied by the catalog)
   */
  readonly profiles?: readonly Profile[];
  /**
   * A job that names no profile is routed as `profile: "auto"` is: by the task's measured CPU/wall ratio
   * among `profiles`, with `profile` until enough attempts were measured. For tasks that fit either kind of lane.
   * @defaultValue false
   */
  readonly autoRoute?: boolean;
  readonly payloadSchema: z.ZodType<Payload>;
  /**
   * What the handler resolves with, as the job view shows it (after a JSON round trip): documented as
   * `TaskResult.<name>` in the OpenAPI document, and checked against each task's example in the tests.
   * Strict objects, so a field the handler adds or renames is a contract change that cannot slip by.
   */
  readonly resultSchema: z.ZodType<Result>;
  /** A valid payload, shown in the catalog and used by the demo. */
  readonly example: Payload;
  /** Timeout applied when the job names none. */
  readonly defaultTimeoutMs: number;
  readonly handler: TaskHandler<Payload, Result>;
  /**
   * A copy of a payload fit to show in job views, logs and traces: credentials and other secrets replaced
   * by "[redacted]". Must not throw or change `payload`. Without it, the payload is shown as sent.
   */
  redactPayload?(payload: Payload): unknown;
}
