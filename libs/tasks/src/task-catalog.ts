import { z } from 'zod';
import { PROFILES, UnknownTaskError, type Profile, type TaskDefinition } from '@switchyard/contracts';
import { InvalidTaskPayloadError, TaskRegistrationError } from './errors';

/** What the catalog tells clients about one task (`GET /v1/tasks`). */
export interface TaskDescription {
  name: string;
  description: string;
  profile: Profile;
  /** Every profile a job of this task may run under (moving it to another needs admin or an override). */
  profiles: Profile[];
  /** A job that names no profile is routed by the task's measured CPU/wall ratio (as `profile: "auto"`). */
  autoRoute: boolean;
  defaultTimeoutMs: number;
  /** The payload's JSON Schema (draft 2020-12), as accepted at submit time. */
  payloadSchema: Record<string, unknown>;
  /** The JSON Schema (draft 2020-12) of a completed job's `result`, as the job view shows it. */
  resultSchema: Record<string, unknown>;
  example: unknown;
}

/**
 * The registry of tasks: one definition per name, checked as it is filled so that a bad catalog stops
 * the process at start-up instead of failing jobs later.
 */
export class TaskCatalog {
  readonly #tasks = new Map<string, TaskDefinition>();
  /** Each task's profiles, its `profiles` or else `[profile]`. */
  readonly #profiles = new Map<string, readonly Profile[]>();

  /**
   * @throws TaskRegistrationError for a second task of the same name, a task without a handler, or a task
   *   whose default profile is not among its `profiles`.
   */
  register<Payload, Result>(definition: TaskDefinition<Payload, Result>): this {
    if (this.#tasks.has(definition.name)) {
      throw new TaskRegistrationError(
        `task "${definition.name}" is registered twice: task names must be unique`,
      );
    }
    if (typeof definition.handler !== 'function') {
      throw new TaskRegistrationError(`task "${definition.name}" has no handler: give it a handler function`);
    }
    const profiles = definition.profiles ?? [definition.profile];
    if (!profiles.includes(definition.profile)) {
      throw new TaskRegistrationError(
        `task "${definition.name}" has default profile "${definition.profile}" outside its profiles [${profiles.join(', ')}]: add it to profiles`,
      );
    }
    const unknown = profiles.filter((profile) => !PROFILES.includes(profile));
    if (unknown.length > 0) {
      throw new TaskRegistrationError(
        `task "${definition.name}" declares unknown profiles [${unknown.join(', ')}]: profiles are ${PROFILES.join(', ')}`,
      );
    }
    this.#tasks.set(definition.name, definition as unknown as TaskDefinition);
    this.#profiles.set(definition.name, [...new Set(profiles)]);
    return this;
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /** @throws UnknownTaskError listing the known names. */
  get(name: string): TaskDefinition {
    const definition = this.#tasks.get(name);
    if (!definition) throw new UnknownTaskError(name, this.names());
    return definition;
  }

  /** Task names, sorted. */
  names(): string[] {
    return [...this.#tasks.keys()].sort();
  }

  /** Task definitions, sorted by name. */
  list(): TaskDefinition[] {
    return this.names().map((name) => this.get(name));
  }

  /**
   * Validates a payload against the task's schema and returns it parsed (defaults applied).
   * @throws UnknownTaskError, or InvalidTaskPayloadError listing every bad field path.
   */
  parsePayload(name: string, payload: unknown): unknown {
    const parsed = this.get(name).payloadSchema.safeParse(payload);
    if (parsed.success) return parsed.data;
    throw new InvalidTaskPayloadError(
      name,
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }

  /**
   * The profiles a job of this task may run under: its `profiles`, or `[profile]` when it declares none.
   * @throws UnknownTaskError listing the known names.
   */
  profilesOf(name: string): readonly Profile[] {
    this.get(name);
    return this.#profiles.get(name) ?? [];
  }

  /** Whether a job of this task may run under `profile`; false for an unknown task. */
  allowsProfile(name: string, profile: Profile): boolean {
    return this.#profiles.get(name)?.includes(profile) ?? false;
  }

  /**
   * A copy of a job's payload fit to show in views and logs (the task's `redactPayload`). Never throws:
   * a task without a redactor, or an unknown task, gives the payload back as it is; a redactor that
   * throws gives "[redacted]" rather than the raw payload.
   */
  redactPayload(name: string, payload: unknown): unknown {
    const definition = this.#tasks.get(name);
    if (!definition?.redactPayload) return payload;
    try {
      return definition.redactPayload(payload);
    } catch {
      return '[redacted]';
    }
  }

  describe(name: string): TaskDescription {
    const definition = this.get(name);
    return {
      name: definition.name,
      description: definition.description,
      profile: definition.profile,
      profiles: [...this.profilesOf(name)],
      autoRoute: definition.autoRoute === true,
      defaultTimeoutMs: definition.defaultTimeoutMs,
      // io: what a client must send (defaults are optional); refinements cannot be expressed and are left out.
      payloadSchema: z.toJSONSchema(definition.payloadSchema, { io: 'input', unrepresentable: 'any' }),
      resultSchema: z.toJSONSchema(definition.resultSchema, { io: 'output', unrepresentable: 'any' }),
      example: definition.example,
    };
  }

  describeAll(): TaskDescription[] {
    return this.names().map((name) => this.describe(name));
  }
}
